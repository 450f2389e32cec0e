package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.ZeroStream;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.MemoryMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy on the deployed WAR, against the echo upstream that reports what it received (arquillian.xml points the
 * data service and Keycloak at it, and the UI server at a closed port). One row per route and caller kind; every row
 * checks the forwarded path and the headers that must and must not arrive.
 */
@GatewayIT
class ProxyIT {
    private static final Map<String, String> SPOOFED = spoofed();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private EchoUpstream echo;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    private static Map<String, String> spoofed() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Renku-Auth-Refresh-Token", "forged");
        h.put("Renku-Auth-Anon-Id", "anon-forged");
        h.put("Gitlab-Access-Token", "forged");
        h.put("Gitlab-Access-Token-Expires-At", "1");
        h.put("X-Forwarded-For", "6.6.6.6");
        h.put("X-Forwarded-Host", "evil.example");
        h.put("X-Forwarded-Proto", "https");
        h.put("Forwarded", "for=6.6.6.6");
        h.put("Cookie", "_renku_session=stolen; other=1");
        return h;
    }

    static Stream<Arguments> routes() {
        // path, upstream path, whether the route gives anonymous callers their Renku-Auth-Anon-Id
        Object[][] rows = {
            {"api/data/projects?page=2", "/api/data/projects", true},
            {"api/notebooks/servers", "/api/data/notebooks/servers", true},
            {"api/kc/realms/renku/account", "/realms/renku/account", false},
            {"ui-server/api/data/projects", "/api/data/projects", true},
            {"ui-server/api/notebooks/servers/s1", "/api/data/notebooks/servers/s1", true},
            {"ui-server/api/kc/realms/renku", "/realms/renku", false},
        };
        return Stream.of(rows).flatMap(r -> Stream.of(Arguments.of(r[0], r[1], "anonymous", r[2]),
                Arguments.of(r[0], r[1], "spoofed", r[2])));
    }

    @ParameterizedTest(name = "{0} as {2} reaches {1}")
    @MethodSource("routes")
    void routeForwardsPathAndOnlyGatewayHeaders(String path, String upstreamPath, String caller, boolean anonId)
            throws Exception {
        HttpRequest.Builder request = request(path);
        if (caller.equals("spoofed")) {
            SPOOFED.forEach(request::header);
        }
        HttpResponse<String> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode echoed = json.readTree(response.body());
        assertEquals(upstreamPath, echoed.path("path").asText());
        JsonNode headers = echoed.path("headers");
        for (String forbidden : new String[] {"authorization", "renku-auth-refresh-token",
            "gitlab-access-token", "gitlab-access-token-expires-at", "forwarded"}) {
            assertTrue(headers.path(forbidden).isMissingNode(), forbidden + " reached the upstream: " + headers);
        }
        if (anonId) {
            String id = headers.path("renku-auth-anon-id").asText();
            assertTrue(id.matches("anon-[A-Za-z0-9_-]{22}"), "the gateway's own anonymous id, not the client's: " + id);
        } else {
            assertTrue(headers.path("renku-auth-anon-id").isMissingNode(), "anon id reached a non-Renku route");
        }
        assertEquals("127.0.0.1", headers.path("x-forwarded-for").asText());
        assertEquals("http", headers.path("x-forwarded-proto").asText());
        assertEquals(base.getHost() + ":" + base.getPort(), headers.path("x-forwarded-host").asText());
        assertEquals(response.headers().firstValue("X-Request-Id").orElseThrow(),
                headers.path("x-request-id").asText());
        if (caller.equals("spoofed")) {
            assertEquals("other=1", headers.path("cookie").asText(), "only the gateway's cookie is removed");
        }
    }

    @Test
    void encodedPathAndQueryReachTheUpstreamUnchanged() throws Exception {
        JsonNode echoed = getJson("api/data/a%2Fb/c%20d/%C3%A9?q=%26x&r=%2F");
        assertEquals("/api/data/a%2Fb/c%20d/%C3%A9", echoed.path("path").asText());
        assertEquals("q=%26x&r=%2F", echoed.path("query").asText());
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"/api/data/%2e%2e/kc/x", "/api/data/%2E./kc/x", "/api/data/.%2e/x",
        "/api/data/a%2F..%2Fb", "/api/data/a%5Cb", "/api/data/..%5Ckc", "/api/data/../kc/x", "/api/data/./x",
        "/api/data/..;/kc/x"})
    void dotSegmentsAndBackslashesAreRefusedWithoutReachingTheUpstream(String rawPath) throws Exception {
        long before = echo.requestCount();
        RawHttp.Response response = rawRequest("GET " + rawPath + " HTTP/1.1\r\nHost: " + base.getHost() + ":"
                + base.getPort() + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
        assertEquals(400, response.status(), response.text());
        assertEquals(before, echo.requestCount(), "the upstream was reached");
    }

    @Test
    void dotSegmentsThatReachTheGatewayGetAProblem() throws Exception {
        RawHttp.Response response = rawRequest("GET /api/data/%2e%2e/kc/x HTTP/1.1\r\nHost: localhost\r\n"
                + "Accept: application/json\r\nConnection: close\r\n\r\n");
        assertEquals(400, response.status());
        assertTrue(response.text().contains("application/problem+json"), response.text());
        assertTrue(response.text().contains("Dot segments"), response.text());
    }

    @ParameterizedTest(name = "{0} is 404 without reaching the upstream")
    @ValueSource(strings = {"api/data/user/secret_key", "api/data/user/secret%5Fkey", "api/data//user/secret_key",
        "ui-server/api/data/user/secret_key"})
    void secretKeyRouteIsDenied(String path) throws Exception {
        long before = echo.requestCount();
        HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(before, echo.requestCount(), "the upstream was reached");
    }

    @Test
    void headersNamedInConnectionAreNotForwarded() throws Exception {
        RawHttp.Response response = rawRequest("GET /api/data/hop HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close, X-Hop\r\nX-Hop: secret\r\nX-Kept: yes\r\n\r\n");
        assertEquals(200, response.status(), response.text());
        String body = response.text().toLowerCase(Locale.ROOT);
        assertFalse(body.contains("x-hop"), body);
        assertTrue(body.contains("\"x-kept\" : \"yes\""), body);
    }

    @Test
    void upstreamCookiesPassExceptTheGatewaysOwn() throws Exception {
        // a Keycloak route: it gives no anonymous id, so the gateway sets no cookie of its own here
        HttpResponse<String> response = http.send(request("api/kc/c?setCookie=other%3D1%3B%20Path%3D%2F%3B%20"
                + "SameSite%3DLax&setCookie=_renku_session%3Devil%3B%20Path%3D%2F").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(java.util.List.of("other=1; Path=/; SameSite=Lax"), response.headers().allValues("Set-Cookie"));
    }

    @Test
    void forgedBearerTokenIs401AndNeverReachesTheUpstream() throws Exception {
        long before = echo.requestCount();
        HttpResponse<String> response = http.send(request("api/data/projects").header("Authorization",
                "Bearer forged").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
        assertEquals(before, echo.requestCount(), "the upstream was reached");
    }

    @Test
    void refusedUpstreamIs502ProblemJson() throws Exception {
        HttpResponse<String> response = http.send(request("projects/1").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("urn:renku-gateway:problem:bad-gateway", json.readTree(response.body()).path("type").asText());
    }

    @Test
    void slowUpstreamIs504ProblemJson() throws Exception {
        HttpResponse<String> response = http.send(request("api/data/slow?sleepMillis=4000").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(504, response.statusCode(), response.body());
        assertEquals("urn:renku-gateway:problem:gateway-timeout",
                json.readTree(response.body()).path("type").asText());
    }

    @Test
    void hundredMebibytesStreamBothWaysWithBoundedHeap() throws Exception {
        long size = 100L * 1024 * 1024;
        try (HeapWatch heap = HeapWatch.start()) {
            HttpRequest upload = request("api/data/upload").expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ZeroStream(size)), size)).build();
            HttpResponse<String> up = http.send(upload, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            assertEquals(size, json.readTree(up.body()).path("bodyBytes").asLong());

            HttpResponse<InputStream> down = http.send(request("api/data/download?downloadBytes=" + size).GET()
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, down.statusCode());
            long received = 0;
            try (InputStream in = down.body()) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received += n;
                }
            }
            assertEquals(size, received);
            long growth = heap.peakGrowth();
            System.out.printf("ProxyIT: 2 x 100 MiB streamed; gateway heap peak growth %d MiB%n", growth >> 20);
            if (growth >= 0) {
                assertTrue(growth < 64L * 1024 * 1024, "gateway heap grew by " + (growth >> 20) + " MiB");
            }
        }
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60));
    }

    private RawHttp.Response rawRequest(String request) throws IOException {
        return RawHttp.send(base, request);
    }

    /**
     * The gateway JVM's used heap over JMX (the port the harness gave Tomcat), sampled every 20 ms after a full GC:
     * the peak minus the start. -1 when JMX cannot be reached.
     */
    private static final class HeapWatch implements AutoCloseable {
        private final JMXConnector connector;
        private final MemoryMXBean memory;
        private final long baseline;
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;

        private HeapWatch(JMXConnector connector, MemoryMXBean memory) {
            this.connector = connector;
            this.memory = memory;
            memory.gc();
            this.baseline = memory.getHeapMemoryUsage().getUsed();
            this.sampler = new Thread(this::sample, "heap-watch");
            sampler.setDaemon(true);
            sampler.start();
        }

        static HeapWatch start() {
            try {
                JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(
                        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + System.getProperty("it.tomcat.jmxPort")
                                + "/jmxrmi"));
                MBeanServerConnection server = connector.getMBeanServerConnection();
                return new HeapWatch(connector, ManagementFactory.newPlatformMXBeanProxy(server,
                        ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class));
            } catch (IOException | RuntimeException e) {
                System.out.println("ProxyIT: heap not measured, JMX unavailable: " + e);
                return new HeapWatch();
            }
        }

        private HeapWatch() {
            this.connector = null;
            this.memory = null;
            this.baseline = 0;
            this.peak.set(-1);
            this.sampler = null;
        }

        private void sample() {
            while (running.get()) {
                try {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    return;
                }
            }
        }

        long peakGrowth() {
            return memory == null ? -1 : Math.max(0, peak.get() - baseline);
        }

        @Override
        public void close() throws IOException {
            running.set(false);
            if (connector != null) {
                connector.close();
            }
        }
    }
}
