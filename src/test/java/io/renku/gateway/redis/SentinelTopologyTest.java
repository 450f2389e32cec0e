package io.renku.gateway.redis;

import static io.renku.gateway.redis.Topologies.lifeCycleWorks;
import static io.renku.gateway.redis.Topologies.redisSettings;
import static io.renku.gateway.redis.Topologies.repository;
import static io.renku.gateway.redis.Topologies.saveNew;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.RedisSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.session.RedisSession;
import io.renku.gateway.session.RedisSessionRepository;
import io.renku.gateway.session.SessionIds;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * Redis Sentinel as operators run it for high availability: one primary, one replica and three Sentinels (quorum
 * two), the data nodes and the Sentinels each behind their own password. The last test kills the primary and shows
 * that the same client follows the Sentinels to the promoted replica, with the sessions still there; it measures how
 * long requests fail meanwhile (written to {@code target/redis-topologies/sentinel-failover.txt}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelTopologyTest {
    static final String MASTER = "mymaster";
    static final String DATA_PASSWORD = "data-pass-3";
    static final String SENTINEL_PASSWORD = "sentinel-pass-5";
    static final int DOWN_AFTER_MILLIS = 1000;
    static RedisNodes nodes;
    static RedisNodes.Node primary;
    static RedisNodes.Node replica;
    static final List<RedisNodes.Node> sentinels = new ArrayList<>();

    @BeforeAll
    static void startSentinelSetup() {
        nodes = new RedisNodes("sentinel");
        try {
            primary = nodes.server("primary", RedisNodes.freePort(), "requirepass " + DATA_PASSWORD,
                    "masterauth " + DATA_PASSWORD);
            replica = nodes.server("replica", RedisNodes.freePort(), "requirepass " + DATA_PASSWORD,
                    "masterauth " + DATA_PASSWORD, "replicaof 127.0.0.1 " + primary.port());
            for (int i = 1; i <= 3; i++) {
                sentinels.add(nodes.sentinel("sentinel-" + i, RedisNodes.freePort(),
                        "requirepass " + SENTINEL_PASSWORD,
                        "sentinel monitor " + MASTER + " 127.0.0.1 " + primary.port() + " 2",
                        "sentinel auth-pass " + MASTER + " " + DATA_PASSWORD,
                        "sentinel sentinel-pass " + SENTINEL_PASSWORD,
                        "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER_MILLIS,
                        "sentinel failover-timeout " + MASTER + " 10000",
                        "sentinel parallel-syncs " + MASTER + " 1"));
            }
            awaitSentinelsSeeEverything();
        } catch (RuntimeException | AssertionError e) {
            nodes.close();
            throw e;
        }
    }

    @AfterAll
    static void stopSentinelSetup() {
        if (nodes != null) {
            nodes.close();
        }
    }

    static RedisSettings settings(String... more) {
        List<String> pairs = new ArrayList<>(List.of("redis.addresses",
                sentinels.stream().map(RedisNodes.Node::address).collect(Collectors.joining(",")),
                "redis.isSentinel", "true", "redis.masterName", MASTER, "redis.password", DATA_PASSWORD,
                "redis.sentinelPassword", SENTINEL_PASSWORD, "redis.dbIndex", "2"));
        pairs.addAll(List.of(more));
        return redisSettings(pairs.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void sessionLifeCycleWorksThroughTheSentinels() {
        RedisSettings settings = settings();
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            lifeCycleWorks(repository(redis, settings));
        }
    }

    @Test
    @Order(2)
    void wrongDataPasswordIsServiceUnavailable() {
        RedisSettings settings = settings("redis.password", "wrong-" + DATA_PASSWORD);
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            GatewayException e = assertThrows(GatewayException.class,
                    () -> repository.findById(new SessionIds().generate()));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
            assertTrue(StandaloneTopologyTest.causes(e).contains("WRONGPASS"), StandaloneTopologyTest.causes(e));
        }
    }

    @Test
    @Order(3)
    void wrongSentinelPasswordIsServiceUnavailableNamingTheSettingNotThePassword() {
        RedisSettings settings = settings("redis.sentinelPassword", "wrong-" + SENTINEL_PASSWORD);
        GatewayException e = assertThrows(GatewayException.class, () -> RedisClients.create(settings).close());
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("redis.sentinelPassword"), e.getMessage());
        assertFalse(StandaloneTopologyTest.causes(e).contains(SENTINEL_PASSWORD), StandaloneTopologyTest.causes(e));
    }

    @Test
    @Order(10)
    void afterThePrimaryDiesTheSameClientFollowsThePromotedReplicaAndKeepsTheSessions() throws IOException {
        RedisSettings settings = settings();
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ids.add(saveNew(repository, "user-" + i));
            }
            try (Jedis admin = new Jedis("127.0.0.1", primary.port())) {
                admin.auth(DATA_PASSWORD);
                assertEquals(1L, admin.waitReplicas(1, 5000), "the replica has every session before the crash");
            }

            long killed = System.nanoTime();
            primary.kill();
            int failedSaves = 0;
            long promoted = -1;
            long firstSave = -1;
            String newId = null;
            while (System.nanoTime() - killed < 60_000_000_000L) {
                if (promoted < 0 && masterPortSeenByAllSentinels() == replica.port()) {
                    promoted = System.nanoTime();
                }
                try {
                    newId = saveNew(repository, "after-failover");
                    firstSave = System.nanoTime();
                    break;
                } catch (GatewayException e) {
                    assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
                    failedSaves++;
                    RedisNodes.sleep(50);
                }
            }
            assertTrue(firstSave > 0, "no save succeeded within 60 s of the crash");
            while (promoted < 0 && System.nanoTime() - killed < 60_000_000_000L) {
                if (masterPortSeenByAllSentinels() == replica.port()) {
                    promoted = System.nanoTime();
                }
                RedisNodes.sleep(50);
            }
            assertTrue(promoted > 0, "the Sentinels never agreed on the replica as the new primary");

            for (int i = 0; i < ids.size(); i++) {
                RedisSession session = repository.findById(ids.get(i));
                assertNotNull(session, "session " + i + " survived the failover");
                assertEquals("user-" + i, session.getAttribute("user"));
            }
            assertEquals("after-failover", repository.findById(newId).getAttribute("user"));
            try (Jedis admin = new Jedis("127.0.0.1", replica.port())) {
                admin.auth(DATA_PASSWORD);
                admin.select(2);
                assertTrue(admin.exists(Topologies.key(newId)), "the new session is on the promoted node, db 2");
                assertTrue(admin.info("replication").contains("role:master"));
            }
            lifeCycleWorks(repository);

            String report = String.format("Sentinel failover (down-after-milliseconds %d, SIGKILL of the primary):%n"
                    + "  sentinels agreed on the new primary after %d ms%n"
                    + "  first successful save through the same client after %d ms (%d failed saves, all 503)%n",
                    DOWN_AFTER_MILLIS, (promoted - killed) / 1_000_000, (firstSave - killed) / 1_000_000,
                    failedSaves);
            System.out.print(report);
            Files.writeString(nodes.root().getParent().resolve("sentinel-failover.txt"), report);
        }
    }

    /** The primary's port when all three Sentinels name the same one, else -1. */
    static int masterPortSeenByAllSentinels() {
        List<Integer> ports = sentinels.stream().map(SentinelTopologyTest::masterPort).distinct().toList();
        return ports.size() == 1 ? ports.get(0) : -1;
    }

    static int masterPort(RedisNodes.Node sentinel) {
        try (Jedis client = new Jedis("127.0.0.1", sentinel.port())) {
            client.auth(SENTINEL_PASSWORD);
            List<String> address = client.sentinelGetMasterAddrByName(MASTER);
            return Integer.parseInt(address.get(1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Until each Sentinel knows the replica and the two other Sentinels, and the replica is in sync. */
    static void awaitSentinelsSeeEverything() {
        long deadline = System.currentTimeMillis() + 30_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            last = Stream.concat(sentinels.stream().map(SentinelTopologyTest::sentinelInfo),
                    Stream.of(replicationInfo())).collect(Collectors.joining(" | "));
            boolean ready = sentinels.stream().map(SentinelTopologyTest::sentinelInfo)
                    .allMatch(info -> info.contains("status=ok") && info.contains("slaves=1")
                            && info.contains("sentinels=3"))
                    && replicationInfo().contains("state=online");
            if (ready) {
                return;
            }
            RedisNodes.sleep(100);
        }
        throw new AssertionError("Sentinel setup not ready after 30 s: " + last);
    }

    static String sentinelInfo(RedisNodes.Node sentinel) {
        try (Jedis client = new Jedis("127.0.0.1", sentinel.port())) {
            client.auth(SENTINEL_PASSWORD);
            return client.info("sentinel").lines().filter(l -> l.startsWith("master0:")).findFirst().orElse("");
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    static String replicationInfo() {
        try (Jedis client = new Jedis("127.0.0.1", primary.port())) {
            client.auth(DATA_PASSWORD);
            return client.info("replication").lines().filter(l -> l.startsWith("slave0:")).findFirst().orElse("");
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }
}
