package io.renku.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link SessionIndex} in this JVM, for a single node without Redis (beside {@link InMemorySessionRepository}).
 * Entries expire like the Redis ones; expired ones are swept at most once a minute when something is added, so memory
 * is bounded by the sessions and logout tokens of one lifetime.
 */
public final class InMemorySessionIndex implements SessionIndex {
    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    private final Map<String, Map<String, Instant>> index = new ConcurrentHashMap<>();
    private final Map<String, Instant> markers = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;
    private final AtomicReference<Instant> nextSweep;

    public InMemorySessionIndex(Duration lifetime, Clock clock) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nextSweep = new AtomicReference<>(clock.instant().plus(SWEEP_INTERVAL));
    }

    @Override
    public void add(Set<String> keys, String sessionId) {
        Instant now = clock.instant();
        sweep(now);
        for (String key : keys) {
            index.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(sessionId, now.plus(lifetime));
        }
    }

    @Override
    public void remove(Set<String> keys, String sessionId) {
        for (String key : keys) {
            index.computeIfPresent(key, (k, ids) -> {
                ids.remove(sessionId);
                return ids.isEmpty() ? null : ids;
            });
        }
    }

    @Override
    public Set<String> take(String key) {
        Map<String, Instant> ids = index.remove(key);
        Set<String> live = new HashSet<>();
        if (ids != null) {
            Instant now = clock.instant();
            ids.forEach((id, until) -> {
                if (until.isAfter(now)) {
                    live.add(id);
                }
            });
        }
        return live;
    }

    @Override
    public boolean firstUse(String marker, Duration ttl) {
        Instant now = clock.instant();
        sweep(now);
        Instant until = now.plus(ttl);
        Instant[] previous = new Instant[1];
        markers.compute(marker, (k, old) -> {
            previous[0] = old;
            return old != null && old.isAfter(now) ? old : until;
        });
        return previous[0] == null || !previous[0].isAfter(now);
    }

    /** At most once a minute, so a login does not walk the whole index. */
    private void sweep(Instant now) {
        Instant due = nextSweep.get();
        if (now.isBefore(due) || !nextSweep.compareAndSet(due, now.plus(SWEEP_INTERVAL))) {
            return;
        }
        markers.values().removeIf(until -> !until.isAfter(now));
        index.values().forEach(ids -> ids.values().removeIf(until -> !until.isAfter(now)));
        index.values().removeIf(Map::isEmpty);
    }
}
