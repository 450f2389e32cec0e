package io.renku.gateway.redis;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Sockets for the invalidation channel that can tell whether everything received so far has been handled: the
 * reading thread is waiting for more and nothing is buffered in the kernel ({@link WatchedSocket#drained}).
 * Jedis's own socket factory cannot say that (its reader buffers, and a thread that has read a message may not have
 * acted on it yet), and no kept library offers it, so this small factory connects like Jedis's (keep-alive, no delay,
 * the configured timeouts; TLS layered on top with the configured factory and parameters).
 */
final class WatchedSockets implements JedisSocketFactory {
    private final HostAndPort node;
    private final JedisClientConfig config;
    private volatile WatchedSocket last;

    WatchedSockets(HostAndPort node, JedisClientConfig config) {
        this.node = Objects.requireNonNull(node, "node");
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public Socket createSocket() throws JedisConnectionException {
        WatchedSocket raw = new WatchedSocket();
        try {
            raw.setReuseAddress(true);
            raw.setKeepAlive(true);
            raw.setTcpNoDelay(true);
            raw.setSoLinger(true, 0);
            raw.connect(new InetSocketAddress(node.getHost(), node.getPort()), config.getConnectionTimeoutMillis());
            raw.setSoTimeout(config.getSocketTimeoutMillis());
            last = raw;
            if (!config.isSsl()) {
                return raw;
            }
            SSLSocketFactory factory = config.getSslSocketFactory() != null ? config.getSslSocketFactory()
                    : (SSLSocketFactory) SSLSocketFactory.getDefault();
            SSLSocket ssl = (SSLSocket) factory.createSocket(raw, node.getHost(), node.getPort(), true);
            if (config.getSslParameters() != null) {
                ssl.setSSLParameters(config.getSslParameters());
            }
            ssl.startHandshake();
            return ssl;
        } catch (IOException e) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new JedisConnectionException("cannot connect to " + node + ": " + e.getMessage(), e);
        }
    }

    /** The socket made last (the connection's), or null before the first. */
    WatchedSocket socket() {
        return last;
    }

    /** A plain TCP socket whose input stream records whether its reader is waiting in {@code read}. */
    static final class WatchedSocket extends Socket {
        private volatile WatchedInput input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new WatchedInput(super.getInputStream());
            }
            return input;
        }

        /** True when every byte received so far has been handled by the reader and none waits in the kernel. */
        boolean drained() {
            WatchedInput in = input;
            return in != null && in.drained();
        }
    }

    /**
     * The reader never blocks inside the socket's {@code read}: the JDK's socket holds a lock for as long as a read
     * blocks, and {@code available()}, which request threads ask, would wait for it. Instead the reader polls
     * {@code available()} every {@link #POLL_NANOS} and reads only what is there, and it marks itself busy
     * <em>before</em> taking bytes out of the kernel, so at any instant either the bytes are still countable there or
     * the reader is known to be handling them. A peer that closes the connection is noticed by the channel's heartbeat,
     * which then closes the socket (the next poll fails).
     */
    private static final class WatchedInput extends FilterInputStream {
        private static final long POLL_NANOS = 500_000;
        private volatile boolean handling = true;

        WatchedInput(InputStream in) {
            super(in);
        }

        boolean drained() {
            if (handling) {
                return false;
            }
            try {
                return in.available() == 0 && !handling;
            } catch (IOException e) {
                return false;
            }
        }

        private void awaitData() throws IOException {
            handling = false; // asking for more: everything read before has been handled
            while (in.available() == 0) {
                LockSupport.parkNanos(POLL_NANOS);
                if (Thread.interrupted()) {
                    throw new java.io.InterruptedIOException("interrupted");
                }
            }
            handling = true;
        }

        @Override
        public int read() throws IOException {
            awaitData();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            awaitData();
            return super.read(b, off, len);
        }
    }
}
