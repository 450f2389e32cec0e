package io.renku.gateway.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * A stand-in upstream service that answers every request with what it received:
 * {@code {"method", "path", "query", "headers": {name: value}, "bodyBytes"}}, the path and query still
 * percent-encoded exactly as they arrived. The demo mounts it as the data service; tests use it to check what the
 * gateway forwarded and injected.
 */
public final class EchoUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();

    private EchoUpstream(HttpServer server) {
        this.server = server;
    }

    public static EchoUpstream start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            EchoUpstream echo = new EchoUpstream(server);
            server.createContext("/", echo::handle);
            server.setExecutor(Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r, "echo-upstream");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return echo;
        } catch (IOException e) {
            throw new IllegalStateException("echo upstream cannot listen on port " + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long bodyBytes = 0;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bodyBytes += n;
            }
        }
        ObjectNode node = json.createObjectNode();
        node.put("method", exchange.getRequestMethod());
        node.put("path", exchange.getRequestURI().getRawPath());
        node.put("query", exchange.getRequestURI().getRawQuery());
        ObjectNode headers = node.putObject("headers");
        Map<String, List<String>> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(exchange.getRequestHeaders());
        sorted.forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(", ", values)));
        node.put("bodyBytes", bodyBytes);
        byte[] body = node.toPrettyString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
