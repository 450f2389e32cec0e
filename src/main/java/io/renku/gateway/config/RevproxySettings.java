package io.renku.gateway.config;

import java.net.URI;
import java.util.Objects;

/**
 * The upstream services the gateway forwards to (the Go gateway's {@code revproxy.renkuServices.*}) and the
 * connection pool shared by every route. The pool is one pool for all upstreams: {@code revproxy.maxConnections}
 * bounds both the total and each upstream, so one slow upstream cannot take connections it was not given.
 *
 * <p>{@code revproxy.maxResponseMillis} bounds a whole proxied exchange (request body up, answer down), where
 * {@code revproxy.readTimeoutMillis} only bounds each silence: an upstream that trickles a byte now and then, or a
 * client that uploads a byte now and then, would otherwise hold a connection and a worker thread for ever.
 * {@code 0} switches the bound off.
 *
 * <p>{@code revproxy.requestBuffer.*}: a request body of at most {@code maxBytes} (declared by its
 * {@code Content-Length}) is read without a worker thread before the request is handled, so clients that upload
 * slowly cannot hold the worker pool ({@code RequestBodyBuffer}); all bodies being buffered at once may hold at most
 * {@code totalBytes} of heap, and each must arrive within {@code maxMillis}. {@code maxBytes} {@code 0} switches it off.
 */
public record RevproxySettings(URI dataService, URI keycloak, URI uiServer, URI uiServerWebSocket,
        int maxConnections, int connectTimeoutMillis, int readTimeoutMillis, int maxResponseMillis,
        int requestBufferMaxBytes, long requestBufferTotalBytes, int requestBufferMaxMillis,
        int maxStreamingUploads) {
    public static final String DATA_SERVICE = "revproxy.renkuServices.dataService";
    public static final String KEYCLOAK = "revproxy.renkuServices.keycloak";
    public static final String UI_SERVER = "revproxy.renkuServices.uiServer";
    /** Where {@code /ui-server/ws} WebSockets go; empty means the UI server itself (an install rarely splits them). */
    public static final String UI_SERVER_WEBSOCKET = "revproxy.renkuServices.uiServerWebSocket";
    public static final String MAX_CONNECTIONS = "revproxy.maxConnections";
    public static final String CONNECT_TIMEOUT_MILLIS = "revproxy.connectTimeoutMillis";
    public static final String READ_TIMEOUT_MILLIS = "revproxy.readTimeoutMillis";
    public static final String MAX_RESPONSE_MILLIS = "revproxy.maxResponseMillis";
    public static final String REQUEST_BUFFER_MAX_BYTES = "revproxy.requestBuffer.maxBytes";
    public static final String REQUEST_BUFFER_TOTAL_BYTES = "revproxy.requestBuffer.totalBytes";
    public static final String REQUEST_BUFFER_MAX_MILLIS = "revproxy.requestBuffer.maxMillis";
    public static final String MAX_STREAMING_UPLOADS = "revproxy.maxStreamingUploads";

    public RevproxySettings {
        Objects.requireNonNull(dataService, "dataService");
        Objects.requireNonNull(keycloak, "keycloak");
        Objects.requireNonNull(uiServer, "uiServer");
        Objects.requireNonNull(uiServerWebSocket, "uiServerWebSocket");
    }

    public static RevproxySettings read(SettingReader reader) {
        URI uiServer = reader.httpUrl(UI_SERVER, URI.create("http://renku-ui"));
        return new RevproxySettings(
                reader.httpUrl(DATA_SERVICE, URI.create("http://renku-data-service")),
                reader.httpUrl(KEYCLOAK, URI.create("http://keycloak")),
                uiServer,
                reader.httpUrl(UI_SERVER_WEBSOCKET, uiServer),
                reader.integer(MAX_CONNECTIONS, 64, 1, 10_000),
                reader.integer(CONNECT_TIMEOUT_MILLIS, 5_000, 1, 600_000),
                reader.integer(READ_TIMEOUT_MILLIS, 60_000, 1, 3_600_000),
                reader.integer(MAX_RESPONSE_MILLIS, 3_600_000, 0, 86_400_000),
                reader.integer(REQUEST_BUFFER_MAX_BYTES, 1 << 20, 0, 64 << 20),
                reader.number(REQUEST_BUFFER_TOTAL_BYTES, 128L << 20, 1L << 20, 1L << 40),
                reader.integer(REQUEST_BUFFER_MAX_MILLIS, 60_000, 1_000, 3_600_000),
                reader.integer(MAX_STREAMING_UPLOADS, 32, 0, 100_000));
    }
}
