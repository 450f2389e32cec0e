package io.renku.gateway.redis;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@link Locks} for a single node without Redis (in-memory sessions): one JVM, so a map of latches is enough. */
public final class LocalLocks implements Locks {
    private final ConcurrentMap<String, CountDownLatch> held = new ConcurrentHashMap<>();

    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl) {
        CountDownLatch latch = new CountDownLatch(1);
        if (held.putIfAbsent(name, latch) != null) {
            return Optional.empty();
        }
        return Optional.of(() -> {
            held.remove(name, latch);
            latch.countDown();
        });
    }

    @Override
    public boolean awaitRelease(String name, Duration timeout) throws InterruptedException {
        CountDownLatch latch = held.get(name);
        return latch == null || latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        held.values().forEach(CountDownLatch::countDown);
    }
}
