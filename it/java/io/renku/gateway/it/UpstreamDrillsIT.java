package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.KeycloakExtension;
import io.renku.gateway.harness.LoadLoop;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.RedisProcess;
import io.renku.gateway.harness.Replicas;
import io.renku.gateway.harness.TomcatProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault drills on the upstream side and on the client side, against a Tomcat of its own set up like the shipped
 * {@code server-config/tomcat} but with a small worker pool ({@code -Dgateway.http.maxThreads=16}), so that a slow
 * client that held a worker thread would show at once: an upstream stopped under load (502 at once), an upstream
 * that hangs (504 at {@code revproxy.readTimeoutMillis}), an upstream that trickles its body and a client that
 * trickles its upload (both cut at {@code revproxy.maxResponseMillis}), and slowloris headers and slow uploads
 * while a well-behaved client's answer times are measured.
 */
@ExtendWith(KeycloakExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamDrillsIT {
    static final int READ_TIMEOUT = 2000;
    static final int MAX_RESPONSE = 5000;
    static final int THREADS = 16;
    static final int BUFFER_MILLIS = 5000;
    /** Slow uploads read without a worker thread in the slow-clients drill: many times the pool. */
    static final int BUFFERED_UPLOADS = 200;
    static EchoUpstream data;
    static EchoUpstream ui;
    static EchoUpstream kc;
    static RedisProcess redis;
    static TomcatProcess tomcat;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        data = EchoUpstream.start(Ports.free());
        ui = EchoUpstream.start(Ports.free());
        kc = EchoUpstream.start(Ports.free());
        int redisPort = Ports.free();
        redis = RedisProcess.start(redisPort, Path.of(System.getProperty("it.work.dir", "target/it-work"),
                "upstream-drills-redis-" + redisPort));
        port = Ports.free();
        Map<String, String> settings = Replicas.sharedSettings("http://127.0.0.1:" + port, data.url());
        settings.put("redis.addresses", redis.address());
        settings.put("revproxy.renkuServices.uiServer", ui.url());
        settings.put("revproxy.renkuServices.keycloak", kc.url());
        settings.put("revproxy.readTimeoutMillis", Integer.toString(READ_TIMEOUT));
        settings.put("revproxy.maxResponseMillis", Integer.toString(MAX_RESPONSE));
        settings.put("revproxy.requestBuffer.maxMillis", Integer.toString(BUFFER_MILLIS));
        settings.put("revproxy.maxStreamingUploads", "4"); // a quarter of the drill's 16 workers
        Replicas replicas = Replicas.startWithJvmOptions("upstream-drills", List.of(port), settings,
                List.of("-Xmx512m", "-Dgateway.http.maxThreads=" + THREADS));
        tomcat = replicas.tomcat(0);
    }

    @AfterAll
    static void stop() {
        try (EchoUpstream d = data; EchoUpstream u = ui; EchoUpstream k = kc; RedisProcess r = redis) {
            if (tomcat != null) {
                tomcat.close();
            }
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    @Order(1)
    void anUpstreamStoppedUnderLoadIsA502AtOnce() throws Exception {
        LoadLoop loop = new LoadLoop(2000, 4, 1, 2, Duration.ofSeconds(15), n -> LoadLoop.get(url("/page/" + n)));
        loop.awaitDone(500, Duration.ofSeconds(60));
        long stopped = System.nanoTime();
        ui.close();
        List<LoadLoop.Outcome> outcomes = loop.finish(Duration.ofSeconds(120));
        ReplicaChecks.summary("upstream stopped", outcomes, stopped);
        long slowest502 = 0;
        for (LoadLoop.Outcome o : outcomes) {
            assertTrue(o.status() == 200 || o.status() == 502, o.status() + ": " + o.body());
            if (o.status() == 502) {
                assertTrue(o.doneNanos() >= stopped, "a 502 before the upstream stopped");
                slowest502 = Math.max(slowest502, o.millis());
            }
            if (o.sentNanos() > stopped + 500_000_000L) {
                assertEquals(502, o.status(), "the upstream is gone, yet: " + o.body());
            }
        }
        System.out.println("[drill] upstream stopped: slowest 502 " + slowest502 + " ms");
        assertTrue(slowest502 < 1000, "a 502 took " + slowest502 + " ms");
        assertTrue(outcomes.stream().anyMatch(o -> o.status() == 502));
    }

    @Test
    @Order(2)
    void anUpstreamThatHangsIsA504AtTheReadTimeout() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<long[]>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    String answer = exchange("GET /api/data/hang?sleepMillis=8000 HTTP/1.1\r\nHost: x\r\n"
                            + "Connection: close\r\n\r\n", null, 0, 0);
                    return new long[] {status(answer), (System.nanoTime() - start) / 1_000_000};
                }));
            }
            for (Future<long[]> call : calls) {
                long[] result = call.get();
                System.out.println("[drill] upstream hangs: " + result[0] + " after " + result[1] + " ms");
                assertEquals(504, result[0]);
                assertTrue(result[1] >= READ_TIMEOUT - 100 && result[1] < READ_TIMEOUT + 1500,
                        "504 after " + result[1] + " ms, readTimeoutMillis " + READ_TIMEOUT);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(3)
    void anUpstreamThatTricklesItsBodyIsCutAtTheTotalBound() throws Exception {
        long start = System.nanoTime();
        String answer = exchange("GET /api/data/trickle?trickleMillis=200 HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n", null, 0, 0);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("[drill] trickling upstream: connection ended after " + millis + " ms (bound "
                + MAX_RESPONSE + " ms), " + answer.length() + " bytes received");
        assertEquals(200, status(answer), "the answer had started");
        assertTrue(millis >= MAX_RESPONSE - 100 && millis < MAX_RESPONSE + READ_TIMEOUT + 1500,
                "the connection ended after " + millis + " ms");
        assertFalse(answer.endsWith("\r\n0\r\n\r\n"), "the cut answer ended like a whole one");
    }

    @Test
    @Order(4)
    void aClientThatTricklesItsUploadIsCutAtTheTotalBound() throws Exception {
        // larger than revproxy.requestBuffer.maxBytes: streamed on a worker thread, cut at revproxy.maxResponseMillis
        long start = System.nanoTime();
        String answer = exchange("POST /api/data/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
                + "Connection: close\r\n\r\n", new byte[256], 200, 200);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long answered = (firstByteNanos.get() - start) / 1_000_000;
        System.out.println("[drill] trickling upload, streamed: answered " + status(answer) + " after " + answered
                + " ms, connection closed after " + millis + " ms (bound " + MAX_RESPONSE + " ms)");
        assertEquals(408, status(answer), answer);
        assertTrue(answer.contains("revproxy.maxResponseMillis"), answer);
        assertTrue(millis < MAX_RESPONSE + READ_TIMEOUT + 1500, "the upload held on for " + millis + " ms");
    }

    @Test
    @Order(4)
    void aClientThatTricklesABufferedUploadIsCutAtTheBufferBound() throws Exception {
        // within revproxy.requestBuffer.maxBytes: read without a worker thread, cut at revproxy.requestBuffer.maxMillis
        long start = System.nanoTime();
        String answer = exchange("POST /api/data/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                + "Connection: close\r\n\r\n", new byte[256], 200, 200);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long answered = (firstByteNanos.get() - start) / 1_000_000;
        System.out.println("[drill] trickling upload, buffered: answered " + status(answer) + " after " + answered
                + " ms, connection closed after " + millis + " ms (bound " + BUFFER_MILLIS + " ms)");
        assertEquals(408, status(answer), answer);
        assertTrue(answer.contains("revproxy.requestBuffer.maxMillis"), answer);
        assertTrue(answer.contains("application/problem+json"), answer);
        assertTrue(millis >= BUFFER_MILLIS - 100 && millis < BUFFER_MILLIS + 2500,
                "the upload held on for " + millis + " ms");
    }

    @Test
    @Order(4)
    void aBufferedUploadReachesTheUpstreamWhole() throws Exception {
        // sent in pieces with pauses, as a slow client would: the upstream gets the whole body at once, unchanged
        byte[] piece = new byte[1000];
        for (int i = 0; i < piece.length; i++) {
            piece[i] = (byte) ('a' + i % 26);
        }
        String answer = exchange("POST /api/data/echo-body HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n"
                + "Connection: close\r\n\r\n", piece, 20, 20);
        assertEquals(200, status(answer), answer);
        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 20; i++) {
            sha256.update(piece);
        }
        assertTrue(answer.contains("\"bodyBytes\" : 20000"), answer);
        assertTrue(answer.contains("\"bodySha256\" : \"" + java.util.HexFormat.of().formatHex(sha256.digest()) + "\""),
                answer);
    }

    @Test
    @Order(4)
    void aBodyEndedBeforeItsContentLengthNeverReachesTheUpstream() throws Exception {
        long before = data.requestCount();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            socket.getOutputStream().write(("POST /api/data/short HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                    + "Accept: application/json\r\n\r\n0123456789").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Thread.sleep(200);
            socket.shutdownOutput(); // the client's side ends after 10 of the 1000 bytes
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("[drill] body ended early: " + (answer.isEmpty() ? "connection closed" : "answered "
                    + status(answer)) + " after " + millis + " ms");
            // Tomcat takes the end of the client's side for the end of the connection and closes it; a container
            // that keeps it half open gets the gateway's 400
            if (!answer.isEmpty()) {
                assertEquals(400, status(answer), answer);
                assertTrue(answer.contains("10 of the 1000 bytes"), answer);
            }
            assertTrue(millis < 3000, "answered after " + millis + " ms");
        }
        assertEquals(before, data.requestCount(), "a truncated body reached the upstream");
    }

    @Test
    @Order(5)
    void slowClientsDoNotStarveAWellBehavedOne() throws Exception {
        List<Long> alone = wellBehaved(200, Duration.ZERO);
        List<Socket> loris = new ArrayList<>();
        int streamed = THREADS; // as many as the pool has workers: more than revproxy.maxStreamingUploads (4)
        ExecutorService uploads = Executors.newFixedThreadPool(BUFFERED_UPLOADS + streamed);
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                socket.getOutputStream().write(("GET /api/data/loris-" + i + " HTTP/1.1\r\nHost: x\r\nX-a: ")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                loris.add(socket);
            }
            // many more slow uploads than worker threads, read without one (within revproxy.requestBuffer.maxBytes),
            // and as many too large for that as there are workers: at most revproxy.maxStreamingUploads of them
            // stream on a worker thread at once, the others wait for a turn without one
            List<Future<String>> buffered = new ArrayList<>();
            for (int i = 0; i < BUFFERED_UPLOADS; i++) {
                buffered.add(uploads.submit(() -> exchange("POST /api/data/slow-upload HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 100000\r\nConnection: close\r\n\r\n", new byte[64], 200, 100)));
            }
            List<Future<String>> large = new ArrayList<>();
            for (int i = 0; i < streamed; i++) {
                large.add(uploads.submit(() -> exchange("POST /api/data/slow-upload HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 10000000\r\nConnection: close\r\n\r\n", new byte[64], 200, 100)));
            }
            Thread.sleep(300);
            Thread trickler = new Thread(() -> {
                try {
                    for (int round = 0; round < 20; round++) {
                        for (Socket socket : loris) {
                            socket.getOutputStream().write('a');
                        }
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // the gateway closed one: fine
                }
            });
            trickler.start();
            // while every slow client still holds on (both bounds are 5 s from their start)
            List<Long> during = wellBehaved(20, Duration.ofMillis(Math.min(BUFFER_MILLIS, MAX_RESPONSE) - 1000));
            trickler.interrupt();
            long p99Alone = quantile(alone, 0.99);
            long p99During = quantile(during, 0.99);
            System.out.println("[drill] slow clients (200 slowloris connections, " + BUFFERED_UPLOADS
                    + " slow uploads buffered and " + streamed + " streamed, " + THREADS + " worker threads): a "
                    + "well-behaved client's p50/p99 " + quantile(during, 0.5) + "/" + p99During + " ms over "
                    + during.size() + " requests, alone " + quantile(alone, 0.5) + "/" + p99Alone + " ms");
            // starved, the client would wait for a slow upload to be cut (5 s) or a slowloris connection to time
            // out (20 s); below half the bound is this busy machine's noise, not a pool held by slow clients
            assertTrue(p99During < MAX_RESPONSE / 2, "the well-behaved client's p99 was " + p99During + " ms");
            for (Future<String> upload : buffered) {
                String answer = upload.get();
                assertEquals(408, status(answer), "a slow buffered upload is cut at revproxy.requestBuffer.maxMillis");
                assertTrue(answer.contains("revproxy.requestBuffer.maxMillis"), answer);
            }
            Map<Integer, Integer> largeStatuses = new java.util.TreeMap<>();
            for (Future<String> upload : large) {
                String answer = upload.get();
                largeStatuses.merge(status(answer), 1, Integer::sum);
                if (status(answer) == 408) {
                    assertTrue(answer.contains("revproxy.maxResponseMillis"), answer); // it streamed, and was cut
                } else {
                    assertEquals(503, status(answer), "a large upload that found no turn: " + answer);
                    assertTrue(answer.contains("revproxy.maxStreamingUploads") && answer.contains("Retry-After"),
                            answer);
                }
            }
            System.out.println("[drill] slow large uploads: " + largeStatuses + " (408: streamed and cut; 503: no "
                    + "turn within revproxy.requestBuffer.maxMillis)");
            assertTrue(largeStatuses.getOrDefault(408, 0) >= 4, "the first 4 streamed: " + largeStatuses);
        } finally {
            uploads.shutdownNow();
            for (Socket socket : loris) {
                socket.close();
            }
        }
    }

    /**
     * Sequential GETs through the gateway (to an upstream of their own), at least {@code count} and for at least
     * {@code duration}; their times in ms (each must be a 200).
     */
    private static List<Long> wellBehaved(int count, Duration duration) throws Exception {
        List<Long> times = new ArrayList<>();
        var http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long until = System.nanoTime() + duration.toNanos();
        for (int i = 0; i < count || System.nanoTime() - until < 0; i++) {
            long start = System.nanoTime();
            var response = http.send(LoadLoop.get(url("/api/kc/ok-" + i)).timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            times.add((System.nanoTime() - start) / 1_000_000);
            assertEquals(200, response.statusCode(), response.body());
        }
        return times;
    }

    private static long quantile(List<Long> times, double q) {
        List<Long> sorted = new ArrayList<>(times);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /**
     * Sends {@code head} on a raw socket, then (when {@code chunk} is not null) up to {@code chunks} copies of it,
     * one every {@code pauseMillis}, as a body; reads the answer to the end (or until 20 s of silence).
     */
    /** When the last {@link #exchange} on this thread received its answer's first byte. */
    static final ThreadLocal<Long> firstByteNanos = ThreadLocal.withInitial(() -> 0L);

    static String exchange(String head, byte[] chunk, int chunks, long pauseMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            if (chunk != null) {
                for (int i = 0; i < chunks && in.available() == 0; i++) {
                    try {
                        out.write(chunk);
                        out.flush();
                        Thread.sleep(pauseMillis);
                    } catch (IOException closed) {
                        break; // the gateway answered and closed: read what it said
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (answer.size() == 0) {
                        firstByteNanos.set(System.nanoTime());
                    }
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException silent) {
                answer.write("\n[no end within 20 s]".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException reset) {
                // a cut connection: what was read so far is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static int status(String answer) {
        if (!answer.startsWith("HTTP/1.1 ")) {
            return -1;
        }
        return Integer.parseInt(answer.substring(9, 12));
    }
}
