package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Tomcat started the way {@code catalina.sh run} would (Bootstrap on the JVM running this code), with the
 * gateway WAR as {@code ROOT}. The demo uses it; the integration tests use Arquillian's managed container instead,
 * over the same prepared {@code CATALINA_BASE} layout (Maven's {@code prepare-tomcat-base}).
 */
public final class TomcatProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private TomcatProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Copies {@code war} to {@code base/webapps/ROOT.war} and starts Tomcat; {@code settings} become
     * {@code GATEWAY_…} environment variables (read before {@code web.xml}), not {@code -D} options: a JVM's command
     * line is visible to every local user in {@code ps} and is what containers log at start, and these settings hold
     * the client secrets and keys.
     */
    public static TomcatProcess start(Path home, Path base, Path war, int port, Map<String, String> settings) {
        return start(home, base, war, port, settings, shippedJvmOptions());
    }

    /**
     * The JVM options {@code server-config/tomcat/setenv.sh} gives Tomcat (its {@code CATALINA_OPTS}), so the demo and
     * the benchmarks run the shipped configuration; {@code -Xmx512m} when the file is not in the working directory.
     */
    public static List<String> shippedJvmOptions() {
        Path setenv = Path.of("server-config/tomcat/setenv.sh");
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "(?m)^CATALINA_OPTS=\"\\$CATALINA_OPTS ([^\"]*)\"").matcher(Files.readString(setenv));
            return m.find() ? List.of(m.group(1).trim().split("\\s+")) : List.of("-Xmx512m");
        } catch (IOException e) {
            return List.of("-Xmx512m");
        }
    }

    /** As above, with these JVM options (heap, GC) instead of the shipped ones. */
    public static TomcatProcess start(Path home, Path base, Path war, int port, Map<String, String> settings,
            List<String> jvmOptions) {
        try {
            Path webapps = Files.createDirectories(base.resolve("webapps"));
            deleteRecursively(webapps.resolve("ROOT"));
            Files.copy(war, webapps.resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
            Path log = Files.createDirectories(base.resolve("logs")).resolve("console.log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager");
            command.add("-Djava.util.logging.config.file=" + base.resolve("conf/logging.properties"));
            command.add("-Dcatalina.home=" + home);
            command.add("-Dcatalina.base=" + base);
            command.add("-Djava.io.tmpdir=" + Files.createDirectories(base.resolve("temp")));
            command.add("-Dgateway.http.port=" + port);
            command.add("-Dgateway.shutdown.port=-1");
            command.add("-classpath");
            command.add(home.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator + home.resolve("bin/tomcat-juli.jar"));
            command.add("org.apache.catalina.startup.Bootstrap");
            command.add("start");
            ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            settings.forEach((name, value) -> builder.environment().put(environmentName(name), value));
            Process process = builder.start();
            return new TomcatProcess(process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Tomcat from " + home, e);
        }
    }

    /** The variable the gateway reads for setting {@code name} (README: "Overriding settings"). */
    public static String environmentName(String name) {
        return "GATEWAY_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }

    public String url() {
        return "http://localhost:" + port + "/";
    }

    /** The Tomcat JVM's process id (for {@code jcmd}). */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Waits until {@code path} answers 200, printing progress; fails if Tomcat dies or the time runs out. */
    public void awaitOk(String path, Duration timeout, java.util.function.Consumer<String> progress) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextNote = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Tomcat exited; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url()).resolve(path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Tomcat", e);
            }
            if (System.nanoTime() >= nextNote) {
                progress.accept("waiting for " + url() + path);
                nextNote = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Tomcat", e);
            }
        }
        throw new IllegalStateException(url() + path + " did not answer 200 within " + timeout + "; see " + log);
    }

    /** Sends SIGTERM (what systemd or Kubernetes send) and returns at once; {@link #close} still waits and kills. */
    public void terminate() {
        process.destroy();
    }

    /** Waits up to {@code timeout} for the JVM to exit; true when it did. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ProcessTrees.stop(process.toHandle(), Duration.ofSeconds(15));
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
