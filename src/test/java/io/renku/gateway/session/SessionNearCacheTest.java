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
        cache.put("s", HASH, cache.stamp("s"));
        assertNull(cache.get("s"));
    }

    @Test
    void aReadIsCachedWhenNoInvalidationCameMeanwhile() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp("s"));
        assertNotNull(cache.get("s"));
        assertEquals(1, cache.hits());
    }

    @Test
    void aReadThatRacedWithAnInvalidationOfItsSessionIsNotCached() {
        SessionNearCache cache = live();
        long stamp = cache.stamp("s");
        cache.invalidated("s"); // the read may have seen the state before it
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"));
        assertEquals(1, cache.misses());
    }

    /** The first id {@code o0}, {@code o1}, … whose stripe passes {@code test}. */
    static String idWhere(java.util.function.IntPredicate test) {
        for (int i = 0; ; i++) {
            if (test.test(SessionNearCache.stripe("o" + i))) {
                return "o" + i;
            }
        }
    }

    @Test
    void aReadThatRacedWithAnInvalidationOfAnIdOfItsStripeIsNotCached() {
        SessionNearCache cache = live();
        String neighbour = idWhere(stripe -> stripe == SessionNearCache.stripe("s"));
        long stamp = cache.stamp("s");
        cache.invalidated(neighbour);
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"));
    }

    /** Writes to other sessions (a busy replica: logins, refreshes, touches) do not keep a read from being cached. */
    @Test
    void anInvalidationOfAnotherStripeDoesNotStopAReadBeingCached() {
        SessionNearCache cache = live();
        String other = idWhere(stripe -> stripe != SessionNearCache.stripe("s"));
        long stamp = cache.stamp("s");
        cache.invalidated(other);
        cache.put("s", HASH, stamp);
        assertNotNull(cache.get("s"));
    }

    @Test
    void anInvalidationDropsTheEntry() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp("s"));
        cache.invalidated("s");
        assertNull(cache.get("s"));
    }

    @Test
    void aDroppedChannelEmptiesTheCacheAndStopsServing() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp("s"));
        cache.reset(false);
        assertEquals(0, cache.size());
        long stamp = cache.stamp("s");
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"), "not cached while the channel is down");
        cache.reset(true);
        cache.put("s", HASH, stamp);
        assertNull(cache.get("s"), "a read begun before the channel came back may have missed a change");
    }

    @Test
    void anEntryWaitingBehindAnUnreadInvalidationIsNotServed() {
        SessionNearCache cache = live();
        cache.put("s", HASH, cache.stamp("s"));
        cache.quietWhen(() -> false);
        assertNull(cache.get("s"));
        cache.quietWhen(() -> true);
        assertNotNull(cache.get("s"));
    }
}
