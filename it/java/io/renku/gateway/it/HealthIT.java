package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.RedisProcess;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/** The deployed WAR on a real Tomcat 11 with a real Redis: liveness, readiness and the error body. */
@GatewayIT
class HealthIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private RedisProcess redis;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void healthAnswers200() throws Exception {
        HttpResponse<String> response = get("health", "application/json");
        assertEquals(200, response.statusCode());
        assertEquals("UP", json.readTree(response.body()).path("status").asText());
    }

    @Test
    void readyFollowsRedisDownAndBackUp() throws Exception {
        HttpResponse<String> up = get("ready", "application/json");
        assertEquals(200, up.statusCode(), up.body());

        redis.stop();
        try {
            HttpResponse<String> down = get("ready", "application/json");
            assertEquals(503, down.statusCode());
            assertEquals("application/problem+json", down.headers().firstValue("Content-Type").orElse(""));
            assertTrue(down.headers().firstValue("Retry-After").isPresent());
            JsonNode problem = json.readTree(down.body());
            assertEquals(503, problem.path("status").asInt());
            assertTrue(problem.path("detail").asText().contains("redis 127.0.0.1:" + redis.port()),
                    problem.toString());
        } finally {
            redis.start();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status;
        do {
            status = get("ready", "application/json").statusCode();
        } while (status != 200 && System.nanoTime() < deadline && sleep());
        assertEquals(200, status, "the gateway did not recover within 10 s of Redis returning");
    }

    /** Every path is now forwarded by route, so a container-made error is a wrong method on a gateway endpoint. */
    @Test
    void containerErrorsAreProblemJsonForApisAndHtmlForBrowsers() throws Exception {
        HttpResponse<String> api = send("POST", "health", "application/json");
        assertEquals(405, api.statusCode());
        assertEquals("application/problem+json", api.headers().firstValue("Content-Type").orElse(""));
        JsonNode problem = json.readTree(api.body());
        assertEquals("urn:renku-gateway:problem:method-not-allowed", problem.path("type").asText());
        assertTrue(problem.path("detail").asText().contains("/health"), problem.toString());

        HttpResponse<String> browser = send("POST", "health", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertEquals(405, browser.statusCode());
        assertTrue(browser.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(browser.body().contains("is not allowed on /health"), browser.body());
        assertTrue(!browser.body().contains("Exception") && !browser.body().contains("Tomcat"), browser.body());
    }

    @Test
    void dataServiceRouteReachesTheUpstream() throws Exception {
        HttpResponse<String> response = get("api/data/projects?page=2", "application/json");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode echo = json.readTree(response.body());
        assertEquals("GET", echo.path("method").asText());
        assertEquals("/api/data/projects", echo.path("path").asText());
        assertEquals("page=2", echo.path("query").asText());
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        return send("GET", path, accept);
    }

    private HttpResponse<String> send(String method, String path, String accept) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                .header("Accept", accept).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
