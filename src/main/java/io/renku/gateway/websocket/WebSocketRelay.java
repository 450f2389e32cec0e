package io.renku.gateway.websocket;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens the gateway's WebSocket connections to the upstream ({@code revproxy.renkuServices.uiServerWebSocket}, the
 * UI server unless set) with the JDK's {@code java.net.http} client: non-blocking, so an open WebSocket holds no
 * thread while it is idle, and without a dependency the container does not already have. One client and one executor
 * serve every relayed connection; the executor's threads run the upstream listeners, which block only while they write
 * to a browser. Built once per deployment by {@link WebSocketProxyListener} and published as a context attribute.
 */
public final class WebSocketRelay implements AutoCloseable {
    public static final String ATTRIBUTE = WebSocketRelay.class.getName();
    /** The browser's path, and the path at the upstream (after the upstream URL's own base path). */
    public static final String PATH = "/ui-server/ws";
    private static final Logger LOG = System.getLogger(WebSocketRelay.class.getName());

    private final URI base;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final HttpClient http;

    public WebSocketRelay(URI upstream, Duration connectTimeout, Duration readTimeout) {
        this.base = webSocketUrl(Objects.requireNonNull(upstream, "upstream"));
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "websocket-relay-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "websocket-relay-timer");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** {@code http://} becomes {@code ws://} and {@code https://} {@code wss://}; a trailing slash is dropped. */
    static URI webSocketUrl(URI http) {
        String scheme = http.getScheme().toLowerCase(Locale.ROOT);
        String ws = scheme.equals("https") || scheme.equals("wss") ? "wss" : "ws";
        String path = http.getRawPath() == null ? "" : http.getRawPath().replaceAll("/+$", "");
        return URI.create(ws + "://" + http.getRawAuthority() + path);
    }

    /** Where a browser's {@code rawPathAndQuery} (still percent-encoded) goes at the upstream. */
    URI target(String rawPathAndQuery) {
        return URI.create(base + rawPathAndQuery);
    }

    /**
     * Connects to the upstream and completes its handshake, or fails with the problem the browser gets instead of the
     * upgrade: 502 when the upstream is unreachable or refuses, 504 when it does not answer in time.
     */
    UpstreamSocket connect(String rawPathAndQuery, Map<String, List<String>> headers, List<String> subprotocols,
            String callerName, String requestId) {
        URI target = target(rawPathAndQuery);
        UpstreamSocket socket = new UpstreamSocket(callerName, requestId, readTimeout, scheduler);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        headers.forEach((name, values) -> values.forEach(value -> {
            try {
                builder.header(name, value);
            } catch (IllegalArgumentException notAllowed) {
                LOG.log(Level.DEBUG, "WebSocket " + requestId + ": header " + name + " not passed");
            }
        }));
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.get(0), subprotocols.subList(1, subprotocols.size())
                    .toArray(String[]::new));
        }
        CompletableFuture<WebSocket> opening = builder.buildAsync(target, socket);
        try {
            opening.get(connectTimeout.plus(readTimeout).toMillis(), TimeUnit.MILLISECONDS);
            return socket;
        } catch (TimeoutException e) {
            opening.whenComplete((ws, x) -> {
                if (ws != null) {
                    ws.abort();
                }
            });
            throw failed(requestId, new GatewayException(ErrorKind.GATEWAY_TIMEOUT,
                    "The upstream service did not answer the WebSocket handshake in time", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.cancel(true);
            throw new GatewayException(ErrorKind.SERVICE_UNAVAILABLE, "The gateway is stopping", e);
        } catch (ExecutionException e) {
            throw failed(requestId, classify(e.getCause() == null ? e : e.getCause()));
        }
    }

    static GatewayException classify(Throwable cause) {
        if (cause instanceof WebSocketHandshakeException refused) {
            return new GatewayException(ErrorKind.BAD_GATEWAY, "The upstream service refused the WebSocket handshake"
                    + " (status " + refused.getResponse().statusCode() + ")", cause);
        }
        if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
            return new GatewayException(ErrorKind.GATEWAY_TIMEOUT,
                    "The upstream service did not answer the WebSocket handshake in time", cause);
        }
        return new GatewayException(ErrorKind.BAD_GATEWAY, "The upstream service could not be reached", cause);
    }

    private GatewayException failed(String requestId, GatewayException e) {
        Throwable cause = e.getCause();
        LOG.log(Level.WARNING, "WebSocket " + requestId + " to " + base.getScheme() + "://" + base.getRawAuthority()
                + " failed: " + e.kind().status() + " " + e.getMessage() + (cause == null ? "" : " ("
                + cause.getClass().getName() + ")"));
        return e;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        executor.shutdownNow();
    }
}
