package io.renku.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Meter names and labels as Prometheus shows them; the shipped alert rules name only meters that exist. */
class GatewayMetricsTest {
    private static String scrapeAfterOneOfEach() {
        GatewayMetrics metrics = GatewayMetrics.prometheus();
        metrics.request("/api/data", "GET", 200, 1_000_000);
        metrics.upstream("/api/data", 500_000);
        metrics.upstreamError("/", "bad-gateway");
        metrics.sessionStore("redis", "read", false, 100_000);
        metrics.sessionLookup("store");
        metrics.login("renku", "success");
        metrics.refresh("renku", "failed");
        metrics.backchannelLogout("accepted", 2);
        metrics.decision("edge", true);
        metrics.rateLimit("failopen");
        return metrics.scrape();
    }

    @Test
    void everyMetricTheShippedAlertRulesUseExists() throws Exception {
        String rules = Files.readString(Path.of("server-config/prometheus/renku-gateway-alerts.yml"));
        Matcher names = Pattern.compile("gateway_[a-z_]+").matcher(rules);
        Set<String> used = new TreeSet<>();
        while (names.find()) {
            used.add(names.group());
        }
        assertTrue(used.size() >= 6, used.toString());
        String scrape = scrapeAfterOneOfEach();
        for (String name : used) {
            assertTrue(scrape.contains("\n" + name + "{") || scrape.contains("\n" + name + " "),
                    name + " is not on /metrics");
        }
    }

    @Test
    void requestsAreAHistogramWithLowCardinalityLabels() {
        String scrape = scrapeAfterOneOfEach();
        assertTrue(scrape.contains("# TYPE gateway_requests_seconds histogram"), scrape);
        assertTrue(scrape.contains("gateway_requests_seconds_count{method=\"read\",route=\"/api/data\",status=\"2xx\"} 1"),
                scrape);
        assertTrue(scrape.contains("gateway_backchannel_sessions_ended_total 2.0"), scrape);
        assertTrue(scrape.contains("jvm_memory_used_bytes"), "JVM meters are bound");
    }

    @ParameterizedTest
    @CsvSource({"GET,read", "HEAD,read", "OPTIONS,read", "POST,write", "DELETE,write", "PROPFIND,other"})
    void methodsAreClassified(String method, String kind) {
        assertEquals(kind, GatewayMetrics.methodClass(method));
    }

    @ParameterizedTest
    @CsvSource({"200,2xx", "302,3xx", "404,4xx", "503,5xx", "99,other", "600,other"})
    void statusesAreClassified(int status, String kind) {
        assertEquals(kind, GatewayMetrics.statusClass(status));
    }
}
