package io.renku.gateway.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Real tokens from the test Keycloak for the credential tests: the resource-owner password grant on a test realm's
 * client (enabled there for tests only; the gateway itself never uses this grant).
 */
public final class PasswordGrant {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PasswordGrant() {
    }

    /** The Keycloak the run started ({@link KeycloakExtension} publishes {@code it.keycloak.url}). */
    public static String keycloakUrl() {
        String url = System.getProperty("it.keycloak.url");
        if (url == null) {
            throw new IllegalStateException("Keycloak is not running: the test class needs @GatewayIT");
        }
        return url;
    }

    public static String issuer(String realm) {
        return keycloakUrl() + "/realms/" + realm;
    }

    /** The token response of a password grant for {@code demo}/{@code demo}; {@code clientSecret} may be null. */
    public static JsonNode demoTokens(String realm, String clientId, String clientSecret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        if (clientSecret != null) {
            form.put("client_secret", clientSecret);
        }
        form.put("username", "demo");
        form.put("password", "demo");
        form.put("scope", "openid");
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(issuer(realm) + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("password grant on " + realm + "/" + clientId + " gave "
                        + response.statusCode());
            }
            JsonNode tokens = new ObjectMapper().readTree(response.body());
            for (String field : new String[] {"access_token", "refresh_token", "id_token"}) {
                IssuedSecrets.record(tokens.path(field).asText(null));
            }
            return tokens;
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak did not answer the password grant", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String demoAccessToken(String realm, String clientId, String clientSecret) {
        return demoTokens(realm, clientId, clientSecret).path("access_token").asText();
    }
}
