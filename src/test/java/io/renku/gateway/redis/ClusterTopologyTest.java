package io.renku.gateway.redis;

import static io.renku.gateway.redis.Topologies.key;
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
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.session.RedisSession;
import io.renku.gateway.session.RedisSessionRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Redis Cluster with three primaries sharing the 16384 slots, behind a password. Sessions must spread over all
 * nodes, every command about one session must reach the node owning its slot (the save script included), and a
 * rename must move a session from one node to another.
 */
class ClusterTopologyTest {
    static final String PASSWORD = "cluster-pass-1";
    static final int[][] SLOTS = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    static RedisNodes nodes;
    static final List<RedisNodes.Node> primaries = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        nodes = new RedisNodes("cluster");
        try {
            for (int i = 0; i < 3; i++) {
                primaries.add(nodes.server("node-" + i, clusterPort(), "cluster-enabled yes",
                        "cluster-config-file nodes.conf", "cluster-node-timeout 5000", "requirepass " + PASSWORD,
                        "masterauth " + PASSWORD));
            }
            for (int i = 0; i < 3; i++) {
                try (Jedis admin = admin(i)) {
                    admin.clusterAddSlots(IntStream.rangeClosed(SLOTS[i][0], SLOTS[i][1]).toArray());
                    if (i > 0) {
                        admin.clusterMeet("127.0.0.1", primaries.get(0).port());
                    }
                }
            }
            awaitClusterOk();
        } catch (RuntimeException | AssertionError e) {
            nodes.close();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() {
        if (nodes != null) {
            nodes.close();
        }
    }

    static RedisSettings settings(String... more) {
        List<String> pairs = new ArrayList<>(List.of("redis.addresses", primaries.get(0).address(),
                "redis.isCluster", "true", "redis.password", PASSWORD));
        pairs.addAll(List.of(more));
        return redisSettings(pairs.toArray(String[]::new));
    }

    @Test
    void sessionsSpreadOverAllPrimariesAndAreFoundFromAnyOfThem() {
        RedisSettings settings = settings();
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                ids.add(saveNew(repository, "user-" + i));
            }
            int[] perNode = new int[3];
            for (String id : ids) {
                int owner = owner(id);
                perNode[owner]++;
                try (Jedis admin = admin(owner)) {
                    assertTrue(admin.exists(key(id)), "session stored on the node owning its slot");
                }
            }
            for (int count : perNode) {
                assertTrue(count > 0, "every primary holds sessions: " + java.util.Arrays.toString(perNode));
            }
            for (int i = 0; i < ids.size(); i++) {
                RedisSession found = repository.findById(ids.get(i));
                assertNotNull(found);
                assertEquals("user-" + i, found.getAttribute("user"));
            }
        }
    }

    @Test
    void wholeLifeCycleWorksOnTheCluster() {
        RedisSettings settings = settings();
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            for (int i = 0; i < 10; i++) {
                lifeCycleWorks(repository);
            }
        }
    }

    @Test
    void renameMovesTheSessionToTheNodeOwningTheNewId() {
        RedisSettings settings = settings();
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            for (int attempt = 0; attempt < 50; attempt++) {
                String oldId = saveNew(repository, "mover");
                RedisSession session = repository.findById(oldId);
                session.setAttribute("changed", "at login");
                String newId = session.changeSessionId();
                repository.save(session);
                if (owner(oldId) != owner(newId)) {
                    try (Jedis from = admin(owner(oldId)); Jedis to = admin(owner(newId))) {
                        assertFalse(from.exists(key(oldId)), "gone from the old node");
                        assertTrue(to.exists(key(newId)), "written on the new node");
                        assertEquals("sat login", to.hget(key(newId), "attr:changed"));
                        assertTrue(to.pttl(key(newId)) > 0, "the moved session still expires");
                    }
                    assertEquals("mover", repository.findById(newId).getAttribute("user"));
                    return;
                }
            }
            throw new AssertionError("50 renames never crossed nodes");
        }
    }

    @Test
    void wrongPasswordIsServiceUnavailableNamingTheSettingsNotThePassword() {
        GatewayException e = assertThrows(GatewayException.class,
                () -> RedisClients.create(settings("redis.password", "wrong-" + PASSWORD)).close());
        assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("redis.password"), e.getMessage());
        assertFalse(StandaloneTopologyTest.causes(e).contains(PASSWORD), StandaloneTopologyTest.causes(e));
    }

    @Test
    void clusterSettingsRefuseADatabaseIndex() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> settings("redis.dbIndex", "3"));
        assertEquals("redis.dbIndex", e.setting());
    }

    /** Which primary owns the session's slot (by the hash tag, as the cluster computes it). */
    static int owner(String id) {
        int slot = JedisClusterCRC16.getSlot(key(id));
        for (int i = 0; i < SLOTS.length; i++) {
            if (slot >= SLOTS[i][0] && slot <= SLOTS[i][1]) {
                return i;
            }
        }
        throw new IllegalStateException("slot " + slot);
    }

    static Jedis admin(int node) {
        Jedis admin = new Jedis("127.0.0.1", primaries.get(node).port());
        admin.auth(PASSWORD);
        return admin;
    }

    /** A free port whose cluster bus port (port + 10000, fixed in Redis 6.2) is free as well. */
    static int clusterPort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = RedisNodes.freePort();
            if (port + 10_000 <= 65_535) {
                try (java.net.ServerSocket bus = new java.net.ServerSocket(port + 10_000)) {
                    return port;
                } catch (java.io.IOException taken) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no free port pair for a cluster node");
    }

    static void awaitClusterOk() {
        long deadline = System.currentTimeMillis() + 30_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            boolean ok = true;
            for (int i = 0; i < primaries.size(); i++) {
                try (Jedis admin = admin(i)) {
                    last = admin.clusterInfo();
                    ok &= last.contains("cluster_state:ok") && last.contains("cluster_known_nodes:3");
                }
            }
            if (ok) {
                return;
            }
            RedisNodes.sleep(100);
        }
        throw new AssertionError("cluster not ok after 30 s: " + last);
    }
}
