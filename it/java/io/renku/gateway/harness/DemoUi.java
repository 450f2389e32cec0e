package io.renku.gateway.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The demo's stand-in for Renku's UI server (harness only, never part of the WAR): one page, {@code demo-ui/index.html}
 * from the test resources, served at every path, so {@code http://localhost:8080/} through the gateway shows who is
 * logged in, buttons for each login and for logout, and what the data service receives. The page only calls the
 * gateway's own endpoints, from the browser, with the session cookie.
 */
public final class DemoUi implements AutoCloseable {
    private final HttpServer server;

    private DemoUi(HttpServer server) {
        this.server = server;
    }

    public static DemoUi start(int port) {
        byte[] page;
        try (InputStream in = DemoUi.class.getResourceAsStream("/demo-ui/index.html")) {
            if (in == null) {
                throw new IllegalStateException("demo-ui/index.html is missing from the test resources");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the demo page", e);
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            server.createContext("/", exchange -> serve(exchange, page));
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "demo-ui");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return new DemoUi(server);
        } catch (IOException e) {
            throw new IllegalStateException("the demo UI cannot listen on port " + port, e);
        }
    }

    private static void serve(HttpExchange exchange, byte[] page) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
