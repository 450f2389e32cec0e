package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.TokenVerificationSettings.IntrospectionProvider;
import io.renku.gateway.config.TokenVerificationSettings.Verifier;
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenVerificationSettingsTest {

    private static TokenVerificationSettings read(Map<String, String> values) {
        return TokenVerificationSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null, values::get)));
    }

    @Test
    void defaultsAcceptNoTokensAndOnlyAsymmetricAlgorithms() {
        TokenVerificationSettings settings = read(Map.of());
        assertEquals(List.of(), settings.verifiers());
        assertEquals(Duration.ofSeconds(30), settings.clockSkew());
        assertEquals(Set.of("RS256", "ES256", "PS256"), settings.allowedAlgorithms());
        assertEquals(List.of(), settings.introspection());
        assertEquals(Duration.ofSeconds(30), settings.introspectionCacheTtl());
    }

    @Test
    void verifierPairsAreGroupedByIssuer() {
        TokenVerificationSettings settings = read(Map.of(TokenVerificationSettings.AUTHORIZATION_VERIFIERS,
                "https://kc/realms/renku|renku, https://kc/realms/renku|renku-cli,https://other/|x,"
                        + "https://kc/realms/renku|renku"));
        assertEquals(List.of(new Verifier("https://kc/realms/renku", List.of("renku", "renku-cli")),
                new Verifier("https://other/", List.of("x"))), settings.verifiers());
    }

    @Test
    void introspectionProvidersHaveTheirOwnKeys() {
        TokenVerificationSettings settings = read(Map.of(
                "sessions.introspection", "gitlab",
                "sessions.introspection.gitlab.endpoint", "https://gitlab.example/oauth/introspect",
                "sessions.introspection.gitlab.clientID", "gw",
                "sessions.introspection.gitlab.clientSecret", "hush",
                "sessions.introspectionCacheSeconds", "10"));
        assertEquals(List.of(new IntrospectionProvider("gitlab", "gitlab",
                URI.create("https://gitlab.example/oauth/introspect"), "gw", Secret.of("hush"))),
                settings.introspection());
        assertEquals(Duration.ofSeconds(10), settings.introspectionCacheTtl());
        assertFalse(settings.toString().contains("hush"), "the client secret never prints");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Map.of("sessions.authorizationVerifiers", "https://kc/realms/renku"),
                        "sessions.authorizationVerifiers must be a comma-separated list of issuer|audience"),
                Arguments.of(Map.of("sessions.authorizationVerifiers", "https://kc|"), "was 'https://kc|'"),
                Arguments.of(Map.of("sessions.authorizationVerifiers", "kc-realm|renku"), "http(s) URL"),
                Arguments.of(Map.of("sessions.authorizationVerifiers", "https://kc|a|b"), "issuer|audience"),
                Arguments.of(Map.of("sessions.tokenClockSkewSeconds", "-1"), "from 0 to 600, was '-1'"),
                Arguments.of(Map.of("sessions.allowedAlgorithms", "RS256,none"), "must not contain 'none'"),
                Arguments.of(Map.of("sessions.allowedAlgorithms", "NONE"), "unsigned tokens"),
                Arguments.of(Map.of("sessions.allowedAlgorithms", "HS256"), "must not contain 'HS256'"),
                Arguments.of(Map.of("sessions.allowedAlgorithms", "hs512"), "forge tokens"),
                Arguments.of(Map.of("sessions.allowedAlgorithms", "RSA256"), "was 'RSA256'"),
                Arguments.of(Map.of("sessions.introspection", "git/lab"), "sessions.introspection must be"),
                Arguments.of(Map.of("sessions.introspection", "a,a"), "distinct"),
                Arguments.of(Map.of("sessions.introspection", "gitlab"),
                        "sessions.introspection.gitlab.endpoint is required"),
                Arguments.of(Map.of("sessions.introspection", "gitlab",
                        "sessions.introspection.gitlab.endpoint", "ftp://x"), "http:// or https://"),
                Arguments.of(Map.of("sessions.introspection", "gitlab",
                        "sessions.introspection.gitlab.endpoint", "https://g/introspect"),
                        "sessions.introspection.gitlab.clientID is required"),
                Arguments.of(Map.of("sessions.introspection", "gitlab",
                        "sessions.introspection.gitlab.endpoint", "https://g/introspect",
                        "sessions.introspection.gitlab.clientID", "gw"),
                        "sessions.introspection.gitlab.clientSecret is required"),
                Arguments.of(Map.of("sessions.introspectionCacheSeconds", "x"), "a whole number from 0 to 3600"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void badValuesStopTheDeploymentWithAMessageNamingThem(Map<String, String> values, String expected) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> read(values));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(e.setting()), e.getMessage());
    }
}
