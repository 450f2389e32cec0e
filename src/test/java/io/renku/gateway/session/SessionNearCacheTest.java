package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionNearCacheTest {
    static final Map<byte[], byte[]> HASH = Map.of("created".getBytes(StandardCharsets.UTF_8),
            "1".getBytes(StandardCharsets.UTF_8));

    static SessionNearCache live() {
        SessionNearCache cache = new SessionNearCache(10, Duration.ofMinutes(1));
        cache.reset(true);
        return cache;
    }

    @Test
    void nothingIsServedBeforeTheChannelIsLive() {
        SessionNearCache cache = new SessionNearCache(10, Duration.ofMinutes(1));
        cache.put("s", HASH, cache.stamp());
        assertNull(cache.get("s"));
    }

    @Test
    void aReadIsCachedWhenNoInvalidationCameMeanwhile() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp());
        assertNotNull(cache.get("s"));
        assertEquals(1, cache.hits());
    }

    @Test
    void aReadThatRacedWithAnInvalidationIsNotCached() {
        SessionNearCache cache = live();
        long stamp = cache.stamp();
        cache.invalidated("other"); // any invalidation: the read may have seen the state before it
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"));
        assertEquals(1, cache.misses());
    }

    @Test
    void anInvalidationDropsTheEntry() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp());
        cache.invalidated("s");
        assertNull(cache.get("s"));
    }

    @Test
    void aDroppedChannelEmptiesTheCacheAndStopsServing() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp());
        cache.reset(false);
        assertEquals(0, cache.size());
        long stamp = cache.stamp();
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"), "not cached while the channel is down");
        cache.reset(true);
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"), "a read begun before the channel came back may have missed a change");
    }

    @Test
    void anEntryWaitingBehindAnUnreadInvalidationIsNotServed() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp());
        cache.quietWhen(() -> false);
        assertNull(cache.get("s"));
        cache.quietWhen(() -> true);
        assertNotNull(cache.get("s"));
    }
}
