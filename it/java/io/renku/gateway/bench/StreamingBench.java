package io.renku.gateway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.ZeroStream;
import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.TomcatProcess;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code mvn -Pbench-streaming}: the design's streaming target, shown rather than asserted. Starts the echo upstream
 * and the built WAR in a real Tomcat (the harness's {@link TomcatProcess}, {@code -Xmx512m}), streams 1 GiB up and 1 GiB
 * down through the gateway's data-service route, and watches the gateway JVM's heap over JMX meanwhile: the used heap
 * after a full GC (forced every 300 ms: what the gateway holds on to) and the used heap between collections
 * (sampled every 100 ms: what it allocates). Prints throughput and the largest growth of each over the baseline taken
 * after a warm-up. A benchmark, not a test: the numbers depend on the machine; the README quotes one run.
 */
public final class StreamingBench {
    private static final long MIB = 1024L * 1024;

    private StreamingBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: StreamingBench <tomcat-home> <tomcat-base> <war>");
        }
        long size = Long.getLong("bench.bytes", 1024 * MIB);
        int echoPort = Ports.free();
        int gatewayPort = Ports.free();
        int jmxPort = Ports.free();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("com.sun.management.jmxremote.port", Integer.toString(jmxPort));
        settings.put("com.sun.management.jmxremote.rmi.port", Integer.toString(jmxPort));
        settings.put("com.sun.management.jmxremote.host", "127.0.0.1");
        settings.put("com.sun.management.jmxremote.authenticate", "false");
        settings.put("com.sun.management.jmxremote.ssl", "false");
        settings.put("java.rmi.server.hostname", "127.0.0.1");
        settings.put("sessions.cookieSigningKeys", "ZGVtby1vbmx5LWNvb2tpZS1zaWduaW5nLWtleS0wMDA=");
        settings.put("login.tokenEncryption.secretKey", "ZGVtby1vbmx5LXRva2VuLWVuY3J5cHRpb24ta2V5MDA=");
        // Required login settings; the benchmark never logs in, and discovery only runs on a login.
        settings.put("login.renkuBaseURL", "http://localhost:" + gatewayPort);
        settings.put("login.providers.renku.issuer", "http://127.0.0.1:1/realms/renku");
        settings.put("login.providers.gitlab.issuer", "http://127.0.0.1:1/realms/gitlab");
        settings.put("login.providers.gitlab.clientID", "renku-gateway");
        try (EchoUpstream echo = EchoUpstream.start(echoPort)) {
            settings.put("revproxy.renkuServices.dataService", echo.url());
            try (TomcatProcess tomcat = TomcatProcess.start(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                    gatewayPort, settings)) {
                say("starting the gateway in Tomcat on port " + gatewayPort + " (log: " + tomcat.log() + ")");
                tomcat.awaitOk("health", Duration.ofSeconds(120), StreamingBench::say);
                run(tomcat.url(), jmxPort, size);
            }
        }
    }

    private static void run(String gateway, int jmxPort, long size) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ObjectMapper json = new ObjectMapper();
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(jmx.getMBeanServerConnection(),
                    ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            say("warm-up: 2 x 64 MiB");
            upload(http, json, gateway, 64 * MIB);
            download(http, gateway, 64 * MIB);
            memory.gc();
            long baseline = memory.getHeapMemoryUsage().getUsed();
            say(String.format("gateway heap after GC before streaming: %.1f MiB (max %d MiB)", baseline / (double) MIB,
                    memory.getHeapMemoryUsage().getMax() / MIB));

            try (HeapSampler up = new HeapSampler(memory)) {
                long start = System.nanoTime();
                upload(http, json, gateway, size);
                report("upload  ", size, System.nanoTime() - start, up, baseline);
            }
            try (HeapSampler down = new HeapSampler(memory)) {
                long start = System.nanoTime();
                download(http, gateway, size);
                report("download", size, System.nanoTime() - start, down, baseline);
            }
        }
    }

    private static void upload(HttpClient http, ObjectMapper json, String gateway, long size) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway + "api/data/upload"))
                .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)), size)).build(),
                HttpResponse.BodyHandlers.ofString());
        long received = response.statusCode() == 200 ? json.readTree(response.body()).path("bodyBytes").asLong() : -1;
        if (received != size) {
            throw new IllegalStateException("upload: status " + response.statusCode() + ", upstream got " + received);
        }
    }

    private static void download(HttpClient http, String gateway, long size) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(gateway
                + "api/data/download?downloadBytes=" + size)).timeout(Duration.ofMinutes(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long received = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                received += n;
            }
        }
        if (response.statusCode() != 200 || received != size) {
            throw new IllegalStateException("download: status " + response.statusCode() + ", got " + received);
        }
    }

    private static void report(String what, long size, long nanos, HeapSampler heap, long baseline) {
        double seconds = nanos / 1e9;
        say(String.format("%s %d MiB in %.1f s = %.0f MiB/s; heap growth over baseline: after GC max %.1f MiB"
                + " (%d samples), between GCs max %.1f MiB", what, size / MIB, seconds, size / MIB / seconds,
                Math.max(0, heap.maxAfterGc() - baseline) / (double) MIB, heap.afterGcSamples(),
                Math.max(0, heap.maxUsed() - baseline) / (double) MIB));
    }

    private static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    /** Samples the gateway's used heap every 100 ms, and after a forced full GC every 300 ms. */
    private static final class HeapSampler implements AutoCloseable {
        private final MemoryMXBean memory;
        private final AtomicLong maxUsed = new AtomicLong();
        private final AtomicLong maxAfterGc = new AtomicLong();
        private final AtomicLong afterGcSamples = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        HeapSampler(MemoryMXBean memory) {
            this.memory = memory;
            this.thread = new Thread(this::sample, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample() {
            for (int tick = 0; running.get(); tick++) {
                try {
                    maxUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    if (tick % 3 == 2) {
                        memory.gc();
                        maxAfterGc.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        afterGcSamples.incrementAndGet();
                    }
                    Thread.sleep(100);
                } catch (InterruptedException | RuntimeException e) {
                    return; // stopped (an interrupted JMX call surfaces as a runtime exception)
                }
            }
        }

        long maxUsed() {
            return maxUsed.get();
        }

        long maxAfterGc() {
            return maxAfterGc.get();
        }

        long afterGcSamples() {
            return afterGcSamples.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join();
        }
    }

}
