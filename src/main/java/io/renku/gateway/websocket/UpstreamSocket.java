package io.renku.gateway.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The upstream half of one relayed WebSocket: the JDK client connection to the upstream, and the listener that passes
 * what the upstream sends to the browser's Jakarta {@link Session}. It is opened by {@link WebSocketUpgradeFilter}
 * before the browser's upgrade is accepted, so a refused upstream is still an HTTP 502, and it reaches
 * {@link RelayEndpoint} as the handshake's user principal: the Jakarta handshake request is not the filtered
 * {@code HttpServletRequest} and carries no request attributes, and an {@code HttpSession} is wrong for Bearer callers
 * (they have none, and must not get one), so the principal is the one per-request value the specification carries from
 * the filtered request into the handshake and the session. It prints as the caller's subject only.
 *
 * <p>Flow control: no upstream message is requested until the browser's session is attached, and the next one only
 * after the previous was written to the browser, so a slow browser slows the upstream instead of filling the heap.
 * The other way, {@link #sendText} and {@link #sendBinary} wait until the upstream took the data, so Tomcat reads the
 * browser's next frame only then.
 */
final class UpstreamSocket implements Principal, WebSocket.Listener {
    private static final Logger LOG = System.getLogger(UpstreamSocket.class.getName());
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final String requestId;
    private final Duration sendTimeout;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<WebSocket> upstream = new AtomicReference<>();
    private final AtomicReference<Session> client = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    UpstreamSocket(String name, String requestId, Duration sendTimeout, ScheduledExecutorService scheduler) {
        this.name = Objects.requireNonNull(name, "name");
        this.requestId = requestId;
        this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    @Override
    public String getName() {
        return name;
    }

    /** The subprotocol the upstream chose, empty if none. */
    String subprotocol() {
        WebSocket ws = upstream.get();
        return ws == null ? "" : ws.getSubprotocol();
    }

    /** The browser's side is open: start passing upstream messages to it. */
    void attach(Session session) {
        client.set(session);
        if (failure.get() != null) {
            closeClient(RelayCloseCodes.UPSTREAM_FAILED, "Upstream failed");
            return;
        }
        upstream.get().request(1);
    }

    void sendText(String part, boolean last) {
        await(upstream.get().sendText(part, last));
    }

    void sendBinary(ByteBuffer part, boolean last) {
        await(upstream.get().sendBinary(part, last));
    }

    /** The browser closed (or vanished, 1006): close the upstream with the nearest code it may receive. */
    void clientClosed(int code, String reason) {
        WebSocket ws = upstream.get();
        if (ws == null || ws.isOutputClosed()) {
            return;
        }
        ws.sendClose(RelayCloseCodes.toUpstream(code), RelayCloseCodes.reason(reason)).whenComplete((w, e) -> {
            if (e != null) {
                ws.abort();
            }
        });
        // an upstream that never answers the close must not keep the connection
        try {
            scheduler.schedule(() -> {
                if (!ws.isInputClosed()) {
                    ws.abort();
                }
            }, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            ws.abort();
        }
    }

    /** Drops the upstream connection without a close handshake (the browser's upgrade did not happen). */
    void abort() {
        WebSocket ws = upstream.get();
        if (ws != null) {
            ws.abort();
        }
    }

    private void await(CompletableFuture<WebSocket> sent) {
        try {
            sent.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            upstreamFailed(e);
        } catch (ExecutionException | TimeoutException e) {
            upstreamFailed(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        upstream.set(webSocket); // no request(1) yet: nothing is delivered before the browser's side is attached
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        try {
            client.get().getBasicRemote().sendText(data.toString(), last);
            webSocket.request(1);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "WebSocket " + requestId + ": the browser went away");
            webSocket.abort();
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        try {
            client.get().getBasicRemote().sendBinary(data, last);
            webSocket.request(1);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "WebSocket " + requestId + ": the browser went away");
            webSocket.abort();
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeClient(RelayCloseCodes.toClient(statusCode), reason);
        return null; // the JDK client then answers the upstream's close with the same code
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        upstreamFailed(error);
    }

    private void upstreamFailed(Throwable error) {
        if (failure.compareAndSet(null, error)) {
            LOG.log(Level.WARNING, "WebSocket " + requestId + ": the upstream failed: " + error.getClass().getName()
                    + ": " + error.getMessage());
        }
        abort();
        closeClient(RelayCloseCodes.UPSTREAM_FAILED, "Upstream failed");
    }

    private void closeClient(int code, String reason) {
        Session session = client.get();
        if (session == null || !session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(closeCode(code), RelayCloseCodes.reason(reason)));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "WebSocket " + requestId + ": closing the browser's side failed: " + e);
        }
    }

    /** The API's constant where it has one; 1014 ("bad gateway", registered after the API was written) has none. */
    private static CloseReason.CloseCode closeCode(int code) {
        try {
            return CloseReason.CloseCodes.getCloseCode(code);
        } catch (IllegalArgumentException notInTheApi) {
            return () -> code;
        }
    }

    @Override
    public String toString() {
        return "UpstreamSocket[" + name + "]";
    }
}
