package io.renku.gateway.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The test Keycloak's admin REST API (bootstrap admin {@code admin}/{@code admin}, see {@link KeycloakProcess}), for
 * what realm files cannot say: the gateway's back-channel logout URL contains the Tomcat port, known only when the
 * tests run, and a realm import substitutes nothing, so it is set on the client at test time. Also ends a user's
 * sessions the way an administrator would, which makes Keycloak send back-channel logout tokens.
 */
public final class KeycloakAdmin {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;

    /** The run's Keycloak. */
    public KeycloakAdmin() {
        this(PasswordGrant.keycloakUrl());
    }

    /** The Keycloak at {@code base} (a drill's own). */
    public KeycloakAdmin(String base) {
        this.base = base;
    }

    /** Sets how long {@code realm}'s access tokens live. */
    public void setAccessTokenLifespan(String realm, int seconds) {
        ObjectNode realmSettings = json.createObjectNode();
        realmSettings.put("accessTokenLifespan", seconds);
        call("PUT", "/admin/realms/" + realm, realmSettings);
    }

    /**
     * Points {@code clientId}'s back-channel logout at {@code url}, with {@code sid} in the logout tokens, and switches
     * its front-channel logout off.
     */
    public void setBackchannelLogoutUrl(String realm, String clientId, String url) {
        JsonNode found = call("GET", "/admin/realms/" + realm + "/clients?clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null);
        ObjectNode representation = (ObjectNode) found.get(0);
        // Keycloak skips back-channel calls to a client that uses front-channel logout.
        representation.put("frontchannelLogout", false);
        ObjectNode attributes = representation.with("attributes");
        attributes.put("backchannel.logout.url", url);
        attributes.put("backchannel.logout.session.required", "true");
        call("PUT", "/admin/realms/" + realm + "/clients/" + representation.path("id").asText(), representation);
    }

    /**
     * Points the SAML client {@code clientId}'s logout service (POST and Redirect bindings) at {@code url} and switches
     * its front-channel logout off, so Keycloak calls {@code url} itself (back-channel, POST binding) when a session
     * ends elsewhere, and answers the client's own LogoutRequest there.
     */
    public void setSamlLogoutUrl(String realm, String clientId, String url) {
        JsonNode found = call("GET", "/admin/realms/" + realm + "/clients?clientId="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null);
        ObjectNode representation = (ObjectNode) found.get(0);
        representation.put("frontchannelLogout", false);
        ObjectNode attributes = representation.with("attributes");
        attributes.put("saml_single_logout_service_url_post", url);
        attributes.put("saml_single_logout_service_url_redirect", url);
        call("PUT", "/admin/realms/" + realm + "/clients/" + representation.path("id").asText(), representation);
    }

    /** The ids of {@code username}'s current sessions in {@code realm}. */
    public java.util.Set<String> sessionIds(String realm, String username) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        call("GET", "/admin/realms/" + realm + "/users/" + userId(realm, username) + "/sessions", null)
                .forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    /** Ends every session of {@code username} in {@code realm}, as the admin console's "Sign out" does. */
    public void logOutUser(String realm, String username) {
        JsonNode users = call("GET", "/admin/realms/" + realm + "/users?exact=true&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8), null);
        call("POST", "/admin/realms/" + realm + "/users/" + users.get(0).path("id").asText() + "/logout", null);
    }

    /** The client scopes {@code username} consented to for {@code clientId} (empty when none). */
    public java.util.List<String> consentedScopes(String realm, String username, String clientId) {
        JsonNode consents = call("GET", "/admin/realms/" + realm + "/users/" + userId(realm, username) + "/consents",
                null);
        java.util.List<String> scopes = new java.util.ArrayList<>();
        for (JsonNode consent : consents) {
            if (clientId.equals(consent.path("clientId").asText())) {
                consent.path("grantedClientScopes").forEach(scope -> scopes.add(scope.asText()));
            }
        }
        return scopes;
    }

    /** Withdraws {@code username}'s consent for {@code clientId}, so the next login asks again. */
    public void revokeConsent(String realm, String username, String clientId) {
        call("DELETE", "/admin/realms/" + realm + "/users/" + userId(realm, username) + "/consents/"
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8), null);
    }

    /** How many events of {@code type} (e.g. {@code REFRESH_TOKEN}) Keycloak stored for {@code realm}. */
    public int eventCount(String realm, String type) {
        return call("GET", "/admin/realms/" + realm + "/events?type=" + type + "&max=100000", null).size();
    }

    private String userId(String realm, String username) {
        return call("GET", "/admin/realms/" + realm + "/users?exact=true&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8), null).get(0).path("id").asText();
    }

    private JsonNode call(String method, String path, JsonNode body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + token())
                    .header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode());
            }
            return response.body().isEmpty() ? json.nullNode() : json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak's admin API did not answer " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String token() throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create(base + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=password&client_id=admin-cli&username=admin&password=admin")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused the admin login: " + response.statusCode());
        }
        return json.readTree(response.body()).path("access_token").asText();
    }
}
