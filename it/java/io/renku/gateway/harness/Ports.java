package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports: the ones Maven reserved for the run (system properties), or a free one found now. */
public final class Ports {
    private Ports() {
    }

    public static int fromProperty(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? free() : Integer.parseInt(value.trim());
    }

    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
