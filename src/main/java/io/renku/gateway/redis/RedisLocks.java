package io.renku.gateway.redis;

import io.renku.gateway.errors.GatewayException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Locks in Redis, the classic single-instance way: {@code SET key token NX PX ttl} to take one, a Lua
 * compare-and-{@code PEXPIRE} every third of the TTL while it is held (so a slow refresh keeps it, a crashed replica
 * loses it after one TTL), and a Lua compare-and-{@code DEL} to release, so a holder whose lock already expired can
 * never release someone else's. Keys are {@code <namespace>:locks:<name>}.
 */
public final class RedisLocks implements Locks {
    private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('DEL', KEYS[1]) else return 0 end";
    private static final Duration POLL = Duration.ofMillis(25);

    private final UnifiedJedis redis;
    private final String prefix;
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "gateway-lock-renewal");
        thread.setDaemon(true);
        return thread;
    });

    public RedisLocks(UnifiedJedis redis, String namespace) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.prefix = Objects.requireNonNull(namespace, "namespace") + ":locks:";
    }

    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl) {
        String key = key(name);
        String token = token();
        String answer = call(() -> redis.set(key, token, SetParams.setParams().nx().px(ttl.toMillis())));
        if (!"OK".equals(answer)) {
            return Optional.empty();
        }
        long every = Math.max(1, ttl.toMillis() / 3);
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> {
            try {
                redis.eval(RENEW, List.of(key), List.of(token, Long.toString(ttl.toMillis())));
            } catch (JedisException e) {
                // Redis is away: the lock expires by itself, which is the safe outcome.
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return Optional.of(() -> {
            renewal.cancel(false);
            call(() -> redis.eval(RELEASE, List.of(key), List.of(token)));
        });
    }

    @Override
    public boolean awaitRelease(String name, Duration timeout) throws InterruptedException {
        String key = key(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (call(() -> redis.exists(key))) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
        return true;
    }

    @Override
    public void close() {
        renewals.shutdownNow();
    }

    private String key(String name) {
        return prefix + name;
    }

    private String token() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static <T> T call(java.util.function.Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw GatewayException.unavailable("The session store is unavailable", 5, e);
        }
    }
}
