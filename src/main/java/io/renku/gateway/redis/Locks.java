package io.renku.gateway.redis;

import java.time.Duration;
import java.util.Optional;

/**
 * Mutual exclusion across gateway replicas, for work that must happen once (a token refresh): {@link RedisLocks}
 * over Redis, {@link LocalLocks} for a single node without Redis.
 */
public interface Locks extends AutoCloseable {

    /** A held lock; {@link #close()} releases it, and only if it is still ours. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** The lock if nobody holds it; it expires after {@code ttl} unless the holder is alive to renew it. */
    Optional<Lease> tryAcquire(String name, Duration ttl);

    /** Waits until nobody holds {@code name} or {@code timeout} passes; true when it was released in time. */
    boolean awaitRelease(String name, Duration timeout) throws InterruptedException;

    @Override
    void close();
}
