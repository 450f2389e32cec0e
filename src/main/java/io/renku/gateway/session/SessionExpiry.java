package io.renku.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a session ends: {@code maxInactive} after its last access (the idle timeout; negative means none, as in the
 * Servlet API) or {@code maxLifetime} after its creation (the absolute limit), whichever comes first. Pure
 * arithmetic, shared by the Redis and in-memory repositories so both enforce the same rule, and so the Redis TTL is
 * exactly the time the session has left.
 */
public record SessionExpiry(Duration maxLifetime) {
    public SessionExpiry {
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        if (maxLifetime.isNegative() || maxLifetime.isZero()) {
            throw new IllegalArgumentException("maxLifetime must be positive");
        }
    }

    /** The first instant at which the session is no longer valid. */
    public Instant expiresAt(Instant created, Instant lastAccessed, Duration maxInactive) {
        Instant absolute = created.plus(maxLifetime);
        if (maxInactive.isNegative()) {
            return absolute;
        }
        Instant idle = lastAccessed.plus(maxInactive);
        return idle.isBefore(absolute) ? idle : absolute;
    }

    /** Milliseconds the session has left at {@code now}; zero or less means it has expired. */
    public long ttlMillis(Instant created, Instant lastAccessed, Duration maxInactive, Instant now) {
        return Duration.between(now, expiresAt(created, lastAccessed, maxInactive)).toMillis();
    }

    public boolean isExpired(Instant created, Instant lastAccessed, Duration maxInactive, Instant now) {
        return !now.isBefore(expiresAt(created, lastAccessed, maxInactive));
    }
}
