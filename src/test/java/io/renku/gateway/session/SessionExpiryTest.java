package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionExpiryTest {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    /** Times are seconds after T0; lifetime and idle in seconds (idle -1 = no idle timeout). */
    @ParameterizedTest(name = "life={0} idle={1} created={2} last={3} now={4} -> ttl={5}ms expired={6}")
    @CsvSource({
        // fresh session: idle timeout is the shorter one
        "86400, 14400, 0, 0, 0, 14400000, false",
        // activity pushes the idle deadline forward
        "86400, 14400, 0, 3600, 3600, 14400000, false",
        // half-way through idle
        "86400, 14400, 0, 0, 7200, 7200000, false",
        // exactly at the idle deadline it has expired
        "86400, 14400, 0, 0, 14400, 0, true",
        // past the idle deadline
        "86400, 14400, 0, 0, 20000, -5600000, true",
        // late in the lifetime the absolute limit is the shorter one
        "86400, 14400, 0, 80000, 80000, 6400000, false",
        // constant activity cannot extend past the absolute limit
        "86400, 14400, 0, 86399, 86399, 1000, false",
        "86400, 14400, 0, 86400, 86400, 0, true",
        // no idle timeout: only the absolute limit applies
        "86400, -1, 0, 0, 50000, 36400000, false",
        "86400, -1, 0, 0, 86400, 0, true",
        // idle longer than lifetime
        "60, 3600, 0, 0, 30, 30000, false",
        // idle of zero means expired right away
        "60, 0, 0, 0, 0, 0, true",
        // created in the past relative to T0 offsets
        "100, 50, 10, 20, 30, 40000, false",
    })
    void ttlAndExpiry(long life, long idle, long created, long last, long now, long ttl, boolean expired) {
        SessionExpiry expiry = new SessionExpiry(Duration.ofSeconds(life));
        Duration maxInactive = Duration.ofSeconds(idle);
        assertEquals(ttl, expiry.ttlMillis(T0.plusSeconds(created), T0.plusSeconds(last), maxInactive,
                T0.plusSeconds(now)));
        assertEquals(expired, expiry.isExpired(T0.plusSeconds(created), T0.plusSeconds(last), maxInactive,
                T0.plusSeconds(now)));
    }

    @ParameterizedTest
    @CsvSource({"0", "-1"})
    void lifetimeMustBePositive(long seconds) {
        assertThrows(IllegalArgumentException.class, () -> new SessionExpiry(Duration.ofSeconds(seconds)));
    }
}
