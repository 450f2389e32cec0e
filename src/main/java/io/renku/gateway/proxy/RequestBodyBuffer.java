package io.renku.gateway.proxy;

import io.renku.gateway.config.RevproxySettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a request body without a worker thread before the request is handled, the way nginx buffers a body before it
 * proxies it. A servlet reads its body with blocking reads, each holding a worker thread for as long as the client
 * takes to send; a few hundred clients trickling their uploads would hold the whole (small, on purpose) pool, and every
 * other caller would wait. Here a body declared by one {@code Content-Length} of at most
 * {@code revproxy.requestBuffer.maxBytes}, on a servlet named in the {@code servlets} init-param, is read with the
 * Servlet non-blocking API ({@link ReadListener}) into memory while the request is suspended; once it is all there, the
 * request is dispatched again ({@link DispatcherType#ASYNC}) and the rest of the chain runs with the body served from
 * memory, as if the client had sent it at once. Every filter after this one is mapped for ASYNC as well as REQUEST.
 *
 * <p>Bounds: each body must arrive within {@code revproxy.requestBuffer.maxMillis} (else a 408, sent through the
 * request filter, which closes the connection); all bodies held at once take at most
 * {@code revproxy.requestBuffer.totalBytes} of heap, counted as it is allocated, which grows with the bytes received,
 * never with what a client declares, plus {@link #PER_REQUEST} for each (a body that no longer fits is a 503 with
 * {@code Retry-After}; a request that finds the budget spent streams its body as before). A chunked body, or one
 * larger than {@code maxBytes}, streams through on a worker thread, bounded by {@code revproxy.maxResponseMillis}.
 *
 * <p>Hand-written because no kept library does it: Smiley's proxy and HttpClient read the servlet input with blocking
 * reads only.
 */
public final class RequestBodyBuffer extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = System.getLogger(RequestBodyBuffer.class.getName());
    private static final String BODY = RequestBodyBuffer.class.getName() + ".body";
    private static final String TURN = RequestBodyBuffer.class.getName() + ".turn";
    /** The first allocation for a body; it doubles as bytes arrive, up to the declared length. */
    private static final int FIRST_CHUNK = 1024;
    /**
     * What the budget is charged for each suspended request besides its bytes: the container's own state for a
     * request in progress (its request, response and their buffers), which a suspended request holds while a queued
     * connection would not. BoundsBench measured about 45 KiB more per slow upload than per slow-header connection.
     */
    static final int PER_REQUEST = 64 * 1024;

    private transient Set<String> servlets;
    private transient int maxBytes;
    private transient int maxMillis;
    private transient Budget budget;
    private transient Streams streams;

    @Override
    public void init() throws ServletException {
        RevproxySettings revproxy = GatewayContext.from(getServletContext()).settings().revproxy();
        String names = getInitParameter("servlets");
        servlets = Set.copyOf(Arrays.stream((names == null ? "proxy" : names).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
        maxBytes = revproxy.requestBufferMaxBytes();
        maxMillis = revproxy.requestBufferMaxMillis();
        budget = new Budget(revproxy.requestBufferTotalBytes());
        streams = new Streams(revproxy.maxStreamingUploads());
        GatewayMetrics metrics = GatewayMetrics.of(getServletContext());
        metrics.gauge("gateway.request.buffer.bytes",
                "Heap held by request bodies being read before their request is handled", budget, Budget::used);
        metrics.gauge("gateway.request.streaming.active", "Requests streaming their body upstream on a worker thread",
                streams, Streams::active);
        metrics.gauge("gateway.request.streaming.waiting", "Requests waiting for a turn to stream their body",
                streams, Streams::waiting);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            resume(request, response, chain);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST || !request.isAsyncSupported()
                || !servlets.contains(request.getHttpServletMapping().getServletName())) {
            chain.doFilter(request, response);
            return;
        }
        List<String> contentLengths = Collections.list(request.getHeaders("Content-Length"));
        String transferEncoding = request.getHeader("Transfer-Encoding");
        long length = bufferableLength(contentLengths, transferEncoding, maxBytes);
        if (length > 0 && budget.take(PER_REQUEST)) {
            try {
                suspend(request, response, (int) length);
            } catch (IOException | RuntimeException e) {
                if (request.getAttribute(BODY) instanceof Body body) {
                    body.release();
                } else {
                    budget.give(PER_REQUEST);
                }
                throw e;
            }
            return;
        }
        // no body, or one that streams on a worker thread while it arrives (chunked, larger than maxBytes, or the
        // budget spent): those take a turn, so that slow ones cannot hold every worker
        if (!hasBody(contentLengths, transferEncoding) || streams.unbounded()) {
            chain.doFilter(request, response);
            return;
        }
        Turn turn = new Turn();
        if (streams.enterOrWait(turn, () -> suspendForTurn(request, response, turn))) {
            try {
                chain.doFilter(request, response);
            } finally {
                streams.leave();
            }
        }
    }

    /** The second pass of a suspended request: its body has arrived, or its turn to stream has come (or neither). */
    private void resume(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getAttribute(BODY) instanceof Body body) {
            request.removeAttribute(BODY);
            try {
                chain.doFilter(body.request(request), response);
            } finally {
                body.release();
            }
        } else if (request.getAttribute(TURN) instanceof Turn turn) {
            request.removeAttribute(TURN);
            if (!turn.granted()) {
                throw GatewayException.unavailable("As many streaming uploads as revproxy.maxStreamingUploads allows ("
                        + streams.max + ") are in progress on this gateway, and none ended within "
                        + "revproxy.requestBuffer.maxMillis (" + maxMillis + " ms); try again", 5, null);
            }
            try {
                chain.doFilter(request, response);
            } finally {
                streams.leave();
            }
        } else {
            chain.doFilter(request, response);
        }
    }

    /** Suspends a request whose body would stream until a turn is free, without holding a worker thread. */
    private AsyncContext suspendForTurn(HttpServletRequest request, HttpServletResponse response, Turn turn) {
        AsyncContext async = request.startAsync(request, response);
        request.setAttribute(TURN, turn);
        async.setTimeout(maxMillis);
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                if (turn.give(false) && streams.withdraw(turn)) {
                    async.dispatch(); // answered with a 503 on the second pass
                }
            }

            @Override
            public void onError(AsyncEvent event) {
                if (turn.give(false) && streams.withdraw(turn)) {
                    async.complete();
                }
            }

            @Override
            public void onComplete(AsyncEvent event) {
                // nothing held: a turn is taken only on dispatch
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // the gateway starts no second asynchronous cycle
            }
        });
        return async;
    }

    /** A request has a body when it is chunked or announces a length other than 0. */
    static boolean hasBody(List<String> contentLengths, String transferEncoding) {
        return transferEncoding != null || contentLengths.stream().anyMatch(v -> !v.trim().equals("0"));
    }

    /**
     * The body's length when it is to be buffered: one plain decimal {@code Content-Length} of 1 to {@code max} bytes
     * and no {@code Transfer-Encoding}; otherwise -1 (no body, a chunked or a large one, or framing the proxy refuses
     * with a 400 of its own).
     */
    static long bufferableLength(List<String> contentLengths, String transferEncoding, int max) {
        if (max <= 0 || transferEncoding != null || contentLengths.size() != 1) {
            return -1;
        }
        long length = RequestFraming.plainLength(contentLengths.get(0).trim(), 10);
        return length > 0 && length <= max ? length : -1;
    }

    private void suspend(HttpServletRequest request, HttpServletResponse response, int length) throws IOException {
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(maxMillis);
        Body body = new Body(length, budget, async);
        request.setAttribute(BODY, body);
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                body.fail(new GatewayException(ErrorKind.REQUEST_TIMEOUT, "The request body did not arrive within "
                        + "revproxy.requestBuffer.maxMillis (" + maxMillis + " ms): " + body.received() + " of "
                        + length + " bytes came"));
            }

            @Override
            public void onError(AsyncEvent event) {
                body.abandon(event.getThrowable());
            }

            @Override
            public void onComplete(AsyncEvent event) {
                body.release();
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // the gateway starts no second asynchronous cycle
            }
        });
        ServletInputStream in = request.getInputStream();
        in.setReadListener(new ReadListener() {
            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady() && !in.isFinished()) {
                    if (!body.readFrom(in)) {
                        return;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                body.complete();
            }

            @Override
            public void onError(Throwable t) {
                // the client's side ended before the body was whole (it may still read the answer; if it is gone
                // altogether, writing the answer fails quietly)
                LOG.log(Level.DEBUG, () -> "A request body broke off: " + t.getClass().getName());
                body.fail(GatewayException.badRequest("The request body ended after " + body.received()
                        + " of the " + length + " bytes its Content-Length announced"));
            }
        });
    }

    /**
     * The turns to stream a body on a worker thread ({@code revproxy.maxStreamingUploads}; 0: no bound). A request
     * that finds them all taken waits, suspended, for the next one to end; turns are handed over in arrival order.
     */
    static final class Streams {
        private final int max;
        private int active;
        private final java.util.ArrayDeque<Turn> waiting = new java.util.ArrayDeque<>();

        Streams(int max) {
            this.max = max;
        }

        boolean unbounded() {
            return max <= 0;
        }

        /**
         * Takes a turn now (true), or suspends the request ({@code suspend}) and queues it (false), in one step so a
         * turn given back meanwhile cannot be missed.
         */
        synchronized boolean enterOrWait(Turn turn, java.util.function.Supplier<AsyncContext> suspend) {
            if (active < max) {
                active++;
                return true;
            }
            turn.async = suspend.get();
            waiting.add(turn);
            return false;
        }

        /** A turn ends: the next waiting request gets it (and is dispatched), or it is free again. */
        void leave() {
            Turn next;
            synchronized (this) {
                next = waiting.poll();
                while (next != null && !next.give(true)) {
                    next = waiting.poll();
                }
                if (next == null) {
                    active--;
                }
            }
            if (next != null) {
                try {
                    next.async.dispatch();
                } catch (IllegalStateException gone) {
                    leave(); // its client went away meanwhile: the turn passes on
                }
            }
        }

        /** A waiting request gave up (timed out or gone); true when it was still waiting. */
        synchronized boolean withdraw(Turn turn) {
            return waiting.remove(turn);
        }

        synchronized int active() {
            return active;
        }

        synchronized int waiting() {
            return waiting.size();
        }
    }

    /** One suspended request's wait for a turn: given (it streams) or refused (timed out, gone), once. */
    static final class Turn {
        private AsyncContext async;
        private Boolean given;

        /** Decides the wait once; false when it was decided already. */
        synchronized boolean give(boolean granted) {
            if (given != null) {
                return false;
            }
            given = granted;
            return true;
        }

        synchronized boolean granted() {
            return Boolean.TRUE.equals(given);
        }
    }

    /**
     * The heap all bodies being read may hold together. Counted as it is allocated, so a client that declares a large
     * body and sends little holds little.
     */
    static final class Budget {
        private final long max;
        private final AtomicLong used = new AtomicLong();

        Budget(long max) {
            this.max = max;
        }

        boolean take(long bytes) {
            long now = used.addAndGet(bytes);
            if (now > max) {
                used.addAndGet(-bytes);
                return false;
            }
            return true;
        }

        void give(long bytes) {
            used.addAndGet(-bytes);
        }

        long used() {
            return used.get();
        }
    }

    /** One body being read: its bytes so far, and how it ended (arrived, failed, or its client went away). */
    static final class Body {
        private final int length;
        private final Budget budget;
        private final AsyncContext async;
        private byte[] bytes = new byte[0];
        private int size;
        /** Charged to the budget: {@link #PER_REQUEST} from the start, then every allocation. */
        private long held = PER_REQUEST;
        /** Set once: the body arrived (null) or failed; after it, nothing more is read. */
        private boolean ended;
        private GatewayException failure;

        Body(int length, Budget budget, AsyncContext async) {
            this.length = length;
            this.budget = budget;
            this.async = async;
        }

        /** One read into the buffer; false when it must stop (the body failed, or it ended already). */
        synchronized boolean readFrom(ServletInputStream in) throws IOException {
            if (ended) {
                return false;
            }
            if (size == bytes.length) {
                int grown = (int) Math.min(length, Math.max(FIRST_CHUNK, 2L * bytes.length));
                if (grown <= bytes.length) {
                    // the container delivers no more than Content-Length; a longer body is not ours to read
                    return false;
                }
                if (!budget.take(grown - bytes.length)) {
                    failLocked(GatewayException.unavailable("The gateway is reading too many request bodies at "
                            + "once (revproxy.requestBuffer.totalBytes); try again", 1, null));
                    return false;
                }
                held += grown - bytes.length;
                bytes = Arrays.copyOf(bytes, grown);
            }
            int n = in.read(bytes, size, bytes.length - size);
            if (n > 0) {
                size += n;
            }
            return n >= 0;
        }

        synchronized int received() {
            return size;
        }

        /** All of it arrived: handle the request now. */
        synchronized void complete() {
            if (!ended) {
                ended = true;
                dispatch();
            }
        }

        /** It cannot be had (too slow, no room): the request is dispatched to answer {@code failure}. */
        synchronized void fail(GatewayException failure) {
            if (!ended) {
                failLocked(failure);
            }
        }

        private void failLocked(GatewayException e) {
            ended = true;
            failure = e;
            dispatch();
        }

        private void dispatch() {
            try {
                async.dispatch();
            } catch (IllegalStateException e) {
                // the cycle ended meanwhile (the client went away): nothing is left to answer
                releaseLocked();
            }
        }

        /** The connection failed (the client went away mid-body): nobody is left to answer. */
        void abandon(Throwable cause) {
            boolean complete;
            synchronized (this) {
                complete = !ended;
                ended = true;
                releaseLocked();
            }
            LOG.log(Level.DEBUG, () -> "A request body broke off before it was read: "
                    + (cause == null ? "no cause" : cause.getClass().getName()));
            if (complete) {
                try {
                    async.complete();
                } catch (IllegalStateException e) {
                    // already completing
                }
            }
        }

        synchronized void release() {
            releaseLocked();
        }

        private void releaseLocked() {
            budget.give(held);
            held = 0;
            bytes = new byte[0];
        }

        /** The request the rest of the chain sees: the body from memory, or the failure thrown before anything runs. */
        synchronized HttpServletRequest request(HttpServletRequest request) {
            if (failure != null) {
                throw failure;
            }
            return new Buffered(request, size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
        }
    }

    /** The request with its body already read: the input stream and reader serve the bytes from memory. */
    static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;
        private ServletInputStream stream;
        private BufferedReader reader;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            if (reader != null) {
                throw new IllegalStateException("getReader() was called already");
            }
            if (stream == null) {
                stream = new MemoryInputStream(body);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() {
            if (stream != null) {
                throw new IllegalStateException("getInputStream() was called already");
            }
            if (reader == null) {
                String encoding = getCharacterEncoding();
                Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
                reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
            }
            return reader;
        }
    }

    /** A servlet input stream over bytes in memory; always ready. */
    static final class MemoryInputStream extends ServletInputStream {
        private final ByteArrayInputStream in;

        MemoryInputStream(byte[] body) {
            in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public int available() {
            return in.available();
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            try {
                if (!isFinished()) {
                    listener.onDataAvailable();
                }
                listener.onAllDataRead();
            } catch (IOException e) {
                listener.onError(e);
            }
        }
    }
}
