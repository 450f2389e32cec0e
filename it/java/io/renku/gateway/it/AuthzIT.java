package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.PasswordGrant;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Edge rules on the deployed WAR (pom.xml's it.gateway.settings): {@code itproject}
 * ({@code /api/data/authz-it/projects/{id}/**}, permission {@code auto}, resource {@code project:{id}}) and
 * {@code itgroup} ({@code GET /api/data/authz-it/orgs/{org}/groups/{group}/name}, {@code read} on the group's
 * {@code name}). The demo user's real Keycloak token grants read and write on Project 1 and Group 1's name, not
 * Project 2 nor Group 2 itself. A refused request never reaches the echo upstream, however its path is encoded.
 */
@GatewayIT
class AuthzIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private EchoUpstream echo;
    private String token;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @BeforeEach
    void demoToken() {
        token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
    }

    @Test
    void allowedRequestsReachTheUpstream() throws Exception {
        for (String method : new String[] {"GET", "POST", "DELETE"}) {
            HttpResponse<String> response = send(method, "api/data/authz-it/projects/1/files", "Bearer " + token);
            assertEquals(200, response.statusCode(), method + " " + response.body());
            assertEquals("/api/data/authz-it/projects/1/files", json.readTree(response.body()).path("path").asText());
        }
        assertEquals(200, send("GET", "api/data/authz-it/orgs/1/groups/1/name", "Bearer " + token).statusCode(),
                "Option 1 attribute grant: Group 1's name");
        assertEquals(200, send("GET", "api/data/authz-it/other", "Bearer " + token).statusCode(), "no rule");
    }

    @Test
    void anonymousCallersGet401AndTheUpstreamSeesNothing() throws Exception {
        long before = echo.requestCount();
        HttpResponse<String> response = send("GET", "api/data/authz-it/projects/1", null);
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(before, echo.requestCount());
    }

    @Test
    void refusedCallersGet403NamingPermissionAndResource() throws Exception {
        long before = echo.requestCount();
        HttpResponse<String> response = send("GET", "api/data/authz-it/projects/2/files", "Bearer " + token);
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode problem = json.readTree(response.body());
        assertTrue(problem.path("detail").asText().contains("'read'"), problem.toString());
        assertTrue(problem.path("detail").asText().contains("gid://app/project/2"), problem.toString());
        assertFalse(response.body().contains("read:project:1"), "never the caller's grants");
        assertFalse(response.body().contains(token));
        HttpResponse<String> group = send("GET", "api/data/authz-it/orgs/1/groups/2/name", "Bearer " + token);
        assertEquals(403, group.statusCode(), "read below Group 2 does not allow Group 2's name");
        assertEquals(before, echo.requestCount());
    }

    @Test
    void decisionsAreCountedBySourceAndResult() throws Exception {
        send("GET", "api/data/authz-it/projects/2", "Bearer " + token);
        send("GET", "api/data/authz-it/projects/1", "Bearer " + token);
        String metrics = send("GET", "metrics", null).body();
        for (String result : new String[] {"allowed", "denied"}) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("gateway_authz_decisions_total{")
                    && l.contains("source=\"edge\"") && l.contains("result=\"" + result + "\"")), metrics);
        }
    }

    @Test
    void aLoggedInSessionIsJudgedOnItsStoredToken() throws Exception {
        String cookie = new KeycloakBrowser().logInThroughGateway(new Http(base), base, base.toString());
        HttpResponse<String> allowed = http.send(request("GET", "api/data/authz-it/projects/1")
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, allowed.statusCode(), allowed.body());
        long before = echo.requestCount();
        HttpResponse<String> refused = http.send(request("POST", "api/data/authz-it/projects/2")
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("'write'"), "auto: POST needs write");
        assertEquals(before, echo.requestCount());
    }

    @ParameterizedTest(name = "{0} still meets the rule")
    @ValueSource(strings = {
        "api/data/authz-it/projects/2;v=1/files",
        "api/data/authz-it/projects/2;jsessionid=x",
        "api/data/authz-it%2Fprojects%2F2",
        "api/data/authz-it/projects%2F2/files",
        "api/data/authz-it/projects/%32",
        "api/data//authz-it//projects/2",
        "api/data/authz%2Dit/projects/2",
        "api/%64ata/authz-it/projects/2",
        "api/data/authz-it/projects/2/",
        "api/data/AUTHZ-IT/Projects/2",
        "api/data/authz-it/projects/2%3Bx",
    })
    void encodedPathsCannotSlipPastARule(String path) throws Exception {
        long before = echo.requestCount();
        HttpResponse<String> response = send("GET", path, "Bearer " + token);
        assertEquals(403, response.statusCode(), path + ": " + response.body());
        assertEquals(before, echo.requestCount(), "the upstream was reached");
    }

    @ParameterizedTest(name = "{0} is refused before any rule")
    @ValueSource(strings = {"api/data/authz-it/projects/1/%2e%2e/2", "api/data/authz-it/projects/1%2F..%2F2"})
    void dotSegmentsAreRefused(String path) throws Exception {
        long before = echo.requestCount();
        HttpResponse<String> response = send("GET", path, "Bearer " + token);
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(before, echo.requestCount());
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = request(method, path);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** URI.create keeps the path as written (no resolve(), which would normalise it). */
    private HttpRequest.Builder request(String method, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
    }
}
