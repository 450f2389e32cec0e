package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.IssuedSecrets;
import io.renku.gateway.harness.KeycloakExtension;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.RedisNodes;
import io.renku.gateway.harness.Replicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Two gateway replicas over a Redis Cluster of three primaries sharing the slots, each with a replica of its own
 * (persistence on, a password, {@code cluster-node-timeout} 1000 ms): the replicas act as one, and a SIGKILL of the
 * primary that holds a session under a loop of 3 000 session requests loses no session; requests fail (503 with
 * {@code Retry-After}) only inside the failover window, whose figure is printed.
 */
@ExtendWith(KeycloakExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaClusterIT {
    static final String PASSWORD = "cluster-it-pass-4";
    static final int[][] SLOTS = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    static RedisNodes nodes;
    static final List<RedisNodes.Node> primaries = new ArrayList<>();
    static final List<RedisNodes.Node> secondaries = new ArrayList<>();
    static EchoUpstream echo;
    static Replicas replicas;
    static ReplicaChecks checks;

    @BeforeAll
    static void start() {
        IssuedSecrets.record(PASSWORD);
        nodes = new RedisNodes("replica-cluster");
        for (int i = 0; i < 6; i++) {
            RedisNodes.Node node = nodes.server("node-" + i, clusterPort(), "cluster-enabled yes",
                    "cluster-config-file nodes.conf", "cluster-node-timeout 1000", "requirepass " + PASSWORD,
                    "masterauth " + PASSWORD, "appendonly yes");
            (i < 3 ? primaries : secondaries).add(node);
        }
        for (int i = 0; i < 3; i++) {
            try (Jedis admin = admin(primaries.get(i))) {
                admin.clusterAddSlots(IntStream.rangeClosed(SLOTS[i][0], SLOTS[i][1]).toArray());
            }
        }
        for (RedisNodes.Node node : List.of(primaries.get(1), primaries.get(2), secondaries.get(0),
                secondaries.get(1), secondaries.get(2))) {
            try (Jedis admin = admin(node)) {
                admin.clusterMeet("127.0.0.1", primaries.get(0).port());
            }
        }
        awaitCluster(6);
        for (int i = 0; i < 3; i++) {
            String primaryId;
            try (Jedis admin = admin(primaries.get(i))) {
                primaryId = admin.clusterMyId();
            }
            try (Jedis admin = admin(secondaries.get(i))) {
                awaitKnown(admin, primaryId);
                admin.clusterReplicate(primaryId);
            }
        }
        awaitReplicasInSync();
        echo = EchoUpstream.start(Ports.free());
        int portA = Ports.free();
        Map<String, String> settings = Replicas.sharedSettings("http://127.0.0.1:" + portA, echo.url());
        settings.put("redis.addresses", primaries.get(0).address() + "," + primaries.get(1).address());
        settings.put("redis.isCluster", "true");
        settings.put("redis.password", PASSWORD);
        settings.put("redis.timeoutMillis", "1000");
        settings.put("login.tokenRefreshSkewSeconds", "290"); // a 300 s token is due 10 s after it was issued
        replicas = Replicas.start("replica-cluster", List.of(portA, Ports.free()), settings);
        checks = new ReplicaChecks(replicas);
    }

    @AfterAll
    static void stop() {
        try (EchoUpstream e = echo; RedisNodes n = nodes) {
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
        checks.refreshOnAIsInjectedByBAndConcurrentRefreshesReachKeycloakOnce("Cluster");
    }

    @Test
    @Order(10)
    void aSigkilledPrimaryLosesNoSessionAndFailsRequestsOnlyInsideTheFailoverWindow() throws Exception {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(checks.logInOnA());
        }
        for (RedisNodes.Node primary : primaries) {
            try (Jedis admin = admin(primary)) {
                assertEquals(1L, admin.waitReplicas(1, 5000), "the replica of " + primary + " is in sync");
            }
        }
        int victim = owner(ReplicaChecks.sessionId(sessions.get(0)));
        RedisNodes.Node promoted = secondaries.get(victim);
        checks.failoverDrill("Cluster failover (SIGKILL of primary " + victim + " of 3, cluster-node-timeout 1000)",
                sessions, 3000, primaries.get(victim)::kill, () -> isPrimary(promoted), 1000);
        checks.logoutOnAIsEffectiveOnBAtOnce();
    }

    /** Which primary owns the session's slot. */
    static int owner(String id) {
        int slot = JedisClusterCRC16.getSlot("gateway:sessions:{" + id + "}");
        for (int i = 0; i < SLOTS.length; i++) {
            if (slot >= SLOTS[i][0] && slot <= SLOTS[i][1]) {
                return i;
            }
        }
        throw new IllegalStateException("slot " + slot);
    }

    static boolean isPrimary(RedisNodes.Node node) {
        try (Jedis admin = admin(node)) {
            return admin.info("replication").contains("role:master")
                    && admin.clusterInfo().contains("cluster_state:ok");
        } catch (RuntimeException e) {
            return false;
        }
    }

    static Jedis admin(RedisNodes.Node node) {
        Jedis admin = new Jedis("127.0.0.1", node.port());
        admin.auth(PASSWORD);
        return admin;
    }

    static void awaitCluster(int known) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            boolean ok = true;
            for (RedisNodes.Node node : nodes()) {
                try (Jedis admin = admin(node)) {
                    String info = admin.clusterInfo();
                    ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + known);
                }
            }
            if (ok) {
                return;
            }
            RedisNodes.sleep(100);
        }
        throw new AssertionError("the cluster did not form within 30 s");
    }

    static void awaitKnown(Jedis admin, String nodeId) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!admin.clusterNodes().contains(nodeId)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("node " + nodeId + " unknown after 30 s");
            }
            RedisNodes.sleep(100);
        }
    }

    static void awaitReplicasInSync() {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            boolean synced = true;
            for (RedisNodes.Node primary : primaries) {
                try (Jedis admin = admin(primary)) {
                    synced &= admin.info("replication").contains("state=online");
                }
            }
            if (synced) {
                awaitCluster(6);
                return;
            }
            RedisNodes.sleep(100);
        }
        throw new AssertionError("the cluster's replicas did not sync within 30 s");
    }

    static List<RedisNodes.Node> nodes() {
        List<RedisNodes.Node> all = new ArrayList<>(primaries);
        all.addAll(secondaries);
        return all;
    }

    /** A free port whose cluster bus port (port + 10000) is free as well. */
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
}
