package io.renku.gateway.session;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.embedded.RedisServer;

/** The repository against a real redis-server (6.2, shipped by embedded-redis) on a free local port. */
@SuppressWarnings("deprecation") // JedisPooled is what RedisClients builds in Jedis 7
class RedisSessionRepositoryComponentTest {
    static final String NAMESPACE = "test";
    static RedisServer server;
    static JedisPooled client;
    static Jedis raw;

    final MutableClock clock = new MutableClock(Instant.now());

    @BeforeAll
    static void startRedis() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
                .setting("appendonly no").build();
        server.start();
        client = new JedisPooled(new HostAndPort("127.0.0.1", port),
                redis.clients.jedis.DefaultJedisClientConfig.builder().build());
        raw = new Jedis("127.0.0.1", port);
    }

    @AfterAll
    static void stopRedis() throws IOException {
        try {
            if (raw != null) {
                raw.close();
            }
            if (client != null) {
                client.close();
            }
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }

    @BeforeEach
    void emptyRedis() {
        raw.flushAll();
    }

    RedisSessionRepository repository(Duration idle, Duration lifetime, Clock clock) {
        return new RedisSessionRepository(client, NAMESPACE, idle, new SessionExpiry(lifetime), new SessionIds(),
                new AttributeCodec(), clock);
    }

    RedisSessionRepository repository() {
        return repository(Duration.ofMinutes(30), Duration.ofHours(1), clock);
    }

    static String key(String id) {
        return NAMESPACE + ":sessions:{" + id + "}";
    }

    /** Calls per command since the last {@link #resetStats()}, without the INFO/CONFIG used to measure. */
    static Map<String, Long> commandsSinceReset() {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : raw.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                long count = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
                if (count > 0 && !name.equals("info") && !name.equals("config")) {
                    calls.put(name, count);
                }
            }
        }
        return calls;
    }

    static void resetStats() {
        raw.configResetStat();
    }

    @Test
    void savedSessionIsFoundWithAllItsData() {
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        session.setAttribute("user", "demo");
        session.setAttribute("count", 3L);
        session.setAttribute("small", 4);
        session.setAttribute("flag", true);
        session.setAttribute("bytes", new byte[] {1, 2});
        session.setAttribute("list", List.of("a", "b"));
        repository.save(session);

        RedisSession found = repository.findById(session.getId());
        assertNotNull(found);
        assertEquals(session.getCreationTime().toEpochMilli(), found.getCreationTime().toEpochMilli());
        assertEquals(session.getLastAccessedTime().toEpochMilli(), found.getLastAccessedTime().toEpochMilli());
        assertEquals(Duration.ofMinutes(30), found.getMaxInactiveInterval());
        assertEquals(session.getAttributeNames(), found.getAttributeNames());
        assertEquals("demo", found.getAttribute("user"));
        assertEquals(3L, (Long) found.getAttribute("count"));
        assertEquals(4, (Integer) found.getAttribute("small"));
        assertEquals(true, found.getAttribute("flag"));
        assertArrayEquals(new byte[] {1, 2}, found.getAttribute("bytes"));
        assertEquals(List.of("a", "b"), found.getAttribute("list"));
        assertEquals("sdemo", raw.hget(key(session.getId()), "attr:user"), "strings stay readable in redis-cli");
        long ttl = raw.pttl(key(session.getId()));
        assertTrue(ttl > Duration.ofMinutes(29).toMillis() && ttl <= Duration.ofMinutes(30).toMillis(), "ttl " + ttl);
    }

    @Test
    void findByIdIsExactlyOneRedisCommand() {
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        session.setAttribute("user", "demo");
        repository.save(session);
        resetStats();
        assertNotNull(repository.findById(session.getId()));
        assertEquals(Map.of("hgetall", 1L), commandsSinceReset());
    }

    @Test
    void unknownOrMalformedIdsCostAtMostOneCommand() {
        RedisSessionRepository repository = repository();
        resetStats();
        assertNull(repository.findById("not-a-session-id"));
        assertEquals(Map.of(), commandsSinceReset());
        assertNull(repository.findById(new SessionIds().generate()));
        assertEquals(Map.of("hgetall", 1L), commandsSinceReset());
    }

    @Test
    void saveWritesOnlyTheAttributeThatChanged() {
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        session.setAttribute("a", "1");
        session.setAttribute("b", "2");
        session.setAttribute("c", "3");
        repository.save(session);
        RedisSession found = repository.findById(session.getId());
        // Another replica changes b meanwhile; our save must not overwrite it with the value we loaded.
        raw.hset(key(session.getId()), "attr:b", "sfrom-elsewhere");

        found.setAttribute("a", "changed");
        resetStats();
        repository.save(found);
        Map<String, Long> commands = commandsSinceReset();

        assertEquals(Map.of("eval", 1L, "exists", 1L, "hset", 1L, "pexpire", 1L, "publish", 1L), commands);
        Map<String, String> stored = raw.hgetAll(key(session.getId()));
        assertEquals("schanged", stored.get("attr:a"));
        assertEquals("sfrom-elsewhere", stored.get("attr:b"));
        assertEquals("s3", stored.get("attr:c"));
    }

    @Test
    void removedAttributeIsDeletedAndUnchangedSessionWritesNothing() {
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        session.setAttribute("a", "1");
        session.setAttribute("b", "2");
        repository.save(session);

        RedisSession found = repository.findById(session.getId());
        resetStats();
        repository.save(found);
        assertEquals(Map.of(), commandsSinceReset());

        found.removeAttribute("b");
        repository.save(found);
        assertEquals(Map.of("eval", 1L, "exists", 1L, "hdel", 1L, "pexpire", 1L, "publish", 1L),
                commandsSinceReset());
        assertFalse(raw.hexists(key(session.getId()), "attr:b"));
        assertNull(repository.findById(session.getId()).getAttribute("b"));
    }

    @Test
    void idleSessionReallyExpiresInRedis() throws InterruptedException {
        RedisSessionRepository repository = repository(Duration.ofSeconds(1), Duration.ofHours(1),
                Clock.systemUTC());
        RedisSession session = repository.createSession();
        repository.save(session);
        long ttl = raw.pttl(key(session.getId()));
        assertTrue(ttl > 0 && ttl <= 1000, "ttl " + ttl);
        Thread.sleep(1300);
        assertFalse(raw.exists(key(session.getId())));
        assertNull(repository.findById(session.getId()));
    }

    @Test
    void absoluteLifetimeCapsTheTtlAndEndsAnActiveSession() {
        RedisSessionRepository repository = repository(Duration.ofMinutes(30), Duration.ofHours(1), clock);
        RedisSession session = repository.createSession();
        repository.save(session);
        String id = session.getId();
        // Stay active: every 20 minutes a request touches the session.
        for (int minute = 20; minute <= 40; minute += 20) {
            clock.advance(Duration.ofMinutes(20));
            RedisSession found = repository.findById(id);
            assertNotNull(found, "minute " + minute);
            found.setLastAccessedTime(clock.instant());
            repository.save(found);
        }
        // At minute 40 the idle deadline (70) lies past the absolute one (60): the TTL is what is left of the hour.
        long ttl = raw.pttl(key(id));
        assertTrue(ttl > Duration.ofMinutes(20).toMillis() - 2000 && ttl <= Duration.ofMinutes(20).toMillis(),
                "ttl " + ttl);
        // Redis still holds the key (its clock did not move), but the lifetime is over: deleted and absent.
        clock.advance(Duration.ofMinutes(21));
        assertTrue(raw.exists(key(id)));
        assertNull(repository.findById(id));
        assertFalse(raw.exists(key(id)));
    }

    @Test
    void absoluteLifetimeReallyExpiresInRedis() throws InterruptedException {
        RedisSessionRepository repository = repository(Duration.ofSeconds(10), Duration.ofMillis(1200),
                Clock.systemUTC());
        RedisSession session = repository.createSession();
        repository.save(session);
        Thread.sleep(600);
        RedisSession found = repository.findById(session.getId());
        found.setLastAccessedTime(Instant.now());
        repository.save(found);
        assertTrue(raw.pttl(key(session.getId())) <= 600);
        Thread.sleep(900);
        assertFalse(raw.exists(key(session.getId())));
        assertNull(repository.findById(session.getId()));
    }

    @Test
    void changedIdKeepsAttributesAndTtlAndTheOldIdIsGone() {
        RedisSessionRepository repository = repository(Duration.ofMinutes(30), Duration.ofHours(1), clock);
        RedisSession session = repository.createSession();
        session.setAttribute("user", "demo");
        session.setAttribute("n", 7L);
        repository.save(session);
        String oldId = session.getId();

        clock.advance(Duration.ofMinutes(40));
        // Idle limit would be passed by now without a touch at minute 20; keep it alive.
        raw.hset(key(oldId), "lastAccessed", Long.toString(clock.instant().minusSeconds(60).toEpochMilli()));
        RedisSession found = repository.findById(oldId);
        found.setLastAccessedTime(clock.instant());
        String newId = found.changeSessionId();
        assertNotEquals(oldId, newId);
        assertTrue(SessionIds.isWellFormed(newId));
        repository.save(found);

        assertFalse(raw.exists(key(oldId)));
        assertNull(repository.findById(oldId));
        RedisSession moved = repository.findById(newId);
        assertEquals("demo", moved.getAttribute("user"));
        assertEquals(7L, (Long) moved.getAttribute("n"));
        assertEquals(session.getCreationTime().toEpochMilli(), moved.getCreationTime().toEpochMilli());
        long ttl = raw.pttl(key(newId));
        assertTrue(ttl > Duration.ofMinutes(20).toMillis() - 2000 && ttl <= Duration.ofMinutes(20).toMillis(),
                "renaming must not extend the lifetime, ttl " + ttl);
    }

    @Test
    void sessionDeletedElsewhereIsNotResurrectedBySave() {
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        session.setAttribute("user", "demo");
        repository.save(session);
        RedisSession found = repository.findById(session.getId());
        repository.deleteById(session.getId());

        found.setLastAccessedTime(clock.instant());
        found.setAttribute("late", "write");
        repository.save(found);
        assertFalse(raw.exists(key(session.getId())));

        RedisSession renamed = repository.findById(session.getId());
        assertNull(renamed);
        found.changeSessionId();
        repository.save(found);
        assertFalse(raw.exists(key(found.getId())));
    }

    @Test
    void corruptMetadataIsDeletedAndReportedAbsent() {
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        repository.save(session);
        raw.hset(key(session.getId()), "created", "yesterday");
        assertNull(repository.findById(session.getId()));
        assertFalse(raw.exists(key(session.getId())));
    }

    @Test
    void tokenStoredThroughTheCipherIsNotInRedisInClear() {
        byte[] aesKey = new byte[32];
        new SecureRandom().nextBytes(aesKey);
        TokenCipher cipher = new TokenCipher(List.of(aesKey), new SecureRandom());
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl";
        RedisSessionRepository repository = repository();
        RedisSession session = repository.createSession();
        session.setAttribute("tokens.access", cipher.encrypt(Secret.of(token), session.getId()));
        repository.save(session);

        byte[] needle = token.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<byte[], byte[]> field : raw.hgetAll(key(session.getId()).getBytes(StandardCharsets.UTF_8))
                .entrySet()) {
            assertFalse(contains(field.getValue(), needle), new String(field.getKey(), StandardCharsets.UTF_8));
            assertFalse(contains(field.getValue(), "eyJ".getBytes(StandardCharsets.UTF_8)));
        }
        String stored = repository.findById(session.getId()).getAttribute("tokens.access");
        assertEquals(token, cipher.decrypt(stored, session.getId()).orElseThrow().reveal());
    }

    @Test
    void redisOutageIsServiceUnavailable() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (JedisPooled down = new JedisPooled("127.0.0.1", closed)) {
            RedisSessionRepository repository = new RedisSessionRepository(down, NAMESPACE, Duration.ofMinutes(1),
                    new SessionExpiry(Duration.ofHours(1)), new SessionIds(), new AttributeCodec(), clock);
            GatewayException e = assertThrows(GatewayException.class,
                    () -> repository.findById(new SessionIds().generate()));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
            assertFalse(e.getMessage().contains(NAMESPACE));
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
