package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.RawHttp;
import io.renku.gateway.harness.RedisProcess;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * CORS, the rate limit, security headers and {@code /version} on the deployed WAR, with CORS for one origin and a
 * rate limit of 1 request/s with a burst of 5 (web.xml of this deployment; the other ITs run without them).
 */
@GatewayIT
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeControlsIT {
    private static final String ORIGIN = "https://app.example.org";

    private final ObjectMapper json = new ObjectMapper();
    private RedisProcess redis;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.withContextParams("ROOT.war", Map.of("server.allowOrigin", ORIGIN,
                "server.rateLimit.requestsPerSecond", "1", "server.rateLimit.burst", "5"));
    }

    @Test
    void aPreflightFromTheAllowedOriginIsAnsweredByTheGatewayWithCredentialsNeverStar() throws Exception {
        RawHttp.Response response = RawHttp.send(base, "OPTIONS /api/data/projects HTTP/1.1\r\nHost: localhost\r\n"
                + "Origin: " + ORIGIN + "\r\nAccess-Control-Request-Method: PUT\r\n"
                + "Access-Control-Request-Headers: content-type, x-custom\r\nConnection: close\r\n\r\n");
        assertEquals(204, response.status(), response.text());
        String head = response.text().toLowerCase();
        assertTrue(head.contains("access-control-allow-origin: " + ORIGIN), head);
        assertTrue(head.contains("access-control-allow-credentials: true"), head);
        assertTrue(head.contains("access-control-allow-headers: content-type, x-custom"), head);
        assertTrue(head.contains("access-control-allow-methods: "), head);
        assertFalse(head.contains("access-control-allow-origin: *"), head);
        assertFalse(head.contains("set-cookie"), "a preflight made a session");
    }

    @Test
    void aPreflightFromAnotherOriginIs403AndASimpleRequestFromItGetsNoCorsHeaders() throws Exception {
        RawHttp.Response preflight = RawHttp.send(base, "OPTIONS /api/data/projects HTTP/1.1\r\nHost: localhost\r\n"
                + "Origin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\nAccept: application/json\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(403, preflight.status(), preflight.text());
        assertTrue(preflight.text().contains("application/problem+json"), preflight.text());
        HttpResponse<String> simple = new Http(base).get("version", "Origin", "https://evil.example");
        assertTrue(simple.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), simple.headers().toString());
        HttpResponse<String> allowed = new Http(base).get("version", "Origin", "https://APP.example.org:443");
        assertEquals(ORIGIN.replace("app", "APP") + ":443",
                allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertEquals("true", allowed.headers().firstValue("Access-Control-Allow-Credentials").orElse(""));
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it empties the bucket that every request of this class shares (127.0.0.1)
    void aCallerOverTheLimitGets429WithRetryAfterSharedThroughRedisAndHealthIsNeverLimited() throws Exception {
        Http http = new Http(base);
        // The other tests of this class draw from the same bucket (same caller address, shared in Redis); with a
        // burst of 5 at 1/s it is full again after 5 s, so the count below does not depend on the test order.
        Thread.sleep(6_000);
        int ok = 0;
        int limited = 0;
        String retryAfter = null;
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> response = http.get("api/kc/limit", "Accept", "application/json");
            if (response.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(429, response.statusCode(), response.body());
                assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
                limited++;
            }
        }
        assertTrue(ok >= 5 && ok <= 7, "a burst of 5 and 1/s: " + ok + " passed");
        assertTrue(limited >= 5, limited + " limited");
        assertTrue(retryAfter != null && Integer.parseInt(retryAfter) >= 1, String.valueOf(retryAfter));
        for (int i = 0; i < 10; i++) {
            assertEquals(200, http.get("health").statusCode(), "health is never limited");
        }
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertFalse(jedis.keys("gateway:ratelimit:*").isEmpty(), "the bucket lives in Redis");
        }
        assertTrue(http.get("metrics").body().contains("gateway_ratelimit_decisions_total{result=\"limited\"}"));
    }

    @Test
    void theGatewaysOwnAnswersCarrySecurityHeaders() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> problem = http.get("api/auth/user", "Accept", "application/json");
        assertEquals(401, problem.statusCode());
        assertEquals("nosniff", problem.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("no-store", problem.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("no-referrer", problem.headers().firstValue("Referrer-Policy").orElse(""));
        HttpResponse<String> page = http.get("api/auth/user", "Accept", "text/html");
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"),
                page.headers().toString());
        HttpResponse<String> login = http.get("api/auth/login");
        assertEquals(302, login.statusCode());
        assertEquals("no-referrer", login.headers().firstValue("Referrer-Policy").orElse(""));
    }

    @Test
    void versionNamesTheBuild() throws Exception {
        HttpResponse<String> response = new Http(base).get("version");
        assertEquals(200, response.statusCode());
        JsonNode version = json.readTree(response.body());
        assertEquals("0.1.0-SNAPSHOT", version.path("version").asText());
        assertTrue(version.path("commit").asText().matches("[0-9a-f]{40}|unknown"), response.body());
    }
}
