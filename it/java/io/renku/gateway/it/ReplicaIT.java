package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.KeycloakExtension;
import io.renku.gateway.harness.LoadLoop;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.RedisProcess;
import io.renku.gateway.harness.Replicas;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.Jedis;

/**
 * Two gateway replicas (two Tomcats of their own, {@link Replicas}) over one standalone Redis with persistence on,
 * logging in at the run's real Keycloak. They act as one: a session, a logout, a back-channel logout, a token
 * refresh and a login half-done on one are seen by the other at once, and the refresh lock holds across them. Then
 * the drills: Redis slow ({@code DEBUG SLEEP}) and Redis restarted under a loop of 3 000 session requests.
 *
 * <p>Both replicas run with {@code login.tokenRefreshSkewSeconds=290} against the realm's 300 s access tokens: a
 * token is due 10 s after it was issued.
 */
@ExtendWith(KeycloakExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaIT {
    static final int REDIS_TIMEOUT_MILLIS = 1000;
    static RedisProcess redis;
    static EchoUpstream echo;
    static Replicas replicas;
    static ReplicaChecks checks;

    @BeforeAll
    static void startReplicas() {
        int redisPort = Ports.free();
        redis = RedisProcess.start(redisPort, Path.of(System.getProperty("it.work.dir", "target/it-work"),
                "replica-redis-" + redisPort));
        echo = EchoUpstream.start(Ports.free());
        int portA = Ports.free();
        Map<String, String> settings = Replicas.sharedSettings("http://127.0.0.1:" + portA, echo.url());
        settings.put("redis.addresses", redis.address());
        settings.put("redis.timeoutMillis", Integer.toString(REDIS_TIMEOUT_MILLIS));
        settings.put("login.tokenRefreshSkewSeconds", "290");
        replicas = Replicas.start("replica", List.of(portA, Ports.free()), settings);
        checks = new ReplicaChecks(replicas);
    }

    @AfterAll
    static void stopReplicas() {
        try (RedisProcess r = redis; EchoUpstream e = echo) {
            if (replicas != null) {
                replicas.close();
            }
        }
    }

    @Test
    @Order(1)
    void aSessionMadeOnAIsServedByB() {
        checks.sessionMadeOnAIsServedByB();
    }

    @Test
    @Order(2)
    void logoutOnAIsEffectiveOnBAtOnce() {
        checks.logoutOnAIsEffectiveOnBAtOnce();
    }

    @Test
    @Order(3)
    void aLoginStartedOnAFinishesOnB() throws Exception {
        checks.loginStartedOnAFinishedOnB();
    }

    @Test
    @Order(4)
    void backChannelLogoutToAIsEffectiveOnBoth() throws Exception {
        checks.backChannelLogoutToAIsEffectiveOnBoth();
    }

    @Test
    @Order(5)
    void aRefreshOnAIsInjectedByBAndConcurrentRefreshesAcrossReplicasReachKeycloakOnce() throws Exception {
        checks.refreshOnAIsInjectedByBAndConcurrentRefreshesReachKeycloakOnce("standalone");
    }

    @Test
    @Order(6)
    void aSlowRedisIsAnsweredWithinTheTimeoutNeverAHang() throws Exception {
        String session = checks.logInOnA();
        assertEquals(200, checks.b().get("api/auth/user", "Cookie", session).statusCode());
        Thread sleeper = new Thread(() -> {
            try (Jedis admin = new Jedis("127.0.0.1", redis.port(), 10_000)) {
                ProtocolCommand debug = () -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                admin.sendCommand(debug, "SLEEP", "4");
            }
        });
        sleeper.start();
        Thread.sleep(200);
        // even requests: a session on both replicas (a near cache may answer these without Redis); odd requests: a
        // login start, which must write its state to Redis
        String login = "api/auth/login?redirect_url=" + java.net.URLEncoder.encode(replicas.url(0) + "x",
                java.nio.charset.StandardCharsets.UTF_8);
        // (a login start replaces the caller's session, so it goes without the cookie)
        LoadLoop loop = new LoadLoop(60, 8, 2, 50, Duration.ofSeconds(15), n -> n % 2 == 0
                ? LoadLoop.get(replicas.url((n / 2) % 2) + "api/auth/user", "Cookie", session)
                : LoadLoop.get(replicas.url((n / 2) % 2) + login));
        long fault = System.nanoTime();
        List<LoadLoop.Outcome> outcomes = loop.finish(Duration.ofSeconds(60));
        sleeper.join(10_000);
        ReplicaChecks.summary("Redis slow (DEBUG SLEEP 4 s, redis.timeoutMillis " + REDIS_TIMEOUT_MILLIS + ")",
                outcomes, fault);
        for (LoadLoop.Outcome o : outcomes) {
            assertTrue(o.status() == 200 || o.status() == 302 || o.status() == 503, o.status() + ": " + o.body());
            assertTrue(o.status() != 503 || o.retryAfter(), "a 503 without Retry-After");
        }
        long bound = 2L * REDIS_TIMEOUT_MILLIS + 1500; // a pool wait and a command, each within the timeout
        assertTrue(LoadLoop.slowestMillis(outcomes) <= bound, "an answer took " + LoadLoop.slowestMillis(outcomes)
                + " ms, more than " + bound);
        assertTrue(outcomes.stream().anyMatch(o -> o.target() == 1 && o.status() == 503),
                "Redis was asleep, yet every login start succeeded");
        assertEquals(200, checks.a().get("api/auth/user", "Cookie", session).statusCode(), "the session survived");
        assertEquals(200, checks.b().get("api/auth/user", "Cookie", session).statusCode());
    }

    @Test
    @Order(7)
    void redisRestartedUnderLoadLosesNoSessionAndServesAgainWithinTwoSeconds() throws Exception {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(checks.logInOnA());
        }
        int total = 3000;
        LoadLoop loop = new LoadLoop(total, 6, 2, 5, Duration.ofSeconds(15), n -> LoadLoop.get(
                replicas.url(n % 2) + "api/auth/user", "Cookie", sessions.get((n / 2) % sessions.size())));
        loop.awaitDone(total / 4, Duration.ofSeconds(60));
        long stopped = System.nanoTime();
        redis.stop();
        Thread.sleep(2000);
        redis.start(); // returns once redis-server accepts connections
        long up = System.nanoTime();
        List<LoadLoop.Outcome> outcomes = loop.finish(Duration.ofSeconds(120));
        String line = ReplicaChecks.summary("Redis restarted (down " + (up - stopped) / 1_000_000 + " ms)",
                outcomes, stopped);
        ReplicaChecks.assertNoServerErrorsBut503(outcomes);
        long lastFailure = outcomes.stream().filter(o -> o.status() != 200).mapToLong(LoadLoop.Outcome::doneNanos)
                .max().orElse(up);
        long firstFailure = outcomes.stream().filter(o -> o.status() != 200).mapToLong(LoadLoop.Outcome::doneNanos)
                .min().orElse(stopped);
        long recovered = outcomes.stream().filter(o -> o.status() == 200 && o.sentNanos() > stopped)
                .mapToLong(LoadLoop.Outcome::doneNanos).filter(t -> t > lastFailure).min().orElse(-1);
        System.out.println("[drill] Redis restart: last 503 " + (lastFailure - up) / 1_000_000
                + " ms after Redis answered again; first 200 after that " + (recovered - up) / 1_000_000 + " ms");
        assertTrue(outcomes.stream().anyMatch(o -> o.status() == 503), "Redis was down, yet nothing failed: " + line);
        assertTrue(firstFailure >= stopped, "a request failed before Redis was stopped");
        assertTrue(lastFailure - up <= 2_000_000_000L, "503s went on for more than 2 s after Redis answered: "
                + (lastFailure - up) / 1_000_000 + " ms");
        assertTrue(recovered > 0, "no request succeeded after the restart");
        assertTrue(outcomes.get(outcomes.size() - 1).status() == 200, "the loop ended serving");
        for (String session : sessions) {
            assertEquals(200, checks.a().get("api/auth/user", "Cookie", session).statusCode(), "a session was lost");
            assertEquals(200, checks.b().get("api/auth/user", "Cookie", session).statusCode(), "a session was lost");
        }
        // after the restart, a change on A is still seen by B at once (whatever B held was dropped or invalidated)
        checks.logoutOnAIsEffectiveOnBAtOnce();
        HttpResponse<String> fresh = checks.b().get("api/auth/user", "Cookie", sessions.get(0));
        assertEquals(200, fresh.statusCode(), fresh.body());
    }
}
