package io.renku.gateway.session;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisSessionTest {
    final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    RedisSession loaded() {
        RedisSession session = new RedisSession(new SessionIds().generate(), clock.instant(), clock.instant(),
                Duration.ofMinutes(10), false, new AttributeCodec(), new SessionIds(),
                new SessionExpiry(Duration.ofHours(1)), clock);
        session.loadAttribute("kept", new AttributeCodec().encode("kept", "v"));
        return session;
    }

    @Test
    void loadedSessionHasNothingToWrite() {
        RedisSession session = loaded();
        assertFalse(session.hasChanges());
        assertEquals("v", session.getAttribute("kept"));
        assertFalse(session.hasChanges(), "reading is not a change");
    }

    @Test
    void setThenRemoveLeavesOnlyTheDeletion() {
        RedisSession session = loaded();
        session.setAttribute("kept", "new");
        session.removeAttribute("kept");
        assertEquals(Set.of(), session.changedFields().keySet());
        assertEquals(Set.of("attr:kept"), session.removedFields());
        assertNull(session.getAttribute("kept"));
    }

    @Test
    void removeThenSetLeavesOnlyTheWrite() {
        RedisSession session = loaded();
        session.removeAttribute("kept");
        session.setAttribute("kept", "again");
        assertEquals(Set.of("attr:kept"), session.changedFields().keySet());
        assertEquals(Set.of(), session.removedFields());
    }

    @Test
    void removingAnAbsentAttributeIsNoChangeAndNullMeansRemove() {
        RedisSession session = loaded();
        session.removeAttribute("never-set");
        assertFalse(session.hasChanges());
        session.setAttribute("kept", null);
        assertEquals(Set.of("attr:kept"), session.removedFields());
    }

    @Test
    void newSessionWritesItsMetadataAndExpiresByIdleOrLifetime() {
        RedisSession session = new RedisSession(new SessionIds().generate(), clock.instant(), clock.instant(),
                Duration.ofMinutes(10), true, new AttributeCodec(), new SessionIds(),
                new SessionExpiry(Duration.ofHours(1)), clock);
        assertEquals(Set.of("created", "lastAccessed", "maxInactive"), session.changedFields().keySet());
        assertFalse(session.isExpired());
        clock.advance(Duration.ofMinutes(10));
        assertTrue(session.isExpired());
        session.setLastAccessedTime(clock.instant());
        assertFalse(session.isExpired());
        session.setMaxInactiveInterval(Duration.ofSeconds(-1));
        clock.advance(Duration.ofMinutes(50));
        assertTrue(session.isExpired(), "absolute lifetime still applies without an idle timeout");
    }

    @Test
    void lastAccessIsWrittenBackOnlyAfterItMovedByTheTouchInterval() {
        RedisSession session = new RedisSession(new SessionIds().generate(), clock.instant(), clock.instant(),
                Duration.ofMinutes(10), false, new AttributeCodec(), new SessionIds(),
                new SessionExpiry(Duration.ofHours(1)), clock);
        assertEquals(Duration.ofSeconds(6), session.touchInterval(), "1% of a 10 minute idle timeout");
        clock.advance(Duration.ofSeconds(5));
        session.setLastAccessedTime(clock.instant());
        assertFalse(session.hasChanges(), "a request 5 s later writes nothing");
        clock.advance(Duration.ofSeconds(1));
        session.setLastAccessedTime(clock.instant());
        assertEquals(Set.of("lastAccessed"), session.changedFields().keySet());
    }
}
