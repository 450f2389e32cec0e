package io.renku.gateway.web;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A count that is expensive to read (a Redis round trip), read at most every {@link #MAX_AGE_NANOS} for a gauge, so a
 * scraper that polls every second costs Redis one command every 30 s. A failed read is NaN: the gauge shows a gap,
 * never a made-up number.
 */
final class CachedCount {
    static final long MAX_AGE_NANOS = 30_000_000_000L;

    private final LongSupplier source;
    private double value = Double.NaN;
    private long readAt;
    private boolean read;

    CachedCount(LongSupplier source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    synchronized double value() {
        long now = System.nanoTime();
        if (!read || now - readAt > MAX_AGE_NANOS) {
            read = true;
            readAt = now;
            try {
                value = source.getAsLong();
            } catch (RuntimeException unavailable) {
                value = Double.NaN;
            }
        }
        return value;
    }
}
