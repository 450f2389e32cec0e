package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.TomcatProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A container shutdown during traffic (SIGTERM to a Tomcat of its own, set up like the shipped server-config/tomcat):
 * a slow download and a slow upload that are in flight finish whole, {@code /ready} turns 503 while the gateway
 * drains, and new requests are refused cleanly (503 or no connection, never a 500 or a cut answer) until Tomcat exits
 * within the grace period.
 */
class ShutdownIT {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void requestsInFlightFinishWhileTheGatewayDrainsAndTomcatExitsWithinTheGrace() throws Exception {
        Path base = Files.createTempDirectory(Path.of(System.getProperty("it.work.dir")), "shutdown-tomcat-");
        copy(Path.of(System.getProperty("it.tomcat.base"), "conf"), base.resolve("conf"));
        int port = Ports.free();
        try (EchoUpstream echo = EchoUpstream.start(Ports.free())) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("revproxy.renkuServices.dataService", echo.url());
            settings.put("revproxy.readTimeoutMillis", "15000");
            settings.put("sessions.cookieSigningKeys", "c2h1dGRvd24taXQtY29va2llLXNpZ25pbmcta2V5LTA=");
            settings.put("login.tokenEncryption.secretKey", "c2h1dGRvd24taXQtdG9rZW4tZW5jcnlwdGlvbi1rZXk=");
            settings.put("login.renkuBaseURL", "http://127.0.0.1:" + port);
            settings.put("login.providers.renku.issuer", "http://127.0.0.1:1/realms/renku");
            settings.put("login.providers.renku.clientID", "renku");
            settings.put("login.providers.gitlab.issuer", "http://127.0.0.1:1/realms/gitlab");
            settings.put("login.providers.gitlab.clientID", "gitlab");
            settings.put("logging.destination", base.resolve("gateway.log").toString());
            try (TomcatProcess tomcat = TomcatProcess.start(Path.of(System.getProperty("it.tomcat.home")), base,
                    Path.of(System.getProperty("it.war")), port, settings)) {
                tomcat.awaitOk("health", Duration.ofSeconds(90), line -> { });
                String gateway = "http://127.0.0.1:" + port;
                long size = 8L * 1024 * 1024;
                // a download whose upstream answers after 3 s, and an upload that trickles for ~3 s
                CompletableFuture<HttpResponse<String>> download = http.sendAsync(HttpRequest.newBuilder(
                        URI.create(gateway + "/api/data/slow?sleepMillis=3000&downloadBytes=" + size)).build(),
                        HttpResponse.BodyHandlers.ofString());
                CompletableFuture<HttpResponse<String>> upload = http.sendAsync(HttpRequest.newBuilder(
                        URI.create(gateway + "/api/data/upload")).POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new SlowBody(64 * 1024, 30, 100))).build(), HttpResponse.BodyHandlers.ofString());
                Thread.sleep(1000);
                long stopAt = System.nanoTime();
                tomcat.terminate();
                Thread.sleep(300);
                int during = statusOrRefused(gateway + "/ready");
                assertTrue(during == 503 || during == -1, "/ready while draining: " + during);
                int fresh = statusOrRefused(gateway + "/api/data/new");
                assertTrue(fresh == 503 || fresh == -1, "a new request while draining: " + fresh);

                HttpResponse<String> down = download.get();
                assertEquals(200, down.statusCode());
                assertEquals(size, down.body().length(), "the download was cut");
                HttpResponse<String> up = upload.get();
                assertEquals(200, up.statusCode(), up.body());
                JsonNode echoed = json.readTree(up.body());
                assertEquals(30L * 64 * 1024, echoed.path("bodyBytes").asLong(), "the upload was cut");
                assertTrue(tomcat.awaitExit(Duration.ofSeconds(25)), "Tomcat did not exit within the grace");
                System.out.println("[shutdown] in-flight download and upload finished; Tomcat exited "
                        + Duration.ofNanos(System.nanoTime() - stopAt).toMillis() + " ms after SIGTERM; /ready "
                        + "during the drain: " + during + ", a new request: " + fresh);
            }
        } finally {
            deleteRecursively(base);
        }
    }

    /** The status of a GET, or -1 when no connection could be made (the connector is closed). */
    private int statusOrRefused(String url) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code chunks} chunks of {@code chunkSize} zero bytes, one every {@code pauseMillis}. */
    private static final class SlowBody extends InputStream {
        private final int chunkSize;
        private final long pauseMillis;
        private int chunksLeft;
        private int leftInChunk;

        SlowBody(int chunkSize, int chunks, long pauseMillis) {
            this.chunkSize = chunkSize;
            this.chunksLeft = chunks;
            this.pauseMillis = pauseMillis;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (leftInChunk == 0) {
                if (chunksLeft == 0) {
                    return -1;
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                chunksLeft--;
                leftInChunk = chunkSize;
            }
            int n = Math.min(length, leftInChunk);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            leftInChunk -= n;
            return n;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (from.relativize(path).toString().startsWith("Catalina")) {
                    continue; // per-application descriptors of the Arquillian Tomcat are not this Tomcat's
                }
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
