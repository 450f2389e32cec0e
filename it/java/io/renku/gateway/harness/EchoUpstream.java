package io.renku.gateway.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in upstream service that answers every request with what it received:
 * {@code {"method", "path", "query", "headers": {name: value}, "bodyBytes", "bodySha256"}}, the path and query still
 * percent-encoded exactly as they arrived. The demo mounts it as the data service; tests use it to check what the
 * gateway forwarded and injected.
 *
 * <p>Four query parameters change the behaviour for the proxy tests, never the JSON shape: {@code sleepMillis=N}
 * waits before answering (a slow upstream), {@code setCookie=name%3Dvalue...} adds a {@code Set-Cookie} (repeatable),
 * {@code downloadBytes=N} answers N bytes of {@code application/octet-stream}, streamed, instead of the JSON, and
 * {@code trickleMillis=N} answers a chunked body of one byte every N ms for ten minutes (an upstream that never ends
 * but never goes quiet long enough for a read timeout).
 */
public final class EchoUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong requests = new AtomicLong();

    private EchoUpstream(HttpServer server) {
        this.server = server;
    }

    public static EchoUpstream start(int port) {
        // The JDK's server writes an answer's head and body in two writes; with Nagle's algorithm on, the body waits
        // for the gateway's delayed ACK of the head (about 40 ms on Linux), which then shows in every answer time.
        // Read once, when the JDK's server first starts in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
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

    /** How many requests have reached this upstream so far. */
    public long requestCount() {
        return requests.get();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    private static Map<String, List<String>> parameters(String rawQuery) {
        Map<String, List<String>> params = new TreeMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.computeIfAbsent(pair.substring(0, eq), k -> new ArrayList<>())
                            .add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void sleep(String millis) {
        try {
            Thread.sleep(Long.parseLong(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Streams {@code size} bytes in 64 KiB writes, chunked, so the upstream itself never holds the body. */
    private static void download(HttpExchange exchange, long size) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, 0);
        byte[] chunk = new byte[65536];
        try (OutputStream out = exchange.getResponseBody()) {
            for (long left = size; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        Map<String, List<String>> params = parameters(exchange.getRequestURI().getRawQuery());
        long bodyBytes = 0;
        java.security.MessageDigest sha256;
        try {
            sha256 = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bodyBytes += n;
                sha256.update(buffer, 0, n);
            }
        }
        sleep(params.getOrDefault("sleepMillis", List.of("0")).get(0));
        for (String cookie : params.getOrDefault("setCookie", List.of())) {
            exchange.getResponseHeaders().add("Set-Cookie", cookie);
        }
        if (params.getOrDefault("page", List.of()).contains("demo-ui")) {
            // the demo's UI page (DemoUi), so the browser test can check it through a gateway route it already has
            byte[] page;
            try (InputStream in = EchoUpstream.class.getResourceAsStream("/demo-ui/index.html")) {
                page = in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
            return;
        }
        if (params.containsKey("trickleMillis")) {
            trickle(exchange, Long.parseLong(params.get("trickleMillis").get(0)));
            return;
        }
        if (params.containsKey("downloadBytes")) {
            download(exchange, Long.parseLong(params.get("downloadBytes").get(0)));
            return;
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
        node.put("bodySha256", java.util.HexFormat.of().formatHex(sha256.digest()));
        byte[] body = node.toPrettyString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void trickle(HttpExchange exchange, long pauseMillis) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, 0);
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
        try (OutputStream out = exchange.getResponseBody()) {
            while (System.nanoTime() < end) {
                out.write('.');
                out.flush();
                Thread.sleep(pauseMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException gone) {
            // the gateway hung up: what the drill wants
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
