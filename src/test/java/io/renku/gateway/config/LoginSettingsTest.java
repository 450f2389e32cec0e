package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LoginSettingsTest {
    static LoginSettings read(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", "https://renku.example.org");
        values.put("login.providers.renku.issuer", "https://kc.example.org/realms/renku");
        values.put("login.providers.renku.clientID", "renku");
        values.put("login.providers.renku.clientSecret", "renku-secret");
        values.put("login.providers.gitlab.issuer", "https://gitlab.example.org");
        values.put("login.providers.gitlab.clientID", "gateway");
        values.put("login.providers.gitlab.clientSecret", "gitlab-secret");
        values.putAll(overrides);
        values.values().removeIf(v -> v == null);
        return LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null, values::get)));
    }

    @Test
    void defaultsFollowTheGoGateway() {
        LoginSettings s = read(Map.of());
        assertEquals("/api/auth", s.loginRoutesBasePath());
        assertEquals(URI.create("https://renku.example.org/"), s.renkuBaseUrl());
        assertEquals(List.of("renku", "gitlab"), s.defaultChain());
        assertEquals(600, s.stateTtlSeconds());
        LoginSettings.Provider renku = s.providers().get("renku");
        assertEquals(URI.create("https://renku.example.org/api/auth/callback"), renku.callbackUri());
        assertEquals(List.of("openid", "profile", "email"), renku.scopes());
        assertTrue(renku.usePkce());
        assertEquals("renku-secret", renku.clientSecret().reveal());
        assertFalse(renku.toString().contains("renku-secret"), "the secret prints redacted");
        assertTrue(s.allowedRedirectUrls().isEmpty());
    }

    @Test
    void gitlabCanBeSwitchedOffAndProvidersTuned() {
        LoginSettings s = read(Map.of("login.providers", "renku", "login.providers.renku.scopes", "openid email",
                "login.providers.renku.usePKCE", "false", "login.providers.renku.callbackURI",
                "https://gw.example.org/cb", "login.allowedRedirectURLs", "https://docs.example.org/renku,"
                        + "http://localhost:3000", "login.stateTTLSeconds", "120"));
        assertEquals(List.of("renku"), s.defaultChain());
        assertEquals(List.of("renku"), List.copyOf(s.providers().keySet()));
        assertFalse(s.providers().get("renku").usePkce());
        assertEquals(URI.create("https://gw.example.org/cb"), s.providers().get("renku").callbackUri());
        assertEquals(2, s.allowedRedirectUrls().size());
        assertEquals(120, s.stateTtlSeconds());
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("login.renkuBaseURL", "", "login.renkuBaseURL is required"),
                Arguments.of("login.renkuBaseURL", "renku.example.org", "login.renkuBaseURL must be"),
                Arguments.of("login.renkuBaseURL", "https://renku.example.org/?x=1", "login.renkuBaseURL must be"),
                Arguments.of("login.providers", "renku,re nku!", "login.providers must be"),
                Arguments.of("login.providers", "renku,renku", "login.providers must be"),
                Arguments.of("login.providers.gitlab.issuer", "", "login.providers.gitlab.issuer is required"),
                Arguments.of("login.providers.renku.issuer", "ftp://kc", "login.providers.renku.issuer must be"),
                Arguments.of("login.providers.renku.clientID", "", "login.providers.renku.clientID is required"),
                Arguments.of("login.providers.renku.scopes", "profile email", "must be a list of scopes"),
                Arguments.of("login.providers.renku.usePKCE", "maybe", "login.providers.renku.usePKCE must be"),
                Arguments.of("login.providers.renku.callbackURI", "/cb", "login.providers.renku.callbackURI must"),
                Arguments.of("login.allowedRedirectURLs", "https://ok.example,javascript:x",
                        "login.allowedRedirectURLs must be"),
                Arguments.of("login.allowedRedirectURLs", "https://x.example/a/../b", "login.allowedRedirectURLs"),
                Arguments.of("login.stateTTLSeconds", "5", "login.stateTTLSeconds must be"),
                Arguments.of("login.stateTTLSeconds", "ten", "login.stateTTLSeconds must be"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("bad")
    void badValueStopsTheDeploymentNamingTheSetting(String name, String value, String message) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(name, value);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> read(overrides));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void publicClientWithoutPkceIsRefusedAndTheSecretIsNeverEchoed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> read(Map.of(
                "login.providers.renku.clientSecret", "", "login.providers.renku.usePKCE", "false")));
        assertTrue(e.getMessage().startsWith("login.providers.renku.usePKCE must be true"), e.getMessage());
        InvalidSettingException scopes = assertThrows(InvalidSettingException.class, () -> read(Map.of(
                "login.providers.renku.scopes", "email")));
        assertFalse(scopes.getMessage().contains("renku-secret"));
    }
}
