package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.renku.gateway.auth.TokenIntrospector;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.harness.KeycloakExtension;
import io.renku.gateway.harness.PasswordGrant;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TokenIntrospector} (RFC 7662) against the real Keycloak's introspection endpoint, configured through the same
 * settings a deployment uses. Keycloak issues only JWT-shaped tokens, so a deployed gateway would verify its tokens
 * locally and never introspect them; this test therefore drives the introspector directly, to prove the protocol,
 * client authentication and the active/inactive answers on a real server. Answers are not cached here
 * ({@code sessions.introspectionCacheSeconds=0}), so a logout shows at once.
 */
@ExtendWith(KeycloakExtension.class)
class TokenIntrospectionIT {
    private static final String REALM = "renku";

    private static TokenIntrospector introspector(String clientSecret) {
        String issuer = PasswordGrant.issuer(REALM);
        Map<String, String> values = Map.of("sessions.introspection", "kc",
                "sessions.introspection.kc.endpoint", issuer + "/protocol/openid-connect/token/introspect",
                "sessions.introspection.kc.clientID", "renku",
                "sessions.introspection.kc.clientSecret", clientSecret,
                "sessions.introspection.kc.issuer", issuer,
                "sessions.introspectionCacheSeconds", "0");
        TokenVerificationSettings settings = TokenVerificationSettings.read(
                new SettingReader(new SettingsSource(n -> null, n -> null, values::get)));
        return new TokenIntrospector(settings, Duration.ofSeconds(5));
    }

    @Test
    void activeAccessTokenIsTheDemoUserFromTheConfiguredIssuer() {
        String token = PasswordGrant.demoAccessToken(REALM, "renku", "renku-secret");
        Identity identity = introspector("renku-secret").introspect(Secret.of(token), AuthMethod.BEARER);
        assertEquals("demo", identity.preferredUsername());
        assertFalse(identity.subject().isEmpty());
        assertEquals(PasswordGrant.issuer(REALM), identity.issuer());
        assertTrue(identity.expiry().isPresent(), "Keycloak's exp is kept");
    }

    @Test
    void tokenOfALoggedOutSessionIsInactiveAndRefusedWith401() throws Exception {
        JsonNode tokens = PasswordGrant.demoTokens(REALM, "renku", "renku-secret");
        Secret access = Secret.of(tokens.path("access_token").asText());
        TokenIntrospector introspector = introspector("renku-secret");
        assertEquals("demo", introspector.introspect(access, AuthMethod.BEARER).preferredUsername());

        logout(tokens.path("refresh_token").asText());

        GatewayException e = assertThrows(GatewayException.class,
                () -> introspector.introspect(access, AuthMethod.BEARER));
        assertEquals(ErrorKind.INVALID_TOKEN, e.kind());
    }

    @Test
    void unknownOpaqueTokenIsRefusedWith401() {
        GatewayException e = assertThrows(GatewayException.class, () -> introspector("renku-secret")
                .introspect(Secret.of("opaque-token-keycloak-never-issued"), AuthMethod.BEARER));
        assertEquals(ErrorKind.INVALID_TOKEN, e.kind());
    }

    @Test
    void wrongClientSecretIsServiceUnavailableNotTheCallersFault() {
        String token = PasswordGrant.demoAccessToken(REALM, "renku", "renku-secret");
        GatewayException e = assertThrows(GatewayException.class,
                () -> introspector("not-the-renku-secret").introspect(Secret.of(token), AuthMethod.BEARER));
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
        assertFalse(e.getMessage().contains("not-the-renku-secret"), e.getMessage());
    }

    /** Ends the Keycloak session behind the tokens (OIDC back-channel-free logout with the refresh token). */
    private static void logout(String refreshToken) throws Exception {
        String body = "client_id=renku&client_secret=renku-secret&refresh_token="
                + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(PasswordGrant.issuer(REALM) + "/protocol/openid-connect/logout"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, response.statusCode(), response.body());
    }
}
