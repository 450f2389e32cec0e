package io.renku.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.embedded.RedisServer;

/** The refresh lock against a real redis-server: exclusive, renewed while held, released only by its owner. */
class RedisLocksComponentTest {
    static RedisServer server;
    static JedisPooled client;
    static Jedis raw;

    @BeforeAll
    static void startRedis() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
        server.start();
        client = new JedisPooled(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().build());
        raw = new Jedis("127.0.0.1", port);
    }

    @AfterAll
    static void stopRedis() throws IOException {
        try (Jedis r = raw; JedisPooled c = client) {
            // closed
        } finally {
            server.stop();
        }
    }

    @Test
    void onlyOneOfManyContendersGetsTheLock() throws Exception {
        try (RedisLocks replicaA = new RedisLocks(client, "t1"); RedisLocks replicaB = new RedisLocks(client, "t1")) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            AtomicInteger winners = new AtomicInteger();
            List<Future<Optional<Locks.Lease>>> tries = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                RedisLocks locks = i % 2 == 0 ? replicaA : replicaB;
                Callable<Optional<Locks.Lease>> attempt = () -> locks.tryAcquire("refresh:s1", Duration.ofSeconds(5));
                tries.add(pool.submit(attempt));
            }
            for (Future<Optional<Locks.Lease>> attempt : tries) {
                attempt.get().ifPresent(lease -> winners.incrementAndGet());
            }
            pool.shutdown();
            assertEquals(1, winners.get());
        }
    }

    @Test
    void aHeldLockIsRenewedPastItsTtlAndReleasedByItsOwner() throws Exception {
        try (RedisLocks locks = new RedisLocks(client, "t2")) {
            Locks.Lease lease = locks.tryAcquire("refresh:s2", Duration.ofMillis(300)).orElseThrow();
            Thread.sleep(900);
            assertTrue(raw.exists("t2:locks:refresh:s2"), "renewed while held");
            assertFalse(locks.tryAcquire("refresh:s2", Duration.ofMillis(300)).isPresent());
            lease.close();
            assertFalse(raw.exists("t2:locks:refresh:s2"));
            assertTrue(locks.awaitRelease("refresh:s2", Duration.ofMillis(10)));
        }
    }

    @Test
    void anExpiredHolderCannotReleaseTheNextHoldersLock() throws Exception {
        try (RedisLocks locks = new RedisLocks(client, "t3")) {
            Locks.Lease stale = locks.tryAcquire("refresh:s3", Duration.ofSeconds(5)).orElseThrow();
            raw.del("t3:locks:refresh:s3"); // as if it had expired while its holder stalled
            Locks.Lease current = locks.tryAcquire("refresh:s3", Duration.ofSeconds(5)).orElseThrow();
            stale.close();
            assertTrue(raw.exists("t3:locks:refresh:s3"), "the stale holder released someone else's lock");
            current.close();
            assertFalse(raw.exists("t3:locks:refresh:s3"));
        }
    }

    @Test
    void waitersSeeTheReleaseOrTimeOut() throws Exception {
        try (RedisLocks locks = new RedisLocks(client, "t4")) {
            Locks.Lease lease = locks.tryAcquire("refresh:s4", Duration.ofSeconds(5)).orElseThrow();
            assertFalse(locks.awaitRelease("refresh:s4", Duration.ofMillis(100)));
            Thread releaser = new Thread(() -> {
                sleep(150);
                lease.close();
            });
            releaser.start();
            assertTrue(locks.awaitRelease("refresh:s4", Duration.ofSeconds(2)));
            releaser.join();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
