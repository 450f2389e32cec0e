package io.renku.gateway.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.function.LongSupplier;
import org.apache.http.HttpEntity;
import org.apache.http.entity.HttpEntityWrapper;

/**
 * The total-time bound of one proxied exchange ({@code revproxy.maxResponseMillis}). The read timeouts only bound
 * each silence, so a peer that sends a byte now and then (an upstream trickling its answer, a client trickling its
 * upload) would hold a connection and a worker thread for ever. Both bodies are read through {@link #guard}, which
 * fails the next read once the deadline has passed; a read that blocks is still bounded by its own timeout, so the
 * exchange ends at most one read timeout after the deadline. The failure is an {@link InterruptedIOException}, which
 * {@link UpstreamFailures} answers with 408 when the client's upload was too slow (a status that makes the container
 * close the connection rather than wait for the rest of the body) and 504 when the upstream's answer was; after the
 * answer has started the connection is cut (the request filter rethrows to the container), so the client cannot take
 * a truncated body for a whole one.
 */
public final class ExchangeDeadline {
    private final long deadlineNanos;
    private final long maxMillis;
    private final LongSupplier clock;

    private ExchangeDeadline(long maxMillis, LongSupplier clock) {
        this.maxMillis = maxMillis;
        this.clock = clock;
        this.deadlineNanos = maxMillis <= 0 ? Long.MAX_VALUE : clock.getAsLong() + maxMillis * 1_000_000L;
    }

    /** A deadline {@code maxMillis} from now ({@code 0} or less: none). */
    public static ExchangeDeadline in(long maxMillis) {
        return new ExchangeDeadline(maxMillis, System::nanoTime);
    }

    /** As {@link #in(long)}, on the given nanosecond clock (for tests). */
    static ExchangeDeadline in(long maxMillis, LongSupplier clock) {
        return new ExchangeDeadline(maxMillis, clock);
    }

    /**
     * Thrown by a guarded read once the deadline has passed; {@link #whileUploading()} tells whether it was the
     * client's body being read (the client was too slow: 408) or the upstream's (504).
     */
    public static final class ExceededException extends InterruptedIOException {
        private static final long serialVersionUID = 1L;
        private final boolean uploading;

        ExceededException(long maxMillis, boolean uploading) {
            super("the exchange took longer than revproxy.maxResponseMillis (" + maxMillis + " ms) while "
                    + (uploading ? "reading the client's body" : "reading the upstream's answer"));
            this.uploading = uploading;
        }

        public boolean whileUploading() {
            return uploading;
        }
    }

    /** Fails once the deadline is reached; {@code uploading}: the client's body is being read. */
    public void check(boolean uploading) throws ExceededException {
        if (deadlineNanos != Long.MAX_VALUE && clock.getAsLong() - deadlineNanos >= 0) {
            throw new ExceededException(maxMillis, uploading);
        }
    }

    /** The client's body, failing every read once the deadline has passed (checked before each read). */
    public InputStream guardUpload(InputStream in) {
        return guard(in, true);
    }

    /** An upstream's body, failing every read once the deadline has passed (checked before each read). */
    public InputStream guard(InputStream in) {
        return guard(in, false);
    }

    private InputStream guard(InputStream in, boolean uploading) {
        if (deadlineNanos == Long.MAX_VALUE) {
            return in;
        }
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                check(uploading);
                return super.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                check(uploading);
                return super.read(buffer, offset, length);
            }
        };
    }

    /** An upstream's answer whose body is read through {@link #guard}, whichever way the proxy copies it. */
    public HttpEntity guard(HttpEntity entity) {
        if (entity == null || deadlineNanos == Long.MAX_VALUE) {
            return entity;
        }
        return new HttpEntityWrapper(entity) {
            @Override
            public InputStream getContent() throws IOException {
                return guard(super.getContent());
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (InputStream in = getContent()) {
                    in.transferTo(out);
                }
            }
        };
    }
}
