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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Two gateway replicas over Redis Sentinel as operators run it (one primary, one replica, three Sentinels with quorum
 * two, persistence on, passwords on the data nodes and on the Sentinels): the replicas act as one, and a SIGKILL of
 * the primary under a loop of 3 000 session requests loses no session; requests fail (503 with {@code Retry-After})
 * only inside the failover window, whose figure is printed.
 */
@ExtendWith(KeycloakExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaSentinelIT {
    static final String MASTER = "gateway-primary";
    static final String DATA_PASSWORD = "sentinel-it-data-7";
    static final String SENTINEL_PASSWORD = "sentinel-it-sentinel-9";
    static RedisNodes nodes;
    static RedisNodes.Node primary;
    static RedisNodes.Node replica;
    static final List<RedisNodes.Node> sentinels = new ArrayList<>();
    static EchoUpstream echo;
    static Replicas replicas;
    static ReplicaChecks checks;

    @BeforeAll
    static void start() {
        IssuedSecrets.record(DATA_PASSWORD);
        IssuedSecrets.record(SENTINEL_PASSWORD);
        nodes = new RedisNodes("replica-sentinel");
        primary = nodes.server("primary", RedisNodes.freePort(), "requirepass " + DATA_PASSWORD,
                "masterauth " + DATA_PASSWORD, "appendonly yes");
        replica = nodes.server("replica", RedisNodes.freePort(), "requirepass " + DATA_PASSWORD,
                "masterauth " + DATA_PASSWORD, "appendonly yes", "replicaof 127.0.0.1 " + primary.port());
        for (int i = 1; i <= 3; i++) {
            sentinels.add(nodes.sentinel("sentinel-" + i, RedisNodes.freePort(), "requirepass " + SENTINEL_PASSWORD,
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + primary.port() + " 2",
                    "sentinel auth-pass " + MASTER + " " + DATA_PASSWORD,
                    "sentinel sentinel-pass " + SENTINEL_PASSWORD,
                    "sentinel down-after-milliseconds " + MASTER + " 1000",
                    "sentinel failover-timeout " + MASTER + " 10000",
                    "sentinel parallel-syncs " + MASTER + " 1"));
        }
        awaitSentinelsSeeEverything();
        echo = EchoUpstream.start(Ports.free());
        int portA = Ports.free();
        Map<String, String> settings = Replicas.sharedSettings("http://127.0.0.1:" + portA, echo.url());
        settings.put("redis.addresses", sentinels.stream().map(RedisNodes.Node::address)
                .collect(Collectors.joining(",")));
        settings.put("redis.isSentinel", "true");
        settings.put("redis.masterName", MASTER);
        settings.put("redis.password", DATA_PASSWORD);
        settings.put("redis.sentinelPassword", SENTINEL_PASSWORD);
        settings.put("redis.timeoutMillis", "1000");
        settings.put("login.tokenRefreshSkewSeconds", "290"); // a 300 s token is due 10 s after it was issued
        replicas = Replicas.start("replica-sentinel", List.of(portA, Ports.free()), settings);
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
        checks.refreshOnAIsInjectedByBAndConcurrentRefreshesReachKeycloakOnce("Sentinel");
    }

    @Test
    @Order(10)
    void aSigkilledPrimaryLosesNoSessionAndFailsRequestsOnlyInsideTheFailoverWindow() throws Exception {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(checks.logInOnA());
        }
        try (Jedis admin = new Jedis("127.0.0.1", primary.port())) {
            admin.auth(DATA_PASSWORD);
            assertEquals(1L, admin.waitReplicas(1, 5000), "the replica has every session before the crash");
        }
        checks.failoverDrill("Sentinel failover (SIGKILL of the primary, down-after-milliseconds 1000)", sessions,
                3000, primary::kill, () -> masterPortSeenByAllSentinels() == replica.port(), 1000);
        // after the failover the replicas still act as one
        checks.logoutOnAIsEffectiveOnBAtOnce();
    }

    static int masterPortSeenByAllSentinels() {
        List<Integer> ports = sentinels.stream().map(ReplicaSentinelIT::masterPort).distinct().toList();
        return ports.size() == 1 ? ports.get(0) : -1;
    }

    static int masterPort(RedisNodes.Node sentinel) {
        try (Jedis client = new Jedis("127.0.0.1", sentinel.port())) {
            client.auth(SENTINEL_PASSWORD);
            return Integer.parseInt(client.sentinelGetMasterAddrByName(MASTER).get(1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static void awaitSentinelsSeeEverything() {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            boolean ready = sentinels.stream().map(ReplicaSentinelIT::sentinelInfo)
                    .allMatch(info -> info.contains("status=ok") && info.contains("slaves=1")
                            && info.contains("sentinels=3"));
            if (ready) {
                return;
            }
            RedisNodes.sleep(100);
        }
        throw new AssertionError("the Sentinels did not see the whole setup within 30 s");
    }

    static String sentinelInfo(RedisNodes.Node sentinel) {
        try (Jedis client = new Jedis("127.0.0.1", sentinel.port())) {
            client.auth(SENTINEL_PASSWORD);
            return client.info("sentinel").lines().filter(l -> l.startsWith("master0:")).findFirst().orElse("");
        } catch (RuntimeException e) {
            return "";
        }
    }
}
