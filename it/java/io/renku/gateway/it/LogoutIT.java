package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakAdmin;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.PasswordGrant;
import io.renku.gateway.harness.RedisProcess;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Logout, back-channel logout and the profile link against the real Keycloak and Redis: a logout deletes the session
 * key in Redis and sends the browser through Keycloak's end-session endpoint back to the validated target; a session
 * ended at Keycloak by an administrator ends at the gateway too, because Keycloak calls the gateway's back-channel
 * endpoint (its URL set on the {@code renku} client through the admin API, since only now is the port known).
 */
@GatewayIT
class LogoutIT {
    private final ObjectMapper json = new ObjectMapper();

    @ArquillianResource
    private URL base;

    private RedisProcess redis;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void logoutDeletesTheSessionAndEndsTheKeycloakSessionBeforeReachingTheTarget() throws Exception {
        Http http = new Http(base);
        KeycloakBrowser keycloak = new KeycloakBrowser();
        String session = keycloak.logInThroughGateway(http, base, base + "projects");
        assertEquals(200, http.get("api/auth/user", "Cookie", session).statusCode());
        assertTrue(sessionKeyExists(session));

        String target = base + "after-logout?x=1";
        HttpResponse<String> logout = http.get("api/auth/logout?redirect_url=" + enc(target), "Cookie", session);
        assertEquals(302, logout.statusCode(), logout.body());
        assertEquals("no-store", logout.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(logout.headers().allValues("Set-Cookie").stream()
                .anyMatch(c -> c.startsWith("_renku_session=;") && c.contains("Max-Age=0")), "the cookie expires");
        URI endSession = URI.create(KeycloakBrowser.location(logout));
        assertEquals(PasswordGrant.issuer("renku") + "/protocol/openid-connect/logout",
                endSession.toString().replaceAll("\\?.*", ""));
        Map<String, String> query = query(endSession);
        assertEquals(target, query.get("post_logout_redirect_uri"));
        assertEquals("renku", query.get("client_id"));
        assertTrue(query.get("id_token_hint").split("\\.").length == 3, "the renku ID token is the hint");

        assertFalse(sessionKeyExists(session), "the session key is gone from Redis");
        assertEquals(401, http.get("api/auth/user", "Cookie", session).statusCode());

        HttpResponse<String> atKeycloak = keycloak.get(endSession.toString());
        assertEquals(302, atKeycloak.statusCode(), "Keycloak logs out without asking: " + atKeycloak.body());
        assertEquals(target, KeycloakBrowser.location(atKeycloak));
    }

    @Test
    void logoutWithoutASessionGoesStraightToTheValidatedTarget() {
        Http http = new Http(base);
        HttpResponse<String> ownTarget = http.get("api/auth/logout?redirect_url=" + enc(base + "x"));
        assertEquals(302, ownTarget.statusCode());
        assertEquals(base + "x", KeycloakBrowser.location(ownTarget));
        HttpResponse<String> foreign = http.postForm("api/auth/logout", "redirect_url=" + enc("https://evil.example/"));
        assertEquals(302, foreign.statusCode());
        assertEquals(base.toString().replaceAll("/$", "") + "/", KeycloakBrowser.location(foreign));
    }

    @Test
    void userProfileLeadsToKeycloaksAccountConsole() {
        HttpResponse<String> profile = new Http(base).get("api/auth/user-profile");
        assertEquals(302, profile.statusCode());
        assertEquals(PasswordGrant.issuer("renku") + "/account", KeycloakBrowser.location(profile));
    }

    @Test
    void aSessionEndedAtKeycloakEndsAtTheGatewayThroughBackChannelLogout() throws Exception {
        new KeycloakAdmin().setBackchannelLogoutUrl("renku", "renku", base + "api/auth/backchannel-logout");
        Http http = new Http(base);
        Set<String> indexBefore = indexKeys();
        String session = new KeycloakBrowser().logInThroughGateway(http, base, base + "projects");
        assertEquals(200, http.get("api/auth/user", "Cookie", session).statusCode());
        assertTrue(sessionKeyExists(session));
        Set<String> ours = new HashSet<>(indexKeys());
        ours.removeAll(indexBefore); // other test classes share this Redis and may have left entries of their own
        assertFalse(ours.isEmpty(), "the login indexed the session by its sid");

        new KeycloakAdmin().logOutUser("renku", "demo");

        int status = 200;
        for (int i = 0; i < 50 && status == 200; i++) {
            status = http.get("api/auth/user", "Cookie", session).statusCode();
            if (status == 200) {
                Thread.sleep(100);
            }
        }
        assertEquals(401, status, "the gateway session ended with the Keycloak session");
        assertFalse(sessionKeyExists(session), "the session key is gone from Redis");
        Set<String> left = indexKeys();
        left.retainAll(ours);
        assertTrue(left.isEmpty(), "the index entry went with it: " + left);
    }

    private Set<String> indexKeys() {
        try (Jedis raw = new Jedis("127.0.0.1", redis.port())) {
            return new HashSet<>(raw.keys("gateway:index:sid:*"));
        }
    }

    @Test
    void anInvalidLogoutTokenIsA400InTheSpecsFormat() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> forged = http.postForm("api/auth/backchannel-logout", "logout_token="
                + PasswordGrant.demoTokens("renku", "renku", "renku-secret").path("id_token").asText());
        assertEquals(400, forged.statusCode(), forged.body());
        assertEquals("no-store", forged.headers().firstValue("Cache-Control").orElse(""));
        JsonNode body = json.readTree(forged.body());
        assertEquals("invalid_request", body.path("error").asText());
        assertFalse(body.path("error_description").asText().isEmpty());
        HttpResponse<String> missing = http.postForm("api/auth/backchannel-logout", "");
        assertEquals(400, missing.statusCode(), missing.body());
    }

    private boolean sessionKeyExists(String cookie) {
        String value = cookie.substring(cookie.indexOf('=') + 1);
        String id = value.substring(0, value.indexOf('.'));
        try (Jedis raw = new Jedis("127.0.0.1", redis.port())) {
            return raw.exists("gateway:sessions:{" + id + "}");
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
