package io.renku.gateway.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.renku.gateway.redis.InvalidationChannel;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sessions this replica read from Redis lately, kept in memory as Redis returned them (the stored hash, tokens
 * still encrypted), so that a request with a hot session cookie costs no round trip. Bounded by
 * {@code sessions.nearCache.maxEntries} (Caffeine's size eviction) and by {@code sessions.nearCache.maxAgeSeconds}
 * after which an entry is read again even if nothing said it changed.
 *
 * <p>Never stale in a way a user could exploit: every write of a session, on any replica, publishes its id in the
 * same script that writes it, and {@link InvalidationChannel} hands the id to {@link #invalidated}. The cache serves
 * only while that channel is confirmed live; when it drops, is closed or stops answering its pings the cache is
 * emptied and bypassed until the subscription is back ({@link #reset}). A read that raced with an invalidation of
 * its session is not cached: each put carries the invalidation count of the session's stripe (one of 4 096, by the
 * id's hash) seen before its Redis read, and is refused (or undone) when an invalidation of that stripe, or a reset,
 * arrived meanwhile. So after a logout on replica A is acknowledged, replica B has already been told
 * (Redis pushes the message before it answers A's script), and B serves the session only if it did not hear it.
 */
public final class SessionNearCache implements InvalidationChannel.Listener {
    private static final int STRIPES = 4096;
    private final Cache<String, Map<byte[], byte[]>> entries;
    /**
     * Invalidations seen, counted per stripe of session ids: a read races only with invalidations of its own stripe
     * (its own id, or one of the few that share the stripe), so a busy replica's writes to other sessions no longer
     * keep every concurrent read from being cached. A reset counts on every stripe.
     */
    private final AtomicLongArray invalidations = new AtomicLongArray(STRIPES);
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private volatile boolean live;
    private volatile BooleanSupplier quiet = () -> true;

    public SessionNearCache(int maxEntries, Duration maxAge) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries must be > 0");
        }
        entries = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(maxAge).build();
    }

    /**
     * Asked before each hit: false while an invalidation may be waiting unread ({@link InvalidationChannel#quiet()});
     * the lookup then goes to Redis.
     */
    public void quietWhen(BooleanSupplier quiet) {
        this.quiet = java.util.Objects.requireNonNull(quiet, "quiet");
    }

    /** The stored hash of session {@code id} if it is cached and the cache can be trusted; counts a hit or miss. */
    Map<byte[], byte[]> get(String id) {
        // The channel is asked first: an invalidation handled after the entry was taken would not stop it.
        Map<byte[], byte[]> hash = live && quiet.getAsBoolean() ? entries.getIfPresent(id) : null;
        (hash == null ? misses : hits).increment();
        return hash;
    }

    /** Taken before a Redis read of session {@code id} whose result may be cached: see {@link #put}. */
    long stamp(String id) {
        return invalidations.get(stripe(id));
    }

    /**
     * Caches what a read of {@code id} begun at {@code stamp} found, unless an invalidation of its stripe (or a reset)
     * arrived since: then it may be stale.
     */
    void put(String id, Map<byte[], byte[]> hash, long stamp) {
        int stripe = stripe(id);
        if (!live || invalidations.get(stripe) != stamp) {
            return;
        }
        entries.put(id, Map.copyOf(hash));
        if (invalidations.get(stripe) != stamp) {
            entries.invalidate(id); // an invalidation came between the check and the put
        }
    }

    static int stripe(String id) {
        int h = id.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** This replica changed or deleted {@code id}: forget it here at once, before Redis's message comes back. */
    void forget(String id) {
        invalidated(id);
    }

    @Override
    public void invalidated(String id) {
        invalidations.incrementAndGet(stripe(id)); // first: a put racing with this sees the count move
        entries.invalidate(id);
    }

    @Override
    public void reset(boolean live) {
        for (int i = 0; i < STRIPES; i++) {
            invalidations.incrementAndGet(i);
        }
        if (!live) {
            this.live = false;
        }
        entries.invalidateAll();
        if (live) {
            this.live = true;
        }
    }

    public boolean live() {
        return live;
    }

    public long size() {
        return entries.estimatedSize();
    }

    /** Runs Caffeine's pending evictions now (they otherwise run a little later, on the next operations). */
    public void cleanUp() {
        entries.cleanUp();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }
}
