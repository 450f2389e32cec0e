package io.renku.gateway.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * Real redis-server processes on loopback for the replica ITs and drills (the same helper as the topology component
 * tests in {@code src/test/.../redis/RedisNodes}, which cannot see this source tree): the 6.2 binary that embedded-redis ships, run by
 * us with a generated config file, because Sentinel, Cluster, ACL users and TLS need settings the library's builders
 * do not expose. Every process started here is stopped by {@link #close()} (tests call it from {@code @AfterAll}),
 * also when a test failed half-way; each node's log stays in its folder under {@code ${it.work.dir}/redis-topologies/}.
 */
public final class RedisNodes implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 15_000;

    private final Path root;
    private final File binary;
    private final List<Node> nodes = new ArrayList<>();
    private final Thread stopOnJvmExit = new Thread(this::stopAll, "stop redis-server processes");

    public RedisNodes(String name) {
        try {
            this.root = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it-work"), "redis-topologies", name + "-" + ProcessHandle
                    .current().pid() + "-" + System.nanoTime())).toAbsolutePath();
            this.binary = ExecutableProvider.newJarResourceProvider().get();
            if (!binary.canExecute() && !binary.setExecutable(true)) {
                throw new IOException("cannot make " + binary + " executable");
            }
            // Child processes outlive a JVM that dies without running @AfterAll (fork timeout, Ctrl-C).
            Runtime.getRuntime().addShutdownHook(stopOnJvmExit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare redis-server", e);
        }
    }

    /** A free loopback port (the tiny race with other processes is accepted in tests). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** Starts a redis-server on {@code port} with the base settings plus {@code extra} config lines. */
    public Node server(String name, int port, String... extra) {
        List<String> config = new ArrayList<>(List.of("port " + port));
        config.addAll(List.of(extra));
        return start(name, port, config, false);
    }

    /** Starts a redis-server on a TLS-only {@code port}; {@code extra} must name the certificate files. */
    public Node tlsServer(String name, int port, String... extra) {
        List<String> config = new ArrayList<>(List.of("port 0", "tls-port " + port));
        config.addAll(List.of(extra));
        return start(name, port, config, false);
    }

    /** Starts a Sentinel ({@code redis-server <conf> --sentinel}); Sentinel rewrites its config file as it learns. */
    public Node sentinel(String name, int port, String... extra) {
        List<String> config = new ArrayList<>(List.of("port " + port));
        config.addAll(List.of(extra));
        return start(name, port, config, true);
    }

    private Node start(String name, int port, List<String> specific, boolean sentinel) {
        try {
            Path dir = Files.createDirectories(root.resolve(name));
            List<String> config = new ArrayList<>(List.of("bind 127.0.0.1", "daemonize no", "dir " + dir,
                    "logfile " + dir.resolve("redis.log"), "save \"\"", "appendonly no"));
            config.addAll(specific);
            Path file = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
            Files.write(file, config, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(binary.getAbsolutePath(), file.toString()));
            if (sentinel) {
                command.add("--sentinel");
            }
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            Node node = new Node(name, port, dir, process);
            nodes.add(node);
            node.awaitListening();
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server " + name, e);
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnJvmExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private void stopAll() {
        for (Node node : List.copyOf(nodes)) {
            node.stop();
        }
    }

    /** One redis-server process. */
    public static final class Node {
        private final String name;
        private final int port;
        private final Path dir;
        private final Process process;

        private Node(String name, int port, Path dir, Process process) {
            this.name = name;
            this.port = port;
            this.dir = dir;
            this.process = process;
        }

        public int port() {
            return port;
        }

        public String address() {
            return "127.0.0.1:" + port;
        }

        public Path dir() {
            return dir;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** SIGKILL: the node vanishes without a goodbye, as a crashed host would. */
        public void kill() {
            process.destroyForcibly();
            await();
        }

        public void stop() {
            if (process.isAlive()) {
                process.destroy();
                if (!await()) {
                    process.destroyForcibly();
                    await();
                }
            }
        }

        private boolean await() {
            try {
                return process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void awaitListening() throws IOException {
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("redis-server " + name + " exited with " + process.exitValue() + ": "
                            + log());
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    sleep(50);
                }
            }
            stop();
            throw new IOException("redis-server " + name + " did not listen on " + port + ": " + log());
        }

        /** The tail of the node's log, for failure messages. */
        public String log() {
            StringBuilder text = new StringBuilder();
            for (String file : List.of("stdout.log", "redis.log")) {
                try {
                    text.append(Files.readString(dir.resolve(file)));
                } catch (IOException absent) {
                    // not written (yet)
                }
            }
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text.toString();
        }

        @Override
        public String toString() {
            return name + "@" + port;
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
