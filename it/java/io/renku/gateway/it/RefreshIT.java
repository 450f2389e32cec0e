package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.PasswordGrant;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Token refresh against the real Keycloak, on two gateway replicas: the WAR is deployed twice in one Tomcat
 * ({@code ROOT} and {@code replica2}), so the two have separate memory and share only Redis, like two replicas; the
 * session cookie has {@code Path=/} and works for both. Both run with {@code login.tokenRefreshSkewSeconds=290}
 * against the realm's 300 s access tokens (set in their web.xml, since a system property would apply to every
 * test's deployment): a token is due 10 s after it was issued, and the token that replaced it is not due for another
 * 10 s, which is the window the race must fit in.
 *
 * <p>The {@code renku} realm rotates refresh tokens ({@code revokeRefreshToken}, no reuse), so a second refresh with
 * the old refresh token would fail: 50 successful requests that all carry one new token prove one refresh. Keycloak's
 * {@code REFRESH_TOKEN} events count it as well. A refresh Keycloak refuses (the user's Keycloak sessions were ended
 * through its admin API) logs the user out of the gateway session with a 401.
 */
@GatewayIT
class RefreshIT {
    private static final String SKEW = "290";
    private final ObjectMapper json = new ObjectMapper();

    @Deployment(name = "a", testable = false)
    static WebArchive replicaA() {
        return Deployments.withContextParam("ROOT.war", "login.tokenRefreshSkewSeconds", SKEW);
    }

    @Deployment(name = "b", testable = false)
    static WebArchive replicaB() {
        return Deployments.withContextParam("replica2.war", "login.tokenRefreshSkewSeconds", SKEW);
    }

    @Test
    void refreshHappensOnceAcrossReplicas(@ArquillianResource @OperateOnDeployment("a") URL a,
            @ArquillianResource @OperateOnDeployment("b") URL b) throws Exception {
        String session = new KeycloakBrowser().logInThroughGateway(new Http(a), a, a.toString());
        Http replicaA = new Http(a);
        Http replicaB = new Http(b);
        JsonNode before = headers(replicaB.get("api/data/x", "Cookie", session));
        String oldToken = before.path("authorization").asText();
        assertTrue(oldToken.startsWith("Bearer "), "replica2 serves the session made on ROOT");
        String oldGitlab = before.path("gitlab-access-token").asText();
        int refreshesBefore = keycloakRefreshEvents("REFRESH_TOKEN");
        int errorsBefore = keycloakRefreshEvents("REFRESH_TOKEN_ERROR");

        Thread.sleep(11_000); // the renku and gitlab tokens are now within the skew of their expiry

        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        long started;
        try {
            for (int i = 0; i < 50; i++) {
                Http replica = i % 2 == 0 ? replicaA : replicaB;
                calls.add(pool.submit(() -> {
                    go.await();
                    return replica.get("api/data/x", "Cookie", session);
                }));
            }
            started = System.nanoTime();
            go.countDown();
            Map<String, Integer> tokens = new HashMap<>();
            Map<String, Integer> gitlabTokens = new HashMap<>();
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertEquals(200, response.statusCode(), response.body());
                JsonNode headers = headers(response);
                tokens.merge(headers.path("authorization").asText(), 1, Integer::sum);
                gitlabTokens.merge(headers.path("gitlab-access-token").asText(), 1, Integer::sum);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(1, tokens.size(), "every request reached the upstream with the same token: "
                    + tokens.values());
            String newToken = tokens.keySet().iterator().next();
            assertNotEquals(oldToken, newToken, "the token was refreshed");
            assertTrue(newToken.startsWith("Bearer "));
            assertEquals(1, gitlabTokens.size(), "one GitLab token: " + gitlabTokens.values());
            assertNotEquals(oldGitlab, gitlabTokens.keySet().iterator().next(), "the GitLab token was refreshed too");
            int refreshes = keycloakRefreshEvents("REFRESH_TOKEN") - refreshesBefore;
            int errors = keycloakRefreshEvents("REFRESH_TOKEN_ERROR") - errorsBefore;
            System.out.println("RefreshIT: 50 requests over 2 replicas in " + millis + " ms; Keycloak renku refreshes: "
                    + refreshes + ", refresh errors: " + errors);
            assertEquals(1, refreshes, "Keycloak's REFRESH_TOKEN events for the renku realm");
            assertEquals(0, errors, "no replica sent the rotated-out refresh token");

            JsonNode after = headers(replicaA.get("api/data/x", "Cookie", session));
            assertEquals(newToken, after.path("authorization").asText(), "the new token was stored in the session");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRefreshKeycloakRefusesLogsTheUserOutWithA401(@ArquillianResource @OperateOnDeployment("a") URL a,
            @ArquillianResource @OperateOnDeployment("b") URL b) throws Exception {
        String session = new KeycloakBrowser().logInThroughGateway(new Http(a), a, a.toString()); // the callback URI is on ROOT; the session works on both
        Http http = new Http(b);
        HttpResponse<String> user = http.get("api/auth/user", "Cookie", session);
        assertEquals(200, user.statusCode(), user.body());
        String subject = json.readTree(user.body()).path("sub").asText();
        HttpResponse<String> ended = admin("POST", "/admin/realms/renku/users/" + subject + "/logout");
        assertEquals(204, ended.statusCode(), "Keycloak ends the user's sessions: " + ended.body());

        Thread.sleep(11_000); // the token is due now, and Keycloak refuses its refresh token (invalid_grant)

        HttpResponse<String> refused = http.get("api/data/x", "Cookie", session);
        assertEquals(401, refused.statusCode(), refused.body());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        assertTrue(json.readTree(refused.body()).path("detail").asText().contains("Log in again"), refused.body());
        assertEquals(401, http.get("api/auth/user", "Cookie", session).statusCode(), "logged out of the session");
        JsonNode anonymous = headers(http.get("api/data/x", "Cookie", session));
        assertTrue(anonymous.path("authorization").isMissingNode(), "no token is injected any more");
        assertTrue(anonymous.path("gitlab-access-token").isMissingNode(), "the GitLab token went with the user");
    }

    @Test
    void gitlabExchangeGivesTheSessionsGitlabToken(@ArquillianResource @OperateOnDeployment("a") URL a)
            throws Exception {
        Http http = new Http(a);
        HttpResponse<String> anonymous = http.get("api/auth/gitlab/exchange");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("application/problem+json", anonymous.headers().firstValue("Content-Type").orElse(""));

        String session = new KeycloakBrowser().logInThroughGateway(new Http(a), a, a.toString());
        HttpResponse<String> exchanged = http.get("api/auth/gitlab/exchange", "Cookie", session);
        assertEquals(200, exchanged.statusCode(), exchanged.body());
        assertEquals("no-store", exchanged.headers().firstValue("Cache-Control").orElse(""));
        JsonNode body = json.readTree(exchanged.body());
        String token = body.path("access_token").asText();
        assertEquals(PasswordGrant.issuer("gitlab"), claims(token).path("iss").asText());
        long expiresAt = body.path("expires_at").asLong();
        long now = Instant.now().getEpochSecond();
        assertTrue(expiresAt > now + 200 && expiresAt <= now + 301, "expires_at " + expiresAt + " vs now " + now);
        JsonNode proxied = headers(http.get("api/data/x", "Cookie", session));
        assertEquals(token, proxied.path("gitlab-access-token").asText(), "the token the proxy injects");
    }

    private JsonNode headers(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body()).path("headers");
    }

    private JsonNode claims(String jwt) throws IOException {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, "a JWT");
        return json.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    /** How many events of {@code type} Keycloak stored for the renku realm. */
    private int keycloakRefreshEvents(String type) throws IOException, InterruptedException {
        HttpResponse<String> events = admin("GET", "/admin/realms/renku/events?type=" + type + "&max=10000");
        assertEquals(200, events.statusCode(), events.body());
        return json.readTree(events.body()).size();
    }

    /** A call to Keycloak's admin API as the bootstrap admin (admin/admin on the master realm). */
    private HttpResponse<String> admin(String method, String path) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        String base = PasswordGrant.keycloakUrl();
        HttpResponse<String> token = client.send(HttpRequest.newBuilder(
                URI.create(base + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=password&client_id=admin-cli&username=admin&password=admin")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, token.statusCode(), "admin token");
        String admin = json.readTree(token.body()).path("access_token").asText();
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + admin)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
