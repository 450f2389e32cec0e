package io.renku.gateway.bench;

import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.TomcatProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * {@code mvn -Pbench-bounds}: issue 12's memory and connection bounds, shown rather than asserted. Starts Redis, the
 * echo upstream and the built WAR in a real Tomcat ({@link TomcatProcess}, the shipped {@code setenv.sh} JVM options
 * and {@code server.xml} unchanged), then runs four loads one after the other while a well-behaved client (one
 * connection at a time, its session cookie kept, {@code GET /api/data/…} through the proxy) measures its latency:
 *
 * <ol>
 *   <li>{@code bench.idle} (10 000) idle keep-alive connections: each sends one request, reads the answer and stays
 *       open, idle;
 *   <li>{@code bench.slow} (1 000) slow-header requests: request line and headers trickled one byte per second;
 *   <li>the same number of slow-body requests: a POST whose headers arrive at once and whose body trickles one byte
 *       per second ({@code Content-Length} 100 000, within {@code revproxy.requestBuffer.maxBytes}, so it is read
 *       without a worker thread; before that buffering it held one while it waited);
 *   <li>{@code bench.cookies} (10 000) distinct forged session cookies per second, attempted by {@code wrk} over
 *       {@code bench.senders} (32) connections for 10 s, once on a proxied route ({@code /api/data/…}, where an
 *       anonymous caller gets an anonymous id in a signed cookie, nothing stored) and once on {@code /api/auth/user}
 *       (a 401); closed-loop, so the printed rate is what this machine reached.
 * </ol>
 *
 * For each it prints the gateway JVM's used heap after a forced full GC (over JMX) before, during and after the load,
 * the well-behaved client's p50/p99/max and its failures, and what the load itself achieved. A benchmark, not a test.
 */
public final class BoundsBench {
    private static final long MIB = 1024L * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** wrk's connections sending forged cookies, each a keep-alive connection. */
    private static final int SENDERS = Integer.getInteger("bench.senders", 32);

    private BoundsBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: BoundsBench <tomcat-home> <tomcat-base> <war>");
        }
        int idle = Integer.getInteger("bench.idle", 10_000);
        int slow = Integer.getInteger("bench.slow", 1_000);
        int cookies = Integer.getInteger("bench.cookies", 10_000);
        int echoPort = Ports.free();
        int gatewayPort = Ports.free();
        int jmxPort = Ports.free();
        int redisPort = Ports.free();
        Path redisDir = Files.createDirectories(Path.of(args[1]).resolve("redis"));
        RedisServer redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort)
                .setting("dir " + redisDir.toAbsolutePath()).setting("save \"\"").setting("appendonly no").build();
        redis.start();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sessions.cookieSigningKeys", "ZGVtby1vbmx5LWNvb2tpZS1zaWduaW5nLWtleS0wMDA=");
        settings.put("login.tokenEncryption.secretKey", "ZGVtby1vbmx5LXRva2VuLWVuY3J5cHRpb24ta2V5MDA=");
        settings.put("login.renkuBaseURL", "http://localhost:" + gatewayPort);
        settings.put("login.providers.renku.issuer", "http://127.0.0.1:1/realms/renku");
        settings.put("login.providers.gitlab.issuer", "http://127.0.0.1:1/realms/gitlab");
        settings.put("login.providers.gitlab.clientID", "renku-gateway");
        settings.put("redis.addresses", "127.0.0.1:" + redisPort);
        try (EchoUpstream echo = EchoUpstream.start(echoPort)) {
            settings.put("revproxy.renkuServices.dataService", echo.url());
            List<String> jvm = new java.util.ArrayList<>(TomcatProcess.shippedJvmOptions()); // setenv.sh's
            jvm.addAll(List.of("-Dcom.sun.management.jmxremote.port=" + jmxPort,
                    "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort, "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                    "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
                    "-Djava.rmi.server.hostname=127.0.0.1"));
            try (TomcatProcess tomcat = TomcatProcess.start(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                    gatewayPort, settings, jvm)) {
                say("starting the gateway in Tomcat on port " + gatewayPort + " (log: " + tomcat.log() + ")");
                tomcat.awaitOk("health", Duration.ofSeconds(120), BoundsBench::say);
                try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
                    MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(jmx.getMBeanServerConnection(),
                            ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
                    new BoundsBench.Run(tomcat.url(), gatewayPort, memory, redisPort).all(idle, slow, cookies);
                }
            }
        } finally {
            redis.stop();
        }
    }

    private static final class Run {
        private final String gateway;
        private final int port;
        private final MemoryMXBean memory;
        private final int redisPort;

        Run(String gateway, int port, MemoryMXBean memory, int redisPort) {
            this.gateway = gateway;
            this.port = port;
            this.memory = memory;
            this.redisPort = redisPort;
        }

        void all(int idle, int slow, int cookies) throws Exception {
            try (WellBehaved warm = new WellBehaved(gateway)) {
                Thread.sleep(5_000);
                say("warm-up: " + warm.stop());
            }
            say(String.format("heap after GC, idle gateway: %.1f MiB (max %d MiB)", heapAfterGc(),
                    memory.getHeapMemoryUsage().getMax() / MIB));
            try (WellBehaved quiet = new WellBehaved(gateway)) {
                Thread.sleep(10_000);
                say("no load (10 s): well-behaved client " + quiet.stop());
            }
            idleConnections(idle);
            slowHeaders(slow);
            slowBodies(slow);
            forgedCookies(cookies, "api/data/forged");
            forgedCookies(cookies, "api/auth/user");
        }

        private void idleConnections(int count) throws Exception {
            double before = heapAfterGc();
            List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            long start = System.nanoTime();
            try (WellBehaved client = new WellBehaved(gateway)) {
                ExecutorService pool = Executors.newFixedThreadPool(32);
                for (int i = 0; i < count; i++) {
                    pool.execute(() -> {
                        try {
                            Socket socket = new Socket();
                            socket.connect(new InetSocketAddress("127.0.0.1", port), 3_000);
                            sockets.add(socket);
                            socket.setSoTimeout(5_000);
                            socket.getOutputStream().write(("GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            if (readResponse(socket.getInputStream())) {
                                answered.incrementAndGet();
                            }
                        } catch (IOException e) {
                            refused.incrementAndGet();
                        }
                    });
                }
                pool.shutdown();
                pool.awaitTermination(10, TimeUnit.MINUTES);
                say(String.format("idle keep-alive: %d connections opened in %.1f s, %d answered their request, "
                        + "%d could not connect or were not answered within 5 s", sockets.size(),
                        (System.nanoTime() - start) / 1e9, answered.get(), refused.get()));
                double during = heapAfterGc();
                Thread.sleep(Math.max(0, 15_000 - (System.nanoTime() - start) / 1_000_000));
                int open = stillOpen(sockets);
                say(String.format("idle keep-alive: heap after GC %.1f MiB before, %.1f MiB with the connections "
                        + "open (+%.1f); %d still open after %.0f s; well-behaved client %s", before, during,
                        during - before, open, (System.nanoTime() - start) / 1e9, client.stop()));
            } finally {
                sockets.forEach(BoundsBench::closeQuietly);
            }
            say(String.format("idle keep-alive: heap after GC once closed %.1f MiB", heapAfterGc()));
        }

        private void slowHeaders(int count) throws Exception {
            slow(count, "slow headers", i -> ("GET /api/data/slow-" + i + " HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                    + "a".repeat(64) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), 0);
        }

        private void slowBodies(int count) throws Exception {
            slow(count, "slow bodies", i -> ("POST /api/data/upload-" + i + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n" + "b".repeat(100))
                    .getBytes(StandardCharsets.US_ASCII), -1);
        }

        /**
         * {@code count} connections each trickling {@code message} one byte per second (after the first
         * {@code upFront} bytes; -1: everything but the last byte of the given prefix at once, then one body byte
         * per second) for 20 s.
         */
        private void slow(int count, String what, java.util.function.IntFunction<byte[]> message, int upFront)
                throws Exception {
            double before = heapAfterGc();
            List<Socket> sockets = new ArrayList<>();
            List<byte[]> messages = new ArrayList<>();
            int[] sent = new int[count];
            AtomicInteger failed = new AtomicInteger();
            long start = System.nanoTime();
            try (WellBehaved client = new WellBehaved(gateway)) {
                for (int i = 0; i < count; i++) {
                    try {
                        Socket socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 3_000);
                        byte[] bytes = message.apply(i);
                        int first = upFront < 0 ? bytes.length : Math.max(1, upFront);
                        socket.getOutputStream().write(bytes, 0, first);
                        sockets.add(socket);
                        messages.add(bytes);
                        sent[sockets.size() - 1] = first;
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
                AtomicInteger closedByServer = new AtomicInteger();
                double during = 0;
                for (int second = 0; second < 20; second++) {
                    long tick = System.nanoTime();
                    closedByServer.set(0);
                    for (int i = 0; i < sockets.size(); i++) {
                        Socket socket = sockets.get(i);
                        if (socket.isClosed()) {
                            closedByServer.incrementAndGet();
                            continue;
                        }
                        try {
                            OutputStream out = socket.getOutputStream();
                            if (sent[i] < messages.get(i).length) {
                                out.write(messages.get(i)[sent[i]++]);
                            } else {
                                out.write('c'); // a body byte (slow bodies) or a pipelined junk byte (never reached)
                            }
                        } catch (IOException e) {
                            closeQuietly(socket);
                            closedByServer.incrementAndGet();
                        }
                    }
                    if (second == 10) {
                        during = heapAfterGc();
                    }
                    Thread.sleep(Math.max(0, 1_000 - (System.nanoTime() - tick) / 1_000_000));
                }
                say(String.format("%s: %d connections (%d failed to connect); heap after GC %.1f MiB before, %.1f MiB "
                        + "at 10 s (+%.1f); %d closed by the gateway within 20 s; well-behaved client %s", what,
                        sockets.size(), failed.get(), before, during, during - before, closedByServer.get(),
                        client.stop()));
            } finally {
                sockets.forEach(BoundsBench::closeQuietly);
            }
            Thread.sleep(2_000);
            say(String.format("%s: heap after GC once closed %.1f MiB (%.0f s)", what, heapAfterGc(),
                    (System.nanoTime() - start) / 1e9));
        }

        /**
         * Forged cookies as fast as {@code wrk} sends them ({@code -t2 -c32}, keep-alive), every request with a
         * distinct random {@code _renku_session} value in the signed shape ({@code <32 hex>.<64 hex>}), made by a Lua
         * script per request. wrk is closed-loop: the rate printed is what the gateway and this machine reached.
         */
        private void forgedCookies(int perSecond, String path) throws Exception {
            double before = heapAfterGc();
            long keysBefore = redisKeys();
            long seconds = 10;
            Path script = Files.createTempFile("forged-cookies", ".lua");
            Files.writeString(script, """
                    local seed = 0
                    setup = function(thread) seed = seed + 1; thread:set("seed", seed) end
                    init = function(args) math.randomseed(os.time() * 1000 + (seed or 0) * 7919 + os.clock() * 1e6) end
                    local function hex(n)
                      local t = {}
                      for i = 1, n do t[i] = string.format("%04x", math.random(0, 65535)) end
                      return table.concat(t)
                    end
                    request = function()
                      return wrk.format("GET", nil, { ["Cookie"] = "_renku_session=" .. hex(8) .. "." .. hex(16) })
                    end
                    """);
            String out;
            double during;
            try (WellBehaved client = new WellBehaved(gateway)) {
                Process wrk = new ProcessBuilder("wrk", "-t2", "-c" + SENDERS, "-d" + seconds + "s", "-s",
                        script.toString(), gateway + path).redirectErrorStream(true).start();
                Thread.sleep(seconds * 500);
                during = heapAfterGc();
                out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!wrk.waitFor(seconds + 30, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
                    throw new IllegalStateException("wrk failed:\n" + out);
                }
                String rate = out.lines().filter(l -> l.startsWith("Requests/sec:")).map(l -> l.substring(13).trim())
                        .findFirst().orElse("?");
                String total = out.lines().filter(l -> l.contains("requests in")).map(String::trim).findFirst()
                        .orElse("?");
                String odd = out.lines().filter(l -> l.contains("Non-2xx") || l.contains("Socket errors"))
                        .map(String::trim).reduce((a, b) -> a + "; " + b).orElse("all 2xx");
                say(String.format("forged cookies, GET /" + path + ": wrk %s = %s/s (target %d/s), %s; heap after GC "
                        + "%.1f MiB before, %.1f MiB at %d s (+%.1f); Redis keys %d before, %d after; well-behaved "
                        + "client %s", total, rate, perSecond, odd, before, during, seconds / 2, during - before,
                        keysBefore, redisKeys(), client.stop()));
            } finally {
                Files.deleteIfExists(script);
            }
            say(String.format("forged cookies, GET /" + path + ": heap after GC once stopped %.1f MiB", heapAfterGc()));
        }

        private long redisKeys() {
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                return jedis.dbSize();
            }
        }

        private double heapAfterGc() {
            memory.gc();
            return memory.getHeapMemoryUsage().getUsed() / (double) MIB;
        }
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked); false when the connection ended first. */
    private static boolean readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        if (at >= 0) {
            int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
            return in.readNBytes(length).length == length;
        }
        if (lower.contains("transfer-encoding: chunked")) {
            StringBuilder tail = new StringBuilder();
            for (int b; (b = in.read()) >= 0; ) {
                tail.append((char) b);
                if (tail.toString().endsWith("0\r\n\r\n")) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** Connections the gateway has not closed: a read that times out means open, end of stream means closed. */
    private static int stillOpen(List<Socket> sockets) {
        int open = 0;
        synchronized (sockets) {
            for (Socket socket : sockets) {
                try {
                    socket.setSoTimeout(1);
                    if (socket.getInputStream().read() >= 0) {
                        open++;
                    }
                } catch (SocketTimeoutException e) {
                    open++;
                } catch (IOException e) {
                    // reset: closed
                }
            }
        }
        return open;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    /**
     * The well-behaved client: one request at a time to a proxied route with its session cookie (set on its first
     * request), 10 s timeout, its latencies recorded until {@link #stop}.
     */
    private static final class WellBehaved implements AutoCloseable {
        private final List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong failures = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        WellBehaved(String gateway) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            thread = new Thread(() -> {
                String cookie = null;
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + "api/data/p99"))
                                .timeout(Duration.ofSeconds(10));
                        if (cookie != null) {
                            request.header("Cookie", cookie);
                        }
                        HttpResponse<String> response = http.send(request.build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            failures.incrementAndGet();
                        } else {
                            micros.add((System.nanoTime() - start) / 1_000);
                        }
                        cookie = response.headers().firstValue("Set-Cookie").map(c -> c.split(";", 2)[0])
                                .orElse(cookie);
                        Thread.sleep(10);
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "well-behaved");
            thread.setDaemon(true);
            thread.start();
        }

        /** Stops and summarises: count, p50, p99, max (ms), failures (non-200 or no answer within 10 s). */
        String stop() throws InterruptedException {
            running.set(false);
            thread.join(15_000);
            List<Long> sorted;
            synchronized (micros) {
                sorted = new ArrayList<>(micros);
            }
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return "0 answered, " + failures.get() + " failed";
            }
            return String.format("%d answered, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed", sorted.size(),
                    at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1000.0, failures.get());
        }

        private static double at(List<Long> sorted, double quantile) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1)) / 1000.0;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(15_000);
        }
    }
}
