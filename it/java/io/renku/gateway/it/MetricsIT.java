package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} on the deployed WAR after known traffic: each kind of request moves the counter it should, by at
 * least the number of requests sent (other test classes share the container, so counts are compared before and
 * after), labels stay low-cardinality (no path with ids), and the JVM, pool and store meters are there.
 */
@GatewayIT
class MetricsIT {
    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void trafficIsCountedByRouteMethodClassAndStatusClass() {
        Http http = new Http(base);
        String before = scrape(http);
        for (int i = 0; i < 7; i++) {
            assertEquals(200, http.get("api/data/projects/" + i + "/files").statusCode());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(502, http.get("some/ui/page", "Accept", "application/json").statusCode());
        }
        assertEquals(401, http.get("api/auth/user").statusCode());
        assertEquals(400, http.postForm("api/auth/backchannel-logout", "logout_token=x").statusCode());
        String after = scrape(http);

        String proxied = "gateway_requests_seconds_count{method=\"read\",route=\"/api/data\",status=\"2xx\"}";
        assertTrue(value(after, proxied) - value(before, proxied) >= 7, after);
        String failed = "gateway_requests_seconds_count{method=\"read\",route=\"/\",status=\"5xx\"}";
        assertTrue(value(after, failed) - value(before, failed) >= 3, after);
        String refused = "gateway_upstream_errors_total{kind=\"bad-gateway\",route=\"/\"}";
        assertTrue(value(after, refused) - value(before, refused) >= 3, after);
        String auth = "gateway_requests_seconds_count{method=\"read\",route=\"/api/auth\",status=\"4xx\"}";
        assertTrue(value(after, auth) - value(before, auth) >= 1, after);
        String backchannel = "gateway_backchannel_logouts_total{outcome=\"refused\"}";
        assertTrue(value(after, backchannel) - value(before, backchannel) >= 1, after);
        String upstream = "gateway_upstream_requests_seconds_count{route=\"/api/data\"}";
        assertTrue(value(after, upstream) - value(before, upstream) >= 7, after);

        assertTrue(after.contains("gateway_requests_seconds_bucket{method=\"read\",route=\"/api/data\",status=\"2xx\","
                + "le=\"0.1\"}"), "latency histogram buckets");
        // anonymous traffic never asks the session store (its id is a signed cookie), so no store timing here yet;
        // the near cache's meters are there from the start
        assertTrue(after.contains("gateway_session_nearcache_total{result=\"hit\"") && after.contains(
                "gateway_session_nearcache_total{result=\"miss\"") && after.contains("gateway_session_nearcache_size ")
                && after.contains("gateway_session_nearcache_live "), "near cache meters");
        assertTrue(after.contains("gateway_upstream_pool_max "), "HttpClient pool gauges");
        assertTrue(after.contains("jvm_memory_used_bytes{"), "JVM meters");
        if (!"wildfly".equals(System.getProperty("arquillian.launch"))) {
            assertTrue(after.contains("tomcat_threads_busy_threads"), "Tomcat thread-pool gauges");
        }
        assertTrue(after.contains("# TYPE gateway_requests_seconds histogram"), after);
        assertFalse(after.contains("projects/3"), "a path with an id became a label");
    }

    @Test
    void metricsAreNotSentToBrowsersAndNeedNoSession() {
        HttpResponse<String> response = new Http(base).get("metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty(), "a scrape created a session");
    }

    private static String scrape(Http http) {
        HttpResponse<String> response = http.get("metrics");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The sample's value, or 0 when the series does not exist yet. */
    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
