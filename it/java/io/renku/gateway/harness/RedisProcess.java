package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A real redis-server (the 6.2 binary that embedded-redis ships) on a loopback port. Tests stop and restart it on the
 * same port to show how the gateway behaves while Redis is away. With a data directory it keeps an append-only file
 * there, so a stop and start keeps the sessions, as a production Redis would.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private final RedisServer server;

    public RedisProcess(int port, Path dataDir) {
        this.port = port;
        try {
            Files.createDirectories(dataDir);
            this.server = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("dir " + dataDir.toAbsolutePath())
                    .setting("save \"\"")
                    .setting("appendonly yes")
                    .setting("appendfsync always")
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare redis-server on port " + port, e);
        }
    }

    public static RedisProcess start(int port, Path dataDir) {
        RedisProcess redis = new RedisProcess(port, dataDir);
        redis.start();
        return redis;
    }

    public void start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start on port " + port, e);
        }
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not stop", e);
        }
    }

    public boolean isRunning() {
        return server.isActive();
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (server.isActive()) {
            stop();
        }
    }
}
