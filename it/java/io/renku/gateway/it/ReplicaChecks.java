package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakAdmin;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.LoadLoop;
import io.renku.gateway.harness.PasswordGrant;
import io.renku.gateway.harness.Replicas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the replica ITs check on every Redis topology, always on two replicas (A and B) that share only Redis. To
 * catch a replica serving a stale copy of a session (a near cache that missed an invalidation), B is always asked
 * with the cookie first, so it holds the session, before A changes it; then B is asked right after A's change was
 * acknowledged, without waiting.
 */
final class ReplicaChecks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Replicas replicas;
    private final Http a;
    private final Http b;

    ReplicaChecks(Replicas replicas) {
        this.replicas = replicas;
        this.a = new Http(replicas.url(0));
        this.b = new Http(replicas.url(1));
    }

    Http a() {
        return a;
    }

    Http b() {
        return b;
    }

    /** Logs the demo user in through A (the public base URL is A's); returns the session cookie header. */
    String logInOnA() {
        try {
            return new KeycloakBrowser().logInThroughGateway(a, replicas.url(0), replicas.url(0) + "projects");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A session made on A is served by B: the same user, and B injects the session's token upstream. */
    String sessionMadeOnAIsServedByB() {
        String session = logInOnA();
        HttpResponse<String> onA = a.get("api/auth/user", "Cookie", session);
        assertEquals(200, onA.statusCode(), onA.body());
        HttpResponse<String> onB = b.get("api/auth/user", "Cookie", session);
        assertEquals(200, onB.statusCode(), "B serves the session made on A: " + onB.body());
        assertEquals(field(onA, "sub"), field(onB, "sub"));
        assertEquals(token(a, session), token(b, session), "both replicas inject the session's one token");
        return session;
    }

    /** Logout on A; the same cookie, already warm on B, is 401 on B at once. */
    void logoutOnAIsEffectiveOnBAtOnce() {
        String session = logInOnA();
        assertEquals(200, b.get("api/auth/user", "Cookie", session).statusCode(), "B warmed with the session");
        assertTrue(token(b, session).startsWith("Bearer "));
        HttpResponse<String> logout = a.get("api/auth/logout?redirect_url="
                + URLEncoder.encode(replicas.url(0) + "bye", StandardCharsets.UTF_8), "Cookie", session);
        assertEquals(302, logout.statusCode(), logout.body());
        HttpResponse<String> onB = b.get("api/auth/user", "Cookie", session);
        assertEquals(401, onB.statusCode(), "B still served a session logged out on A: " + onB.body());
        JsonNode proxied = echoed(b.get("api/data/x", "Cookie", session));
        assertTrue(proxied.path("authorization").isMissingNode(), "B injected a logged-out session's token");
        assertEquals(401, a.get("api/auth/user", "Cookie", session).statusCode());
    }

    /** A login started on A (state stored by A) and finished on B (callbacks taken by B) gives a working session. */
    void loginStartedOnAFinishedOnB() throws IOException, InterruptedException {
        KeycloakBrowser keycloak = new KeycloakBrowser();
        String base = replicas.url(0).toString();
        HttpResponse<String> step = a.get("api/auth/login?redirect_url="
                + URLEncoder.encode(base + "projects", StandardCharsets.UTF_8));
        String cookie = KeycloakBrowser.cookie(step, null);
        int callbacksOnB = 0;
        for (int i = 0; i < 5; i++) {
            assertEquals(302, step.statusCode(), step.body());
            String next = KeycloakBrowser.location(step);
            if (!next.startsWith(PasswordGrant.keycloakUrl())) {
                assertEquals(base + "projects", next, "the login ends at its target");
                break;
            }
            String callback = keycloak.logIn(next);
            assertTrue(callback.startsWith(base), callback);
            // the load balancer sends the callback to the other replica
            step = b.get(callback.substring(base.length()), "Cookie", cookie);
            callbacksOnB++;
            cookie = KeycloakBrowser.cookie(step, cookie);
        }
        assertTrue(callbacksOnB >= 1, "no callback was taken by B");
        HttpResponse<String> onA = a.get("api/auth/user", "Cookie", cookie);
        assertEquals(200, onA.statusCode(), "the session finished on B works on A: " + onA.body());
        assertEquals(200, b.get("api/auth/user", "Cookie", cookie).statusCode());
    }

    /** Keycloak ends the user's sessions and calls A's back-channel endpoint: the cookie is 401 on both. */
    void backChannelLogoutToAIsEffectiveOnBoth() throws InterruptedException {
        new KeycloakAdmin().setBackchannelLogoutUrl("renku", "renku", replicas.url(0) + "api/auth/backchannel-logout");
        String session = logInOnA();
        assertEquals(200, a.get("api/auth/user", "Cookie", session).statusCode());
        assertEquals(200, b.get("api/auth/user", "Cookie", session).statusCode(), "B warmed with the session");
        new KeycloakAdmin().logOutUser("renku", "demo");
        // Keycloak's call to A may trail its admin answer: wait for A to acknowledge, then B must agree at once.
        int onA = 200;
        for (int i = 0; i < 100 && onA == 200; i++) {
            onA = a.get("api/auth/user", "Cookie", session).statusCode();
            if (onA == 200) {
                Thread.sleep(50);
            }
        }
        assertEquals(401, onA, "A ended the session on Keycloak's back-channel call");
        HttpResponse<String> onB = b.get("api/auth/user", "Cookie", session);
        assertEquals(401, onB.statusCode(), "B still served a session ended through A's back channel: " + onB.body());
    }

    /**
     * A token refreshed on A is the token B injects next; then, with the next token due, 40 concurrent requests over
     * both replicas refresh it once at Keycloak (the refresh lock lives in Redis), with no refresh error, and all
     * carry one token. The replicas must run with {@code login.tokenRefreshSkewSeconds=290} (a 300 s token is due
     * 10 s after it was issued).
     */
    void refreshOnAIsInjectedByBAndConcurrentRefreshesReachKeycloakOnce(String topology) throws Exception {
        String session = logInOnA();
        String first = token(b, session); // B holds the session with the first token
        Thread.sleep(11_000); // the first token is due now
        String second = token(a, session);
        assertNotEquals(first, second, "A refreshed the due token");
        assertEquals(second, token(b, session), "B injects the token A refreshed");

        Thread.sleep(11_000); // the second token is due: both replicas race to refresh it
        KeycloakAdmin keycloak = new KeycloakAdmin();
        int refreshesBefore = keycloak.eventCount("renku", "REFRESH_TOKEN");
        int errorsBefore = keycloak.eventCount("renku", "REFRESH_TOKEN_ERROR");
        ExecutorService pool = Executors.newFixedThreadPool(40);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                var replica = i % 2 == 0 ? a : b;
                calls.add(pool.submit(() -> {
                    go.await();
                    return token(replica, session);
                }));
            }
            go.countDown();
            Map<String, Integer> tokens = new HashMap<>();
            for (Future<String> call : calls) {
                tokens.merge(call.get(), 1, Integer::sum);
            }
            assertEquals(1, tokens.size(), "all 40 requests on both replicas carried one token: " + tokens.values());
            assertNotEquals(second, tokens.keySet().iterator().next(), "the due token was refreshed");
        } finally {
            pool.shutdownNow();
        }
        int refreshes = keycloak.eventCount("renku", "REFRESH_TOKEN") - refreshesBefore;
        int errors = keycloak.eventCount("renku", "REFRESH_TOKEN_ERROR") - errorsBefore;
        System.out.println("[replica] " + topology + ": 40 concurrent requests over 2 replicas with a due token: "
                + refreshes
                + " refresh(es) at Keycloak, " + errors + " refresh error(s)");
        assertEquals(1, refreshes, "one refresh at Keycloak for both replicas");
        assertEquals(0, errors, "no replica sent the rotated-out refresh token");
    }

    /** The access token B injects for {@code session} (the echo upstream records it). */
    static String token(Http replica, String session) {
        return echoed(replica.get("api/data/x", "Cookie", session)).path("authorization").asText();
    }

    static JsonNode echoed(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        try {
            return JSON.readTree(response.body()).path("headers");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String field(HttpResponse<String> response, String name) {
        try {
            return JSON.readTree(response.body()).path(name).asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The figures of a drill's load loop, printed in one line: the count of each status, the slowest answer, and the
     * failure window (first to last non-200, from {@code faultNanos}).
     */
    static String summary(String drill, List<LoadLoop.Outcome> outcomes, long faultNanos) {
        long firstFail = outcomes.stream().filter(o -> o.status() != 200).mapToLong(LoadLoop.Outcome::sentNanos)
                .min().orElse(-1);
        long lastFail = outcomes.stream().filter(o -> o.status() != 200).mapToLong(LoadLoop.Outcome::doneNanos)
                .max().orElse(-1);
        String window = firstFail < 0 ? "no failed request"
                : "failures from " + (firstFail - faultNanos) / 1_000_000 + " ms to " + (lastFail - faultNanos)
                        / 1_000_000 + " ms after the fault";
        String line = "[drill] " + drill + ": " + outcomes.size() + " requests, statuses " + LoadLoop.counts(outcomes)
                + ", slowest " + LoadLoop.slowestMillis(outcomes) + " ms, p99 " + LoadLoop.quantileMillis(outcomes,
                0.99) + " ms; " + window;
        System.out.println(line);
        return line;
    }

    static void assertNoServerErrorsBut503(List<LoadLoop.Outcome> outcomes) {
        for (LoadLoop.Outcome o : outcomes) {
            assertNotEquals(500, o.status(), "a 500: " + o.body());
            assertTrue(o.status() == 200 || o.status() == 503, "only 200 and 503 are expected, got " + o.status()
                    + ": " + o.body());
            if (o.status() == 503) {
                assertTrue(o.retryAfter(), "a 503 without Retry-After: " + o.body());
            }
        }
        assertFalse(outcomes.isEmpty());
    }

    /**
     * A failover under load: {@code total} session requests over both replicas and {@code sessions}; once a quarter
     * has been answered, {@code kill} runs (a SIGKILL of a Redis primary) and {@code promoted} is polled until the
     * topology has a new primary. No 500, only 503s with {@code Retry-After}, none before the kill and none later
     * than 2 s after the promotion was visible; every session is still served afterwards. Returns the printed line.
     */
    String failoverDrill(String name, List<String> sessions, int total, Runnable kill,
            java.util.function.BooleanSupplier promoted, long redisTimeoutMillis) throws InterruptedException {
        for (String session : sessions) {
            assertEquals(200, b.get("api/auth/user", "Cookie", session).statusCode(), "B warmed with the session");
        }
        LoadLoop loop = new LoadLoop(total, 6, 2, 5, java.time.Duration.ofSeconds(15), n -> LoadLoop.get(
                replicas.url(n % 2) + "api/auth/user", "Cookie", sessions.get((n / 2) % sessions.size())));
        loop.awaitDone(total / 4, java.time.Duration.ofSeconds(60));
        long killed = System.nanoTime();
        kill.run();
        long promotedAt = -1;
        while (System.nanoTime() - killed < 60_000_000_000L) {
            if (promoted.getAsBoolean()) {
                promotedAt = System.nanoTime();
                break;
            }
            Thread.sleep(20);
        }
        List<LoadLoop.Outcome> outcomes = loop.finish(java.time.Duration.ofSeconds(180));
        assertTrue(promotedAt > 0, "no new primary within 60 s");
        String line = summary(name + " (new primary visible " + (promotedAt - killed) / 1_000_000
                + " ms after the SIGKILL)", outcomes, killed);
        assertNoServerErrorsBut503(outcomes);
        // a pool wait and a command (or, on Cluster, the retry budget and the attempt under way), each bounded by
        // redis.timeoutMillis, plus a margin for this busy machine: never a hang
        long bound = 2 * redisTimeoutMillis + 1500;
        assertTrue(LoadLoop.slowestMillis(outcomes) <= bound, "an answer took " + LoadLoop.slowestMillis(outcomes)
                + " ms, more than " + bound + ": " + line);
        long lastFailure = outcomes.stream().filter(o -> o.status() != 200).mapToLong(LoadLoop.Outcome::doneNanos)
                .max().orElse(killed);
        long firstFailure = outcomes.stream().filter(o -> o.status() != 200).mapToLong(LoadLoop.Outcome::doneNanos)
                .min().orElse(killed);
        assertTrue(firstFailure >= killed, "a request failed before the kill: " + line);
        assertTrue(lastFailure - promotedAt <= 2_000_000_000L, "503s went on for "
                + (lastFailure - promotedAt) / 1_000_000 + " ms after the new primary was visible: " + line);
        assertEquals(200, outcomes.get(outcomes.size() - 1).status(), "the loop ended serving: " + line);
        for (String session : sessions) {
            assertEquals(200, a.get("api/auth/user", "Cookie", session).statusCode(), "a session was lost on A");
            assertEquals(200, b.get("api/auth/user", "Cookie", session).statusCode(), "a session was lost on B");
        }
        return line;
    }

    /** The session id in a {@code _renku_session=<id>.<signature>} cookie header. */
    static String sessionId(String cookie) {
        String value = cookie.substring(cookie.indexOf('=') + 1);
        return value.substring(0, value.indexOf('.'));
    }
}
