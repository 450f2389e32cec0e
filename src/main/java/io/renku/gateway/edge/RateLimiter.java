package io.renku.gateway.edge;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.jedis.cas.JedisBasedProxyManager;
import io.renku.gateway.config.OpsSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.UnifiedJedis;

/**
 * Token buckets per caller, on Bucket4j: {@code server.rateLimit.requestsPerSecond} refill greedily up to
 * {@code server.rateLimit.burst}. With Redis the buckets live there (Bucket4j's compare-and-swap Jedis backend, one
 * key per caller under {@code <namespace>:ratelimit:}, expiring once full again), so all replicas share one limit;
 * without Redis each node keeps its own, bounded to {@link #MAX_LOCAL_BUCKETS} callers.
 */
public final class RateLimiter {
    static final int MAX_LOCAL_BUCKETS = 100_000;

    /** What one request may do: go on, or wait {@code retryAfterSeconds}. */
    public record Decision(boolean allowed, long retryAfterSeconds) {
    }

    private final BucketConfiguration configuration;
    private final Optional<ProxyManager<byte[]>> redis;
    private final String prefix;
    private final Map<String, Bucket> local = new ConcurrentHashMap<>();

    private RateLimiter(BucketConfiguration configuration, Optional<ProxyManager<byte[]>> redis, String prefix) {
        this.configuration = configuration;
        this.redis = redis;
        this.prefix = prefix;
    }

    public static RateLimiter of(OpsSettings.RateLimit limit, Optional<UnifiedJedis> jedis, String namespace) {
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(limit.burst()).refillGreedy(limit.requestsPerSecond(), Duration.ofSeconds(1)))
                .build();
        Optional<ProxyManager<byte[]>> redis = jedis.map(j -> JedisBasedProxyManager.builderFor(j)
                .withExpirationStrategy(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofSeconds(10)))
                .build());
        return new RateLimiter(configuration, redis, namespace + ":ratelimit:");
    }

    /** Takes one token for {@code caller}. Throws when Redis cannot be asked; the filter then lets the request pass. */
    public Decision take(String caller) {
        ConsumptionProbe probe;
        if (redis.isPresent()) {
            probe = redis.get().getProxy((prefix + caller).getBytes(StandardCharsets.UTF_8), () -> configuration)
                    .tryConsumeAndReturnRemaining(1);
        } else {
            if (local.size() > MAX_LOCAL_BUCKETS) {
                local.clear(); // crude but bounded: a flood of callers resets everyone's bucket, never the heap
            }
            probe = local.computeIfAbsent(caller, k -> Bucket.builder().addLimit(configuration.getBandwidths()[0])
                    .build()).tryConsumeAndReturnRemaining(1);
        }
        return probe.isConsumed() ? new Decision(true, 0)
                : new Decision(false, Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L));
    }
}
