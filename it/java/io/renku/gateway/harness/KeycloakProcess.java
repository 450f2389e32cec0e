package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real Keycloak (the Quarkus distribution unpacked by the build) running as a child process, for the integration
 * tests and the demo. It exists because the gateway's login chain is only worth testing against the real thing:
 * discovery, redirect-URI rules, PKCE and token contents all come from Keycloak itself.
 *
 * <p>Each start re-imports the realm files: the embedded H2 database in {@code data/h2} is deleted first, because
 * Keycloak skips an import for a realm that already exists. The server binds to 127.0.0.1 only (the bootstrap admin is
 * admin/admin) and its hostname is pinned to {@code http://127.0.0.1:port}, so the issuer in tokens does not depend on
 * whether a caller used "localhost" or "127.0.0.1". {@code kc.sh} runs Java as a child, so {@link #close()} stops the
 * whole process tree. Plain Java (no JUnit) so a demo {@code main} can use it as well.
 */
public final class KeycloakProcess implements AutoCloseable {

  /** How long {@link #start} waits for readiness unless told otherwise: the first start runs a ~45 s build. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(180);

  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 40;

  private final Path home;
  private final int port;
  private final int managementPort;
  private final Path logFile;
  private final Process process;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private KeycloakProcess(Path home, int port, int managementPort, Path logFile, Process process) {
    this.home = home;
    this.port = port;
    this.managementPort = managementPort;
    this.logFile = logFile;
    this.process = process;
    this.shutdownHook = new Thread(this::stopProcessTree, "keycloak-stop-" + port);
  }

  /** Starts Keycloak with {@link #DEFAULT_START_TIMEOUT}, reporting progress on standard output. */
  public static KeycloakProcess start(Path home, int port, int managementPort, Path realmDir, Path logFile) {
    return start(home, port, managementPort, realmDir, logFile, DEFAULT_START_TIMEOUT, System.out::println);
  }

  /**
   * Starts Keycloak and returns once {@code /health/ready} on the management port answers 200.
   *
   * @param home the unpacked {@code keycloak-<version>} directory
   * @param port the HTTP port (OIDC endpoints, admin console)
   * @param managementPort the management port (health)
   * @param realmDir a directory whose {@code *.json} files are imported as realms
   * @param logFile where Keycloak's standard output and error go (replaced on each start)
   * @param timeout how long to wait for readiness
   * @param progress receives a line now and then while Keycloak starts
   * @throws IllegalStateException if Keycloak exits or is not ready in time; the message carries the log's tail
   */
  public static KeycloakProcess start(
      Path home,
      int port,
      int managementPort,
      Path realmDir,
      Path logFile,
      Duration timeout,
      Consumer<String> progress) {
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(realmDir, "realmDir");
    Objects.requireNonNull(logFile, "logFile");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(progress, "progress");
    Path kcSh = home.resolve("bin").resolve("kc.sh");
    if (!Files.isRegularFile(kcSh)) {
      throw new IllegalArgumentException("not a Keycloak home (no bin/kc.sh): " + home.toAbsolutePath());
    }
    return launch(home, port, managementPort, realmDir, logFile, timeout, progress, true);
  }

  /**
   * Starts Keycloak again on a home it ran from before, keeping its database (realms, users, sessions, keys), as a
   * production Keycloak comes back after an outage. The caller stopped the earlier process ({@link #close()}).
   */
  public static KeycloakProcess restart(KeycloakProcess stopped, Duration timeout, Consumer<String> progress) {
    return launch(stopped.home, stopped.port, stopped.managementPort, null, stopped.logFile, timeout, progress,
        false);
  }

  private static KeycloakProcess launch(
      Path home,
      int port,
      int managementPort,
      Path realmDir,
      Path logFile,
      Duration timeout,
      Consumer<String> progress,
      boolean fresh) {
    Path kcSh = home.resolve("bin").resolve("kc.sh");
    try {
      if (fresh) {
        prepareHome(home, realmDir);
      }
      Files.createDirectories(logFile.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Keycloak home " + home, e);
    }

    ProcessBuilder builder =
        new ProcessBuilder(
                kcSh.toAbsolutePath().toString(),
                "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--http-management-port=" + managementPort,
                "--hostname=http://127.0.0.1:" + port,
                "--import-realm")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
    Map<String, String> env = builder.environment();
    // kc.sh looks for java in JAVA_HOME first: use the JVM we run in, not whatever is on PATH.
    env.put("JAVA_HOME", System.getProperty("java.home"));
    // Test-only bootstrap admin; the server listens on loopback only.
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
    // A build-time option: start-dev re-augments when it changes, so keep it constant across starts.
    env.put("KC_HEALTH_ENABLED", "true");
    // Our own JVM's options (e.g. a debugger agent from the IDE) must not leak into Keycloak.
    env.remove("JAVA_OPTS");
    env.remove("JAVA_TOOL_OPTIONS");

    Process process;
    try {
      process = builder.start();
      process.getOutputStream().close(); // Keycloak reads nothing from standard input
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + kcSh, e);
    }
    KeycloakProcess keycloak = new KeycloakProcess(home, port, managementPort, logFile, process);
    try {
      keycloak.awaitReady(timeout, progress);
    } catch (RuntimeException | Error e) {
      keycloak.close();
      throw e;
    }
    return keycloak;
  }

  /** The server's base URL, e.g. {@code http://127.0.0.1:8180}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The issuer of {@code realm}, exactly as it appears in discovery documents and tokens. */
  public String issuer(String realm) {
    return baseUrl() + "/realms/" + realm;
  }

  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  public Path home() {
    return home;
  }

  public Path logFile() {
    return logFile;
  }

  /**
   * Opts in to stopping Keycloak when the JVM exits without {@link #close()} (Ctrl-C on the demo, a test JVM killed by
   * its fork timeout). A hook rather than a default because a caller that always closes does not need one.
   */
  public KeycloakProcess stopOnJvmExit() {
    if (!closed.get()) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    return this;
  }

  /** Stops Keycloak and the Java process {@code kc.sh} started: gracefully first, forcibly after 10 s. */
  @Override
  public void close() {
    stopProcessTree();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The JVM is already shutting down, or the hook was never registered: nothing to undo.
    }
  }

  private void stopProcessTree() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Snapshot the tree before signalling: once kc.sh exits its Java child is re-parented and no longer a descendant.
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process.toHandle());
    try (Stream<ProcessHandle> descendants = process.descendants()) {
      descendants.forEach(tree::add);
    }
    // kc.sh forwards TERM to Java; signalling Java directly too covers the case where kc.sh already exec'd it.
    tree.forEach(ProcessHandle::destroy);
    CompletableFuture<?> allExited =
        CompletableFuture.allOf(tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new));
    try {
      allExited.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    } catch (InterruptedException e) {
      tree.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      tree.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private void awaitReady(Duration timeout, Consumer<String> progress) {
    URI health = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build();
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long nextProgress = started + PROGRESS_INTERVAL.toNanos();
    progress.accept("Starting Keycloak on " + baseUrl() + " (log: " + logFile + ")");
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Keycloak exited with status " + process.exitValue() + " before it was ready; last lines of "
                + logFile + ":\n" + logTail());
      }
      if (isReady(client, request)) {
        progress.accept("Keycloak is ready on " + baseUrl() + " after " + secondsSince(started) + " s");
        return;
      }
      long now = System.nanoTime();
      if (now - deadline > 0) {
        throw new IllegalStateException(
            "Keycloak was not ready on " + health + " within " + timeout.toSeconds() + " s; last lines of "
                + logFile + ":\n" + logTail());
      }
      if (now - nextProgress > 0) {
        progress.accept(
            "Keycloak is still starting (" + secondsSince(started) + " s; the first start after unpacking "
                + "also builds the server)");
        nextProgress = now + PROGRESS_INTERVAL.toNanos();
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Keycloak", e);
      }
    }
  }

  private static boolean isReady(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Keycloak", e);
    }
  }

  private static long secondsSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
  }

  private String logTail() {
    Deque<String> tail = new ArrayDeque<>(LOG_TAIL_LINES);
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      lines.forEach(
          line -> {
            if (tail.size() == LOG_TAIL_LINES) {
              tail.removeFirst();
            }
            tail.addLast(line);
          });
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
    return String.join("\n", tail);
  }

  /** Fresh database, exactly our realm files to import, and run bits the unpacking may have lost. */
  private static void prepareHome(Path home, Path realmDir) throws IOException {
    deleteRecursively(home.resolve("data").resolve("h2"));

    Path importDir = home.resolve("data").resolve("import");
    Files.createDirectories(importDir);
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(importDir, "*.json")) {
      for (Path file : stale) {
        Files.delete(file);
      }
    }
    int copied = 0;
    try (DirectoryStream<Path> realms = Files.newDirectoryStream(realmDir, "*.json")) {
      for (Path realm : realms) {
        Files.copy(realm, importDir.resolve(realm.getFileName()));
        copied++;
      }
    }
    if (copied == 0) {
      throw new IllegalArgumentException("no realm files (*.json) in " + realmDir.toAbsolutePath());
    }

    Set<PosixFilePermission> runBits =
        EnumSet.of(
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    try (DirectoryStream<Path> scripts = Files.newDirectoryStream(home.resolve("bin"), "*.sh")) {
      for (Path script : scripts) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(script);
        if (permissions.addAll(runBits)) {
          Files.setPosixFilePermissions(script, permissions);
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }
}
