package io.renku.gateway.login;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.redis.LocalLocks;
import io.renku.gateway.redis.Locks;
import io.renku.gateway.redis.RedisLocks;
import io.renku.gateway.redis.ShortLivedValues;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.embedded.RedisServer;

/**
 * {@link TokenRefresher} against a provider of our own ({@link TestOidcProvider}, whose refresh tokens rotate and
 * are single-use) and a real redis-server, with a clock the test moves. Each "request" works on its own copy of the
 * session, as requests on different replicas do, so the hand-off between lock holder and waiters is what is tested.
 */
class TokenRefresherComponentTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(180);
    private static TestOidcProvider idp;
    private static RedisServer server;
    private static JedisPooled redis;
    private static int namespaces;

    private final TokenCipher cipher = new TokenCipher(List.of(new byte[32]), new SecureRandom());
    private final SessionTokens tokens = new SessionTokens(cipher);
    private final MutableClock clock = new MutableClock(START);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Map<String, OidcProvider> providers;

    @BeforeAll
    static void start() throws Exception {
        idp = new TestOidcProvider();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
        server.start();
        redis = new JedisPooled(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().build());
    }

    @AfterAll
    static void stop() throws IOException {
        try (JedisPooled r = redis; TestOidcProvider i = idp) {
            // closed
        } finally {
            server.stop();
        }
    }

    @BeforeEach
    void reset() {
        idp.refreshCalls.set(0);
        idp.refreshDelayMillis.set(0);
        idp.refreshDown.set(false);
        idp.rotateRefreshTokens.set(true);
        providers = Map.of("renku", provider("renku"), "gitlab", provider("gitlab"));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void aTokenNearExpiryIsRefreshedAndStoredInTheSession() {
        Map<String, Object> session = loggedIn("s-near", START.plusSeconds(100));
        TokenSet fresh = localRefresher().fresh(session(session, "s-near"), stored(session, "renku"));
        assertEquals(1, idp.refreshCalls.get());
        assertTrue(fresh.accessToken().reveal().startsWith("access-"));
        assertEquals(Optional.of(START.plusSeconds(300)), fresh.expiresAt());
        assertEquals(fresh.accessToken(), stored(session, "renku").accessToken(), "stored in the session");
        assertEquals(fresh.refreshToken(), stored(session, "renku").refreshToken(), "the rotated refresh token");
    }

    @Test
    void aFreshTokenIsNotRefreshedUntilTheClockReachesTheSkew() {
        Map<String, Object> session = loggedIn("s-fresh", START.plusSeconds(600));
        TokenRefresher refresher = localRefresher();
        TokenSet current = stored(session, "renku");
        assertSame(current, refresher.fresh(session(session, "s-fresh"), current));
        clock.advance(Duration.ofSeconds(419));
        assertSame(current, refresher.fresh(session(session, "s-fresh"), current), "expires in 181 s");
        assertEquals(0, idp.refreshCalls.get());
        clock.advance(Duration.ofSeconds(1));
        assertNotEquals(current.accessToken(), refresher.fresh(session(session, "s-fresh"), current).accessToken());
        assertEquals(1, idp.refreshCalls.get());
    }

    @Test
    void aRefusedRenkuRefreshIs401AndLogsTheUserOutOfTheSession() {
        Map<String, Object> session = loggedIn("s-refused", START.plusSeconds(10));
        session.clear();
        HttpSession http = session(session, "s-refused");
        tokens.store(http, tokenSet("renku", "never-issued", START.plusSeconds(10)));
        tokens.store(http, tokenSet("gitlab", idp.issueRefreshToken("gl-rt-" + System.nanoTime()),
                START.plusSeconds(3600)));
        SessionUser.store(http, user());
        GatewayException refused = assertThrows(GatewayException.class,
                () -> localRefresher().fresh(http, stored(session, "renku")));
        assertEquals(ErrorKind.UNAUTHORIZED, refused.kind());
        assertTrue(refused.getMessage().contains("Log in again"), refused.getMessage());
        assertFalse(refused.getMessage().contains("never-issued"), "no token in the message");
        assertEquals(List.of(), tokens.providers(http), "all tokens removed");
        assertTrue(SessionUser.load(http).isEmpty(), "the user is logged out");
    }

    @Test
    void aRefusedGitlabRefreshEndsOnlyTheGitlabLogin() {
        Map<String, Object> session = loggedIn("s-gitlab", START.plusSeconds(3600));
        HttpSession http = session(session, "s-gitlab");
        tokens.store(http, tokenSet("gitlab", "never-issued", START.plusSeconds(10)));
        GatewayException refused = assertThrows(GatewayException.class,
                () -> localRefresher().fresh(http, stored(session, "gitlab")));
        assertEquals(401, refused.kind().status());
        assertEquals(List.of("renku"), tokens.providers(http));
        assertTrue(SessionUser.load(http).isPresent());
    }

    @Test
    void aProviderThatIsDownLeavesAStillValidTokenInUse() {
        Map<String, Object> session = loggedIn("s-down", START.plusSeconds(10));
        idp.refreshDown.set(true);
        TokenSet before = stored(session, "renku");
        TokenSet used = localRefresher().fresh(session(session, "s-down"), before);
        assertEquals(1, idp.refreshCalls.get(), "the refresh was tried");
        assertSame(before, used, "the still-valid token goes on being used");
        assertEquals(before.accessToken(), stored(session, "renku").accessToken());
        assertTrue(SessionUser.load(session(session, "s-down")).isPresent());
    }

    @Test
    void aProviderThatIsDownIsA503OnceTheTokenHasExpiredAndTheTokensAreKept() {
        Map<String, Object> session = loggedIn("s-down-expired", START.plusSeconds(10));
        idp.refreshDown.set(true);
        TokenSet before = stored(session, "renku");
        clock.advance(Duration.ofSeconds(10));
        GatewayException down = assertThrows(GatewayException.class,
                () -> localRefresher().fresh(session(session, "s-down-expired"), before));
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, down.kind());
        assertEquals("5", down.headers().get("Retry-After"));
        assertTrue(down.getMessage().contains("cannot be reached"), down.getMessage());
        assertEquals(before.accessToken(), stored(session, "renku").accessToken(), "the tokens are kept");
        assertTrue(SessionUser.load(session(session, "s-down-expired")).isPresent());
        idp.refreshDown.set(false);
        TokenSet renewed = localRefresher().fresh(session(session, "s-down-expired"), before);
        assertNotEquals(before.accessToken(), renewed.accessToken(), "the login resumes when the provider is back");
    }

    @Test
    void twentyConcurrentRequestsOnTwoReplicasCallTheTokenEndpointOnce() throws Exception {
        String ns = "ns" + (++namespaces);
        TokenRefresher replicaA = refresher(new RedisLocks(redis, ns), ShortLivedValues.redis(redis, ns));
        TokenRefresher replicaB = refresher(new RedisLocks(redis, ns), ShortLivedValues.redis(redis, ns));
        Set<String> seen = race(List.of(replicaA, replicaB), "s-race");
        assertEquals(1, idp.refreshCalls.get(), "token-endpoint calls");
        assertEquals(1, seen.size(), "every request uses the same new token: " + seen.size());
        assertTrue(redis.exists(ns + ":refreshed:s-race:renku"), "the hand-off is in Redis");
        assertTrue(redis.pttl(ns + ":refreshed:s-race:renku") <= TokenRefresher.HANDOFF_TTL.toMillis());
        String handoff = redis.get(ns + ":refreshed:s-race:renku");
        assertFalse(handoff.contains(seen.iterator().next()), "the hand-off is encrypted");
    }

    @Test
    void twentyConcurrentRequestsOnOneNodeWithoutRedisCallTheTokenEndpointOnce() throws Exception {
        Set<String> seen = race(List.of(localRefresher()), "s-local");
        assertEquals(1, idp.refreshCalls.get());
        assertEquals(1, seen.size());
    }

    @Test
    void aLateRequestWithTheOldRefreshTokenAdoptsTheResultInsteadOfReusingIt() {
        Map<String, Object> session = loggedIn("s-late", START.plusSeconds(10));
        Map<String, Object> lateCopy = new ConcurrentHashMap<>(session);
        TokenRefresher refresher = localRefresher();
        TokenSet first = refresher.fresh(session(session, "s-late"), stored(session, "renku"));
        TokenSet late = refresher.fresh(session(lateCopy, "s-late"), stored(lateCopy, "renku"));
        assertEquals(first.accessToken(), late.accessToken());
        assertEquals(1, idp.refreshCalls.get(), "the single-use refresh token was not sent twice");
    }

    /** 20 threads, each with its own copy of one session whose token is due, released at once. */
    private Set<String> race(List<TokenRefresher> replicas, String sessionId) throws Exception {
        Map<String, Object> original = loggedIn(sessionId, START.plusSeconds(30));
        idp.refreshDelayMillis.set(300);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                TokenRefresher replica = replicas.get(i % replicas.size());
                Map<String, Object> copy = new ConcurrentHashMap<>(original);
                results.add(pool.submit(() -> {
                    go.await();
                    TokenSet used = replica.fresh(session(copy, sessionId), stored(copy, "renku"));
                    assertEquals(used.accessToken(), stored(copy, "renku").accessToken(), "stored in its session");
                    return used.accessToken().reveal();
                }));
            }
            go.countDown();
            Set<String> seen = new HashSet<>();
            for (Future<String> result : results) {
                seen.add(result.get());
            }
            assertFalse(seen.contains("old-access"));
            return seen;
        } finally {
            pool.shutdownNow();
        }
    }

    private TokenRefresher localRefresher() {
        return refresher(new LocalLocks(), ShortLivedValues.local());
    }

    private TokenRefresher refresher(Locks locks, ShortLivedValues handoff) {
        closing.add(locks);
        return new TokenRefresher(providers, "renku", tokens, locks, handoff, cipher, SKEW, Duration.ofSeconds(10),
                clock);
    }

    private OidcProvider provider(String id) {
        LoginSettings.Provider settings = new LoginSettings.Provider(id, URI.create(idp.issuer()),
                TestOidcProvider.CLIENT_ID, Secret.of(TestOidcProvider.CLIENT_SECRET), List.of("openid"), true,
                URI.create("https://renku.example.org/api/auth/callback"));
        return new OidcProvider(settings, Set.of("RS256"), Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(5), clock);
    }

    /** A logged-in session (user, renku tokens expiring at {@code expiresAt}, a fresh GitLab token). */
    private Map<String, Object> loggedIn(String id, Instant expiresAt) {
        Map<String, Object> attributes = new ConcurrentHashMap<>();
        HttpSession session = session(attributes, id);
        tokens.store(session, tokenSet("renku", idp.issueRefreshToken(id + "-rt-" + System.nanoTime()), expiresAt));
        tokens.store(session, tokenSet("gitlab", idp.issueRefreshToken(id + "-gl-" + System.nanoTime()),
                START.plusSeconds(7200)));
        SessionUser.store(session, user());
        return attributes;
    }

    private static TokenSet tokenSet(String provider, String refreshToken, Instant expiresAt) {
        return new TokenSet(provider, Secret.of("old-access"), Optional.of(Secret.of(refreshToken)),
                Optional.of(Secret.of("id-token")), Optional.of(expiresAt));
    }

    private static Identity user() {
        return new Identity("sub-1", "demo", "Demo", "demo@example.org", "https://kc/realms/renku",
                AuthMethod.SESSION, Optional.empty(), Set.of(), Optional.empty());
    }

    private TokenSet stored(Map<String, Object> attributes, String provider) {
        return tokens.load(session(attributes, "any"), provider).orElseThrow();
    }

    private static HttpSession session(Map<String, Object> attributes, String id) {
        return (HttpSession) Proxy.newProxyInstance(TokenRefresherComponentTest.class.getClassLoader(),
                new Class<?>[] {HttpSession.class}, (p, method, args) -> switch (method.getName()) {
                    case "getId" -> id;
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    case "getAttributeNames" -> Collections.enumeration(List.copyOf(attributes.keySet()));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
