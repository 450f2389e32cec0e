package io.renku.gateway.redis;

import io.renku.gateway.errors.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * A few short-lived values that the holder of a {@link Locks} lock hands to the replicas waiting for it (the result of
 * a token refresh): they cannot read it from the holder's session, which is committed only when the holder's request
 * ends. In Redis ({@code SET <namespace>:<name> value PX ttl}) when Redis is configured, else in this JVM's memory,
 * like {@link LocalLocks}. Callers store only ciphertext here.
 */
public interface ShortLivedValues {

    void put(String name, String value, Duration ttl);

    Optional<String> get(String name);

    static ShortLivedValues redis(UnifiedJedis redis, String namespace) {
        return new InRedis(redis, namespace + ":");
    }

    static ShortLivedValues local() {
        return new InMemory(System::nanoTime);
    }

    /** Keys {@code <namespace>:<name>} with a millisecond TTL; a Redis failure is the usual 503. */
    final class InRedis implements ShortLivedValues {
        private final UnifiedJedis redis;
        private final String prefix;

        InRedis(UnifiedJedis redis, String prefix) {
            this.redis = Objects.requireNonNull(redis, "redis");
            this.prefix = Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public void put(String name, String value, Duration ttl) {
            try {
                redis.set(prefix + name, value, SetParams.setParams().px(Math.max(1, ttl.toMillis())));
            } catch (JedisException e) {
                throw GatewayException.unavailable("The session store is unavailable", 5, e);
            }
        }

        @Override
        public Optional<String> get(String name) {
            try {
                return Optional.ofNullable(redis.get(prefix + name));
            } catch (JedisException e) {
                throw GatewayException.unavailable("The session store is unavailable", 5, e);
            }
        }
    }

    /** One node: a map whose entries expire; expired entries are dropped whenever a value is put. */
    final class InMemory implements ShortLivedValues {
        private record Entry(String value, long expiresAtNanos) {
        }

        private final Map<String, Entry> values = new ConcurrentHashMap<>();
        private final LongSupplier nanoTime;

        InMemory(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        }

        @Override
        public void put(String name, String value, Duration ttl) {
            long now = nanoTime.getAsLong();
            values.values().removeIf(e -> e.expiresAtNanos() - now <= 0);
            values.put(name, new Entry(value, now + ttl.toNanos()));
        }

        @Override
        public Optional<String> get(String name) {
            Entry entry = values.get(name);
            if (entry == null || entry.expiresAtNanos() - nanoTime.getAsLong() <= 0) {
                return Optional.empty();
            }
            return Optional.of(entry.value());
        }
    }
}
