package io.renku.gateway.auth;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenIntrospectorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private TestIdp idp;
    private final MutableClock clock = new MutableClock(Instant.now());

    @BeforeEach
    void start() throws Exception {
        idp = new TestIdp();
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    /** Providers in the given order; each name is also its endpoint path on the test IdP. */
    private TokenIntrospector introspector(List<String> providers, String secret) {
        Map<String, String> values = new HashMap<>();
        values.put(TokenVerificationSettings.INTROSPECTION, String.join(",", providers));
        for (String id : providers) {
            values.put(TokenVerificationSettings.introspectionKey(id, "issuer"), "https://" + id + ".example");
            values.put(TokenVerificationSettings.introspectionKey(id, "endpoint"),
                    idp.introspectionEndpoint(id).toString());
            values.put(TokenVerificationSettings.introspectionKey(id, "clientID"), TestIdp.CLIENT_ID);
            values.put(TokenVerificationSettings.introspectionKey(id, "clientSecret"), secret);
        }
        TokenVerificationSettings settings = TokenVerificationSettings.read(
                new SettingReader(new SettingsSource(k -> null, k -> null, values::get)));
        return new TokenIntrospector(settings, TIMEOUT, clock, 1000);
    }

    private String active(String subject, long expiresInSeconds) {
        return "{\"active\":true,\"sub\":\"" + subject + "\",\"username\":\"demo\",\"scope\":\"api read_user\","
                + "\"email\":\"demo@example.org\",\"exp\":" + (clock.instant().getEpochSecond() + expiresInSeconds)
                + "}";
    }

    private int hits(String path) {
        return idp.introspectionHits.getOrDefault(path, new java.util.concurrent.atomic.AtomicInteger()).get();
    }

    @Test
    void activeTokenGivesItsIdentityAndIsCached() {
        TokenIntrospector introspector = introspector(List.of("gitlab"), TestIdp.CLIENT_SECRET);
        idp.introspection.get("gitlab").put("glpat-abc", active("42", 3600));

        Identity identity = introspector.introspect(Secret.of("glpat-abc"), AuthMethod.BASIC);
        assertEquals("42", identity.subject());
        assertEquals("demo", identity.preferredUsername());
        assertEquals("demo@example.org", identity.email());
        assertEquals("https://gitlab.example", identity.issuer());
        assertEquals(AuthMethod.BASIC, identity.method());
        assertEquals(Set.of("api", "read_user"), identity.scopes());
        assertEquals(Secret.of("glpat-abc"), identity.token().orElseThrow());

        assertEquals(AuthMethod.BEARER, introspector.introspect(Secret.of("glpat-abc"), AuthMethod.BEARER).method());
        assertEquals(1, hits("gitlab"), "the second request is answered from the cache");
    }

    @Test
    void inactiveTokenIsInvalidTokenAndTheAnswerIsCachedToo() {
        TokenIntrospector introspector = introspector(List.of("gitlab"), TestIdp.CLIENT_SECRET);
        for (int i = 0; i < 2; i++) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> introspector.introspect(Secret.of("revoked-token"), AuthMethod.BEARER));
            assertEquals(ErrorKind.INVALID_TOKEN, e.kind());
            assertTrue(e.headers().get("WWW-Authenticate").startsWith("Bearer error=\"invalid_token\""));
            assertFalse(e.getMessage().contains("revoked-token"));
        }
        assertEquals(1, hits("gitlab"));
    }

    @Test
    void oneServersAnswerIsNeverReusedForAnother() {
        TokenIntrospector introspector = introspector(List.of("first", "second"), TestIdp.CLIENT_SECRET);
        idp.introspection.get("second").put("shared-token", active("7", 3600));

        assertEquals("https://second.example",
                introspector.introspect(Secret.of("shared-token"), AuthMethod.BEARER).issuer());
        assertEquals("https://second.example",
                introspector.introspect(Secret.of("shared-token"), AuthMethod.BEARER).issuer());
        assertEquals(1, hits("first"), "first said inactive once, and that answer is cached for first only");
        assertEquals(1, hits("second"));
    }

    @Test
    void cachedAnswerLivesForTheConfiguredTimeAtMost() {
        TokenIntrospector introspector = introspector(List.of("gitlab"), TestIdp.CLIENT_SECRET);
        idp.introspection.get("gitlab").put("tok", active("42", 3600));
        introspector.introspect(Secret.of("tok"), AuthMethod.BEARER);
        clock.advance(Duration.ofSeconds(29));
        introspector.introspect(Secret.of("tok"), AuthMethod.BEARER);
        assertEquals(1, hits("gitlab"));
        clock.advance(Duration.ofSeconds(1));
        introspector.introspect(Secret.of("tok"), AuthMethod.BEARER);
        assertEquals(2, hits("gitlab"), "asked again after sessions.introspectionCacheSeconds (30)");
    }

    @Test
    void cachedAnswerNeverOutlivesTheTokensExpiry() {
        TokenIntrospector introspector = introspector(List.of("gitlab"), TestIdp.CLIENT_SECRET);
        idp.introspection.get("gitlab").put("short", active("42", 5));
        introspector.introspect(Secret.of("short"), AuthMethod.BEARER);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(ErrorKind.INVALID_TOKEN, assertThrows(GatewayException.class,
                () -> introspector.introspect(Secret.of("short"), AuthMethod.BEARER)).kind());
        assertEquals(2, hits("gitlab"));
    }

    @Test
    void providerThatRefusesOurClientCredentialsIsUnavailableNotInvalidToken() {
        TokenIntrospector introspector = introspector(List.of("gitlab"), "wrong-secret");
        idp.introspection.get("gitlab").put("tok", active("42", 3600));
        GatewayException e = assertThrows(GatewayException.class,
                () -> introspector.introspect(Secret.of("tok"), AuthMethod.BEARER));
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
        assertFalse(e.getMessage().contains("wrong-secret"));
    }

    @Test
    void unreachableProviderIsUnavailableUnlessAnotherVouchesForTheToken() {
        TokenIntrospector introspector = introspector(List.of("down", "gitlab"), TestIdp.CLIENT_SECRET);
        idp.introspection.remove("down"); // the test IdP now answers 404 there
        idp.introspection.get("gitlab").put("good", active("42", 3600));
        assertEquals("42", introspector.introspect(Secret.of("good"), AuthMethod.BEARER).subject());
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, assertThrows(GatewayException.class,
                () -> introspector.introspect(Secret.of("unknown"), AuthMethod.BEARER)).kind());
        idp.close();
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, assertThrows(GatewayException.class,
                () -> introspector.introspect(Secret.of("other"), AuthMethod.BEARER)).kind());
    }

    @Test
    void activeAnswerWithoutSubjectOrUsernameIsRefused() {
        TokenIntrospector introspector = introspector(List.of("gitlab"), TestIdp.CLIENT_SECRET);
        idp.introspection.get("gitlab").put("anon", "{\"active\":true,\"client_id\":\"x\"}");
        assertEquals(ErrorKind.INVALID_TOKEN, assertThrows(GatewayException.class,
                () -> introspector.introspect(Secret.of("anon"), AuthMethod.BEARER)).kind());
    }

    @Test
    void withoutProvidersAnOpaqueTokenIsInvalid() {
        TokenIntrospector introspector = introspector(List.of(), TestIdp.CLIENT_SECRET);
        assertFalse(introspector.hasProviders());
        assertEquals(ErrorKind.INVALID_TOKEN, assertThrows(GatewayException.class,
                () -> introspector.introspect(Secret.of("opaque"), AuthMethod.BEARER)).kind());
    }
}
