package io.renku.gateway.redis;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Sockets for the invalidation channel that can tell whether everything received so far has been handled: the
 * reading thread is blocked waiting for more ({@link WatchedSocket#waiting}) and nothing is buffered in the kernel.
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

        /** True when the reader is blocked in {@code read} with nothing received that it has not handled. */
        boolean drained() {
            WatchedInput in = input;
            if (in == null || !in.waiting) {
                return false;
            }
            try {
                return in.available() == 0;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static final class WatchedInput extends FilterInputStream {
        private volatile boolean waiting;

        WatchedInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            waiting = true;
            try {
                return super.read();
            } finally {
                waiting = false;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            waiting = true;
            try {
                return super.read(b, off, len);
            } finally {
                waiting = false;
            }
        }
    }
}
