package io.renku.gateway.redis;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;

/**
 * Listens on one Redis pub/sub channel on a connection of its own and tells a {@link Listener} what arrives, and
 * above all when it may have missed something. Every replica's session writes publish the id they changed (inside
 * the write's own script, see {@code session/RedisSessionRepository}), so a near cache that hears every message can
 * serve from memory; one that might have missed one must not.
 *
 * <p>The listener is told {@code reset(true)} once the subscription is confirmed and {@code reset(false)} as soon as
 * the connection fails, is closed, or stops answering: a ping goes out every {@code heartbeatMillis}, and when
 * neither a message nor a pong has come back for three intervals the connection is presumed dead (a half-open TCP
 * connection never fails on its own) and closed. Then it reconnects, asking {@code node} where to each
 * time, so that after a Sentinel failover or the loss of a Cluster node it follows wherever the topology now is.
 */
public final class InvalidationChannel implements AutoCloseable {
    private static final Logger LOG = System.getLogger(InvalidationChannel.class.getName());

    /** What the channel reports. Called on the channel's threads; must not block. */
    public interface Listener {
        void invalidated(String message);

        /** Everything may have changed: {@code live} says whether messages are being heard again. */
        void reset(boolean live);
    }

    private final Supplier<HostAndPort> node;
    private final JedisClientConfig config;
    private final String channel;
    private final Listener listener;
    private final long heartbeatMillis;
    private final Thread subscriber;
    private final ScheduledExecutorService heartbeat;
    private volatile boolean closed;
    private volatile Connection current;
    private volatile WatchedSockets.WatchedSocket socket;
    private volatile Subscription subscription;
    private volatile long lastHeardNanos;

    public InvalidationChannel(Supplier<HostAndPort> node, JedisClientConfig config, String channel, Listener listener,
            long heartbeatMillis) {
        this.node = Objects.requireNonNull(node, "node");
        this.config = Objects.requireNonNull(config, "config");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (heartbeatMillis <= 0) {
            throw new IllegalArgumentException("heartbeatMillis must be > 0");
        }
        this.heartbeatMillis = heartbeatMillis;
        subscriber = new Thread(this::run, "gateway-invalidations");
        subscriber.setDaemon(true);
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-invalidations-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    public InvalidationChannel start() {
        subscriber.start();
        heartbeat.scheduleWithFixedDelay(this::beat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void run() {
        long backoff = 50;
        boolean warned = false;
        while (!closed) {
            Subscription s = new Subscription();
            try (Connection connection = connect()) {
                current = connection;
                subscription = s;
                lastHeardNanos = System.nanoTime();
                s.proceed(connection, channel);
            } catch (RuntimeException e) {
                if (!closed && !warned) {
                    LOG.log(Level.WARNING, "Session invalidations from Redis are not heard (" + e.getClass().getName()
                            + "): the near cache is off until the channel is back");
                    warned = true;
                }
            } finally {
                subscription = null;
                current = null;
                socket = null;
                listener.reset(false);
            }
            if (s.confirmed) {
                backoff = 50;
                warned = false;
            }
            sleep(backoff);
            backoff = Math.min(1000, backoff * 2);
        }
    }

    /** A connection to where the topology says now, remembering its socket for {@link #quiet()}. */
    private Connection connect() {
        WatchedSockets sockets = new WatchedSockets(node.get(), config);
        Connection connection = new Connection(sockets, config);
        socket = sockets.socket();
        return connection;
    }

    /**
     * True when everything this channel has received is handled: its thread is blocked waiting for more and the
     * kernel holds no unread byte. A writer makes sure its invalidation is on this socket before it acknowledges the
     * change (see {@code session/RedisSessionRepository}), so a near cache that asks this before serving an entry
     * never serves one whose invalidation has arrived but is not handled yet (the subscriber thread not scheduled
     * yet). False when there is no connection.
     */
    public boolean quiet() {
        WatchedSockets.WatchedSocket s = socket;
        return s != null && s.drained();
    }

    private void beat() {
        Subscription s = subscription;
        Connection c = current;
        if (s == null || c == null) {
            return;
        }
        if (System.nanoTime() - lastHeardNanos > TimeUnit.MILLISECONDS.toNanos(3 * heartbeatMillis)) {
            listener.reset(false);
            c.close(); // breaks the subscriber's blocking read; it reconnects
            return;
        }
        try {
            if (s.isSubscribed()) {
                s.ping();
            }
        } catch (RuntimeException e) {
            listener.reset(false);
            c.close();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        heartbeat.shutdownNow();
        Connection c = current;
        if (c != null) {
            c.close();
        }
        subscriber.interrupt();
        listener.reset(false);
    }

    private final class Subscription extends JedisPubSub {
        private volatile boolean confirmed;

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            lastHeardNanos = System.nanoTime();
            confirmed = true;
            listener.reset(true);
        }

        @Override
        public void onMessage(String channel, String message) {
            lastHeardNanos = System.nanoTime();
            listener.invalidated(message);
        }

        @Override
        public void onPong(String pattern) {
            lastHeardNanos = System.nanoTime();
        }
    }
}
