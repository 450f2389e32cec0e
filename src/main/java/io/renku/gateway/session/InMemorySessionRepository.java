package io.renku.gateway.session;

import io.renku.gateway.config.SessionSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.session.MapSession;
import org.springframework.session.SessionIdGenerator;
import org.springframework.session.SessionRepository;

/**
 * Sessions in this JVM's memory, for a single node without Redis (the demo, a small install). Same rules as
 * {@link RedisSessionRepository}: 256-bit ids, idle and absolute expiry checked on every read, copies handed out so a
 * request sees its changes only after it saved them. Expired sessions nobody asks for again are swept at most once a
 * minute, when a session is created, so memory does not grow with abandoned sessions.
 */
public final class InMemorySessionRepository implements SessionRepository<MapSession> {
    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    private final Map<String, MapSession> sessions = new ConcurrentHashMap<>();
    private final Duration defaultMaxInactive;
    private final SessionExpiry expiry;
    private final SessionIdGenerator ids;
    private final Clock clock;
    private final AtomicReference<Instant> nextSweep;

    public InMemorySessionRepository(Duration defaultMaxInactive, SessionExpiry expiry, SessionIdGenerator ids,
            Clock clock) {
        this.defaultMaxInactive = Objects.requireNonNull(defaultMaxInactive, "defaultMaxInactive");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nextSweep = new AtomicReference<>(clock.instant().plus(SWEEP_INTERVAL));
    }

    public static InMemorySessionRepository of(SessionSettings settings) {
        return new InMemorySessionRepository(Duration.ofSeconds(settings.idleSessionTtlSeconds()),
                new SessionExpiry(Duration.ofSeconds(settings.maxSessionTtlSeconds())), new SessionIds(),
                Clock.systemUTC());
    }

    @Override
    public MapSession createSession() {
        sweepIfDue();
        MapSession session = new MapSession(ids);
        Instant now = clock.instant();
        session.setCreationTime(now);
        session.setLastAccessedTime(now);
        session.setMaxInactiveInterval(defaultMaxInactive);
        return session;
    }

    @Override
    public void save(MapSession session) {
        if (!session.getId().equals(session.getOriginalId())) {
            sessions.remove(session.getOriginalId());
        }
        if (expired(session)) {
            sessions.remove(session.getId());
            return;
        }
        sessions.put(session.getId(), copy(session));
    }

    @Override
    public MapSession findById(String id) {
        if (!SessionIds.isWellFormed(id)) {
            return null;
        }
        MapSession stored = sessions.get(id);
        if (stored == null) {
            return null;
        }
        if (expired(stored)) {
            sessions.remove(id, stored);
            return null;
        }
        return copy(stored);
    }

    @Override
    public void deleteById(String id) {
        sessions.remove(id);
    }

    /** Number of sessions held, expired or not (for tests and metrics). */
    public int size() {
        return sessions.size();
    }

    private boolean expired(MapSession session) {
        return expiry.isExpired(session.getCreationTime(), session.getLastAccessedTime(),
                session.getMaxInactiveInterval(), clock.instant());
    }

    private MapSession copy(MapSession session) {
        MapSession copy = new MapSession(session);
        copy.setSessionIdGenerator(ids);
        return copy;
    }

    private void sweepIfDue() {
        Instant now = clock.instant();
        Instant due = nextSweep.get();
        if (now.isBefore(due) || !nextSweep.compareAndSet(due, now.plus(SWEEP_INTERVAL))) {
            return;
        }
        sessions.values().removeIf(this::expired);
    }
}
