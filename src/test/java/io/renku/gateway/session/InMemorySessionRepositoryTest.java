package io.renku.gateway.session;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.session.MapSession;

class InMemorySessionRepositoryTest {
    final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    final InMemorySessionRepository repository = new InMemorySessionRepository(Duration.ofMinutes(10),
            new SessionExpiry(Duration.ofHours(1)), new SessionIds(), clock);

    @Test
    void savedSessionIsFoundWithItsAttributes() {
        MapSession session = repository.createSession();
        assertTrue(SessionIds.isWellFormed(session.getId()));
        assertEquals(Duration.ofMinutes(10), session.getMaxInactiveInterval());
        session.setAttribute("user", "demo");
        repository.save(session);
        MapSession found = repository.findById(session.getId());
        assertEquals("demo", found.getAttribute("user"));
    }

    @Test
    void changesAreInvisibleUntilSaved() {
        MapSession session = repository.createSession();
        repository.save(session);
        MapSession copy = repository.findById(session.getId());
        copy.setAttribute("x", "y");
        assertNull(repository.findById(session.getId()).getAttribute("x"));
    }

    @Test
    void idleSessionExpires() {
        MapSession session = repository.createSession();
        repository.save(session);
        clock.advance(Duration.ofMinutes(10));
        assertNull(repository.findById(session.getId()));
        assertEquals(0, repository.size());
    }

    @Test
    void absoluteLifetimeEndsEvenAnActiveSession() {
        MapSession session = repository.createSession();
        repository.save(session);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(9));
            MapSession found = repository.findById(session.getId());
            assertNotNull(found, "minute " + (i + 1) * 9);
            found.setLastAccessedTime(clock.instant());
            repository.save(found);
        }
        clock.advance(Duration.ofMinutes(15));
        assertNull(repository.findById(session.getId()));
    }

    @Test
    void changedIdMovesTheSessionAndNewIdsHaveTheSameShape() {
        MapSession session = repository.createSession();
        session.setAttribute("a", 1);
        repository.save(session);
        MapSession found = repository.findById(session.getId());
        String old = found.getId();
        String renamed = found.changeSessionId();
        assertNotEquals(old, renamed);
        assertTrue(SessionIds.isWellFormed(renamed), renamed);
        repository.save(found);
        assertNull(repository.findById(old));
        assertEquals(1, (Integer) repository.findById(renamed).getAttribute("a"));
    }

    @Test
    void abandonedSessionsAreSwept() {
        for (int i = 0; i < 3; i++) {
            repository.save(repository.createSession());
        }
        clock.advance(Duration.ofMinutes(61));
        repository.createSession();
        assertEquals(0, repository.size());
    }

    @Test
    void malformedIdsAndDeletedSessionsAreAbsent() {
        assertNull(repository.findById("nope"));
        assertNull(repository.findById(null));
        MapSession session = repository.createSession();
        repository.save(session);
        repository.deleteById(session.getId());
        assertNull(repository.findById(session.getId()));
    }
}
