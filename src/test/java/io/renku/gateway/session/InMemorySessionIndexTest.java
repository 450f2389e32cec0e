package io.renku.gateway.session;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemorySessionIndexTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemorySessionIndex index = new InMemorySessionIndex(Duration.ofHours(1), clock);

    @Test
    void aRenamedSessionIsFoundUnderItsNewIdOnly() {
        Set<String> keys = Set.of(SessionIndex.sidKey("https://kc/realms/renku", "s1"),
                SessionIndex.subKey("https://kc/realms/renku", "u1"));
        index.add(keys, "old");
        index.remove(keys, "old");
        index.add(keys, "new");
        assertEquals(Set.of("new"), index.take(SessionIndex.sidKey("https://kc/realms/renku", "s1")));
        assertEquals(Set.of(), index.take(SessionIndex.sidKey("https://kc/realms/renku", "s1")), "taken once");
        assertEquals(Set.of(), index.take(SessionIndex.sidKey("https://other/realms/renku", "s1")), "issuer-bound");
    }

    @Test
    void entriesEndWithTheSessionLifetime() {
        index.add(Set.of("sub:i|u"), "id");
        clock.advance(Duration.ofHours(2));
        assertEquals(Set.of(), index.take("sub:i|u"));
    }

    @Test
    void aMarkerIsAcceptedOnceUntilItExpires() {
        assertTrue(index.firstUse("jti:i|1", Duration.ofMinutes(5)));
        assertFalse(index.firstUse("jti:i|1", Duration.ofMinutes(5)));
        clock.advance(Duration.ofMinutes(6));
        assertTrue(index.firstUse("jti:i|1", Duration.ofMinutes(5)));
    }
}
