package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.RedisProcess;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Cookie sessions in the deployed WAR against a real Redis: the signed cookie, one Redis read per request, tokens
 * encrypted at rest, tampered cookies, a TTL that really expires, and a Redis outage that loses nothing.
 */
@GatewayIT
class SessionIT {
    private static final String ACCESS = "access-token-SECRET-aaaaaaaaaaaa";
    private static final String REFRESH = "refresh-token-SECRET-bbbbbbbbbbb";
    private final ObjectMapper json = new ObjectMapper();
    private RedisProcess redis;
    private Jedis raw;

    @ArquillianResource
    @OperateOnDeployment("gateway")
    private URL base;

    @ArquillianResource
    @OperateOnDeployment("short-ttl")
    private URL shortTtl;

    @Deployment(name = "gateway", testable = false)
    static WebArchive gateway() {
        return Deployments.gateway().addClass(LoginProbeServlet.class);
    }

    @Deployment(name = "short-ttl", testable = false)
    static WebArchive shortTtl() {
        return Deployments.withContextParam("short-ttl.war", "sessions.idleSessionTTLSeconds", "2")
                .addClass(LoginProbeServlet.class);
    }

    @BeforeEach
    void connect() {
        raw = new Jedis("127.0.0.1", redis.port());
    }

    @AfterEach
    void disconnect() {
        if (redis.isRunning()) {
            raw.close();
        }
    }

    @Test
    void loginSetsASignedHardenedCookieAndTheSessionServesTheUser() throws Exception {
        HttpResponse<String> login = login(new Http(base), "user-1");
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.matches("_renku_session=[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]+; Path=/; Secure; HttpOnly;"
                + " SameSite=Lax"), setCookie);

        HttpResponse<String> user = new Http(base).get("api/auth/user", "Cookie", cookie(login));
        assertEquals(200, user.statusCode(), user.body());
        JsonNode body = json.readTree(user.body());
        assertEquals("user-1", body.path("sub").asText());
        assertEquals("session", body.path("authenticated_by").asText());
        assertEquals("renku", body.path("providers").path(0).asText());
        assertFalse(user.body().contains(ACCESS), "the user endpoint never returns tokens");
    }

    @Test
    void proxiedRequestCarriesTheSessionsTokensAndNotTheCookie() throws Exception {
        Http http = new Http(base);
        String cookie = cookie(login(http, "user-7"));
        HttpResponse<String> echoed = http.get("api/data/projects", "Cookie", cookie + "; other=1",
                "Authorization", "Bearer forged-by-client");
        assertEquals(200, echoed.statusCode(), echoed.body());
        JsonNode headers = json.readTree(echoed.body()).path("headers");
        assertEquals("Bearer " + ACCESS, headers.path("authorization").asText());
        assertEquals(REFRESH, headers.path("renku-auth-refresh-token").asText());
        assertEquals("other=1", headers.path("cookie").asText(), "the gateway's cookie never reaches an upstream");
        assertTrue(headers.path("renku-auth-anon-id").isMissingNode());
    }

    @Test
    void anonymousCallerGetsAStableAnonymousIdFromASignedCookieAndNoSession() throws Exception {
        Http http = new Http(base);
        long sessionsBefore = raw.keys("gateway:sessions:*").size();
        raw.configResetStat();
        HttpResponse<String> first = http.get("api/data/projects");
        String anonId = json.readTree(first.body()).path("headers").path("renku-auth-anon-id").asText();
        assertTrue(anonId.matches("anon-[A-Za-z0-9_-]{22}"), anonId);
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.matches("_renku_session_anon=[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}; Path=/; Secure; "
                + "HttpOnly; SameSite=Lax"), setCookie);
        String cookie = cookie(first);
        HttpResponse<String> second = http.get("api/data/projects", "Cookie", cookie);
        assertEquals(anonId, json.readTree(second.body()).path("headers").path("renku-auth-anon-id").asText());
        assertTrue(second.headers().firstValue("Set-Cookie").isEmpty(), "the cookie is set once");
        assertTrue(json.readTree(second.body()).path("headers").path("cookie").isMissingNode(),
                "the anonymous-id cookie never reaches an upstream");
        assertTrue(json.readTree(second.body()).path("headers").path("authorization").isMissingNode());
        assertEquals(401, http.get("api/auth/user", "Cookie", cookie).statusCode(), "anonymous is not logged in");
        Map<String, Long> commands = commandCounts();
        commands.remove("config");
        commands.remove("info");
        withoutConnectionCommands(commands); // the near caches' channels: heartbeats, reconnects
        assertEquals(Map.of(), commands, "Redis commands for anonymous requests");
        assertEquals(sessionsBefore, raw.keys("gateway:sessions:*").size(), "no session was stored");
    }

    @Test
    void aCallerThatNeverReturnsCookiesCostsNoRedisAndGetsAFreshIdEachTime() throws Exception {
        Http http = new Http(base);
        raw.configResetStat();
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            ids.add(json.readTree(http.get("api/data/projects").body()).path("headers").path("renku-auth-anon-id")
                    .asText());
        }
        assertEquals(5, ids.size(), ids.toString());
        Map<String, Long> commands = commandCounts();
        commands.remove("config");
        commands.remove("info");
        withoutConnectionCommands(commands); // the near caches' channels: heartbeats, reconnects
        assertEquals(Map.of(), commands, "Redis commands for 5 cookieless requests");
    }

    @Test
    void aForgedAnonymousIdCookieIsReplacedNotTrusted() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> response = http.get("api/data/projects", "Cookie",
                "_renku_session_anon=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        String anonId = json.readTree(response.body()).path("headers").path("renku-auth-anon-id").asText();
        assertNotEquals("anon-AAAAAAAAAAAAAAAAAAAAAA", anonId);
        assertTrue(response.headers().firstValue("Set-Cookie").orElse("").startsWith("_renku_session_anon="));
    }

    @Test
    void aHotSessionIsServedFromTheNearCacheWithoutRedisCommands() {
        Http http = new Http(base);
        String cookie = cookie(login(http, "user-2"));
        assertEquals(200, http.get("api/auth/user", "Cookie", cookie).statusCode()); // first read fills the cache
        raw.configResetStat();
        for (int i = 0; i < 10; i++) {
            assertEquals(200, http.get("api/auth/user", "Cookie", cookie).statusCode());
        }
        Map<String, Long> commands = commandCounts();
        commands.remove("config");
        commands.remove("info");
        withoutConnectionCommands(commands);
        // a read is sent to Redis only in the instant a heartbeat's answer is being read on the invalidation channel
        assertTrue(commands.keySet().stream().allMatch("hgetall"::equals) && commands.getOrDefault("hgetall", 0L)
                <= 2, "Redis commands for 10 requests: " + commands);
    }

    /**
     * Two deployments of the WAR over one Redis, each with its own near cache (the second is the short-TTL one; a
     * session keeps the idle timeout it was made with): what one does to a session, the other honours on the very
     * next request, although it had the session cached.
     */
    @Test
    void aSessionEndedOnOneReplicaIs401OnTheOtherAtOnce() {
        Http a = new Http(base);
        Http b = new Http(shortTtl);
        for (int round = 0; round < 20; round++) {
            String cookie = cookie(login(a, "user-replica-" + round));
            assertEquals(200, b.get("api/auth/user", "Cookie", cookie).statusCode());
            assertEquals(200, b.get("api/auth/user", "Cookie", cookie).statusCode()); // from b's near cache
            assertEquals(204, a.send("DELETE", "_it/login", null, "Cookie", cookie).statusCode());
            assertEquals(401, b.get("api/auth/user", "Cookie", cookie).statusCode(), "round " + round);
        }
    }

    @Test
    void tokensChangedOnOneReplicaAreInjectedByTheOtherAtOnce() throws Exception {
        Http a = new Http(base);
        Http b = new Http(shortTtl);
        String cookie = cookie(login(a, "user-refreshed"));
        for (int round = 1; round <= 20; round++) {
            String before = json.readTree(b.get("api/data/projects", "Cookie", cookie).body()).path("headers")
                    .path("authorization").asText();
            assertTrue(before.startsWith("Bearer "), before);
            String fresh = "refreshed-access-" + round;
            // a PUT's form body is not read by getParameter: the probe takes its values from the query
            assertEquals(204, a.send("PUT", "_it/login?access=" + fresh + "&refresh=" + REFRESH, null, "Cookie",
                    cookie).statusCode());
            assertEquals("Bearer " + fresh, json.readTree(b.get("api/data/projects", "Cookie", cookie).body())
                    .path("headers").path("authorization").asText(), "round " + round);
        }
    }

    @Test
    void redisHoldsNoTokenInClear() {
        String cookie = cookie(login(new Http(base), "user-3"));
        String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf('.'));
        Set<String> keys = raw.keys("gateway:sessions:{" + id + "}");
        assertEquals(1, keys.size(), "the session is stored under the gateway's namespace");
        Map<String, String> hash = raw.hgetAll(keys.iterator().next());
        assertTrue(hash.containsKey("attr:tokens.renku.access"), hash.keySet().toString());
        for (String value : hash.values()) {
            assertFalse(value.contains(ACCESS) || value.contains(REFRESH) || value.contains("SECRET"),
                    "a token is readable in Redis");
        }
    }

    @Test
    void tamperedOrForgedCookiesCountAsNoCookieWithoutAskingRedis() {
        Http http = new Http(base);
        String cookie = cookie(login(http, "user-4"));
        String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf('.'));
        char last = cookie.charAt(cookie.length() - 1);
        String tamperedMac = cookie.substring(0, cookie.length() - 1) + (last == 'A' ? 'B' : 'A');
        String otherId = "_renku_session=" + "x".repeat(43) + cookie.substring(cookie.indexOf('.'));
        String unsigned = "_renku_session=" + id;
        raw.configResetStat();
        for (String forged : new String[] {tamperedMac, otherId, unsigned}) {
            HttpResponse<String> response = http.get("api/auth/user", "Cookie", forged);
            assertEquals(401, response.statusCode(), forged);
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        }
        assertFalse(commandCounts().containsKey("hgetall"), "a forged cookie must not cost a Redis lookup");
    }

    @Test
    void idleSessionExpiresInRedisAndIsNotServed() throws Exception {
        Http http = new Http(shortTtl);
        String cookie = cookie(login(http, "user-5"));
        assertEquals(200, http.get("api/auth/user", "Cookie", cookie).statusCode());
        Thread.sleep(3000);
        assertEquals(401, http.get("api/auth/user", "Cookie", cookie).statusCode());
        String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf('.'));
        assertTrue(raw.keys("gateway:sessions:{" + id + "}").isEmpty(), "Redis expired the key by its TTL");
    }

    @Test
    void redisOutageGives503ForSessionsKeepsPublicRoutesAndLosesNothing() throws Exception {
        Http http = new Http(base);
        String cookie = cookie(login(http, "user-6"));
        raw.close();
        redis.stop();
        try {
            HttpResponse<String> user = http.get("api/auth/user", "Cookie", cookie);
            assertEquals(503, user.statusCode(), user.body());
            assertEquals("application/problem+json", user.headers().firstValue("Content-Type").orElse(""));
            assertTrue(user.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, http.get("api/data/public", "Cookie", cookie).statusCode(),
                    "a public route keeps working while Redis is down");
            assertEquals(200, http.get("health").statusCode());
        } finally {
            redis.start();
            raw = new Jedis("127.0.0.1", redis.port());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        int status;
        do {
            status = http.get("api/auth/user", "Cookie", cookie).statusCode();
        } while (status != 200 && System.nanoTime() < deadline && pause());
        assertEquals(200, status, "the same session is served again once Redis is back");
    }

    private HttpResponse<String> login(Http http, String subject) {
        HttpResponse<String> response = http.postForm("_it/login",
                "sub=" + subject + "&username=" + subject + "&access=" + ACCESS + "&refresh=" + REFRESH);
        assertEquals(204, response.statusCode(), response.body());
        return response;
    }

    private static String cookie(HttpResponse<String> login) {
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** Leaves the commands that read or write data: a near cache's channel pings, and reconnects when it must. */
    private static void withoutConnectionCommands(Map<String, Long> commands) {
        for (String c : new String[] {"ping", "subscribe", "client", "hello", "auth", "select", "command"}) {
            commands.remove(c);
        }
    }

    private Map<String, Long> commandCounts() {
        Map<String, Long> counts = new HashMap<>();
        for (String line : raw.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                long calls = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+).*", "$1"));
                counts.put(name, calls);
            }
        }
        return counts;
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
