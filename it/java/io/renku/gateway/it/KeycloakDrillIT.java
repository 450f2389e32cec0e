package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakAdmin;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.KeycloakProcess;
import io.renku.gateway.harness.LoadLoop;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.RedisProcess;
import io.renku.gateway.harness.Replicas;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keycloak stopped and started again, on a Keycloak of the drill's own (a copy of the unpacked server, its own
 * database and ports), whose renku realm issues 30 s access tokens; the gateway refreshes 20 s before expiry. While
 * Keycloak is down: a logged-in session keeps proxying with its token (also once the token is due and the refresh
 * fails), and is a 503 with {@code Retry-After} once the token has expired; a login finishing during the outage gets
 * a clear 502 page; {@code /ready} names the provider. When Keycloak is back (same database), the session's token is
 * refreshed, {@code /ready} is 200 and a new login works.
 */
class KeycloakDrillIT {
    static final int LIFESPAN = 30;
    static KeycloakProcess keycloak;
    static RedisProcess redis;
    static EchoUpstream echo;
    static Replicas gateway;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        Path work = Path.of(System.getProperty("it.work.dir", "target/it-work"));
        Path home = work.resolve("keycloak-drill-home");
        copyHome(Path.of(System.getProperty("it.keycloak.home")), home);
        keycloak = KeycloakProcess.start(home, Ports.free(), Ports.free(),
                Path.of(System.getProperty("it.server.config")).resolve("keycloak"),
                work.resolve("keycloak-drill.log"), KeycloakProcess.DEFAULT_START_TIMEOUT,
                line -> System.out.println("[keycloak-drill] " + line)).stopOnJvmExit();
        new KeycloakAdmin(keycloak.baseUrl()).setAccessTokenLifespan("renku", LIFESPAN);
        int redisPort = Ports.free();
        redis = RedisProcess.start(redisPort, work.resolve("keycloak-drill-redis-" + redisPort));
        echo = EchoUpstream.start(Ports.free());
        int port = Ports.free();
        Map<String, String> settings = Replicas.sharedSettings("http://127.0.0.1:" + port, echo.url(),
                keycloak.baseUrl());
        settings.put("redis.addresses", redis.address());
        settings.put("login.tokenRefreshSkewSeconds", "20");
        gateway = Replicas.start("keycloak-drill", List.of(port), settings);
        http = new Http(gateway.url(0));
    }

    @AfterAll
    static void stop() {
        try (RedisProcess r = redis; EchoUpstream e = echo) {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            if (keycloak != null) {
                keycloak.close();
            }
        }
    }

    @Test
    void sessionsOutliveAKeycloakOutageUntilTheirTokensExpireAndEverythingRecovers() throws Exception {
        String base = gateway.url(0).toString();
        String session = new KeycloakBrowser().logInThroughGateway(http, gateway.url(0), base + "projects",
                keycloak.baseUrl());
        String first = ReplicaChecks.token(http, session);
        // the token's own expiry (issued before the GitLab step of the chain), on this JVM's nanosecond clock
        long exp = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.util.Base64.getUrlDecoder()
                .decode(first.substring("Bearer ".length()).split("\\.")[1])).path("exp").asLong();
        long expiry = System.nanoTime() + (exp * 1000 - System.currentTimeMillis()) * 1_000_000L;
        assertEquals(200, http.get("ready").statusCode(), "ready before the outage");
        // a second login, left at Keycloak's answer: its callback comes back while Keycloak is down
        KeycloakBrowser late = new KeycloakBrowser();
        HttpResponse<String> start = http.get("api/auth/login?redirect_url="
                + URLEncoder.encode(base + "projects", StandardCharsets.UTF_8));
        String lateCookie = KeycloakBrowser.cookie(start, null);
        String callback = late.logIn(KeycloakBrowser.location(start));

        keycloak.close();
        long stopped = System.nanoTime();

        HttpResponse<String> finishing = http.get(KeycloakBrowser.relative(gateway.url(0), callback),
                "Cookie", lateCookie, "Accept", "text/html");
        System.out.println("[drill] Keycloak stopped: a login finishing now gets " + finishing.statusCode() + " "
                + finishing.headers().firstValue("Content-Type").orElse(""));
        assertEquals(502, finishing.statusCode(), finishing.body());
        assertTrue(finishing.body().contains("renku"), "the page names the provider: " + finishing.body());
        // /ready asks the provider again at most every 5 s (the discovery retry delay)
        HttpResponse<String> ready = http.get("ready");
        for (int i = 0; i < 100 && !(ready.statusCode() == 503 && ready.body().contains("login provider renku"));
                i++) {
            Thread.sleep(100);
            ready = http.get("ready");
        }
        System.out.println("[drill] Keycloak stopped: /ready " + ready.statusCode() + " after "
                + (System.nanoTime() - stopped) / 1_000_000 + " ms: " + ready.body());
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("login provider renku"), "/ready names the provider: " + ready.body());
        assertEquals(first, ReplicaChecks.token(http, session), "the session proxies with its token");

        sleepUntil(expiry, -20 + 2); // the token is due: the refresh fails, the token is still valid
        assertEquals(first, ReplicaChecks.token(http, session), "the still-valid token went on being used");

        // a loop over the rest of the token's life and past its expiry: 200 before, 503 with Retry-After after
        LoadLoop loop = new LoadLoop(1500, 2, 1, 5, Duration.ofSeconds(15), n -> LoadLoop.get(
                base + "api/data/during-outage", "Cookie", session));
        List<LoadLoop.Outcome> outcomes = loop.finish(Duration.ofSeconds(120));
        ReplicaChecks.summary("Keycloak stopped (the token due " + (expiry - 20_000_000_000L - stopped) / 1_000_000
                + " ms and expired " + (expiry - stopped) / 1_000_000 + " ms after the stop)", outcomes, stopped);
        for (LoadLoop.Outcome o : outcomes) {
            assertTrue(o.status() == 200 || o.status() == 503, o.status() + ": " + o.body());
            if (o.doneNanos() < expiry - 2_000_000_000L) {
                assertEquals(200, o.status(), "a still-valid session stopped proxying: " + o.body());
            }
            if (o.sentNanos() > expiry + 2_000_000_000L) {
                assertEquals(503, o.status(), "an expired token was used: " + o.body());
            }
            if (o.status() == 503) {
                assertTrue(o.retryAfter(), "a 503 without Retry-After");
                assertTrue(o.body().contains("cannot be reached"), o.body());
            }
        }

        sleepUntil(expiry, 3); // the token has expired and cannot be refreshed
        HttpResponse<String> expired = http.get("api/data/after-expiry", "Cookie", session);
        System.out.println("[drill] Keycloak stopped, token expired: " + expired.statusCode() + " Retry-After "
                + expired.headers().firstValue("Retry-After").orElse("-"));
        assertEquals(503, expired.statusCode(), expired.body());
        assertTrue(expired.headers().firstValue("Retry-After").isPresent());

        long restarting = System.nanoTime();
        keycloak = KeycloakProcess.restart(keycloak, KeycloakProcess.DEFAULT_START_TIMEOUT,
                line -> System.out.println("[keycloak-drill] " + line)).stopOnJvmExit();
        long back = System.nanoTime();
        String renewed = ReplicaChecks.token(http, session);
        long served = System.nanoTime();
        assertNotEquals(first, renewed, "the session's token was refreshed once Keycloak was back");
        int readyAgain = 0;
        for (int i = 0; i < 100 && readyAgain != 200; i++) {
            readyAgain = http.get("ready").statusCode();
            if (readyAgain != 200) {
                Thread.sleep(100);
            }
        }
        assertEquals(200, readyAgain, "/ready once Keycloak is back");
        String again = new KeycloakBrowser().logInThroughGateway(http, gateway.url(0), base + "projects",
                keycloak.baseUrl());
        assertEquals(200, http.get("api/auth/user", "Cookie", again).statusCode(), "a new login works");
        System.out.println("[drill] Keycloak back after a " + (back - restarting) / 1_000_000 + " ms start: the "
                + "session was served with a refreshed token " + (served - back) / 1_000_000 + " ms later");
    }

    /** Sleeps until {@code seconds} (may be negative) after the nanosecond instant {@code fromNanos}. */
    private static void sleepUntil(long fromNanos, int seconds) throws InterruptedException {
        long wait = fromNanos + seconds * 1_000_000_000L - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
        }
    }

    /** The unpacked Keycloak without its database, so the drill's server is a Keycloak of its own. */
    private static void copyHome(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path relative = from.relativize(path);
                if (relative.startsWith("data")) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
