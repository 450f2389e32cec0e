package io.renku.gateway.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A WebSocket echo upstream, written against RFC 6455 over a plain {@link ServerSocket} because the JDK has a
 * WebSocket client but no server, and the tests must not depend on the container whose relay they test. It records
 * every handshake it received (path with query, headers) and every close code a client sent, echoes each data frame
 * as it came (text, binary, fragments), answers pings, and echoes a close. Three text messages are commands:
 * {@code close:<code>:<reason>} makes it close first with that code, {@code drop} makes it cut the TCP connection
 * without a close (a failing upstream), and a handshake whose query has {@code refuse=1} is answered 503.
 */
public final class WebSocketEchoUpstream implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One handshake as received: the request target and the headers (lower-case names, values joined by ", "). */
    public record Handshake(String target, Map<String, String> headers) {
    }

    private final ServerSocket server;
    private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
    private final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private WebSocketEchoUpstream(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "ws-echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static WebSocketEchoUpstream start(int port) {
        try {
            return new WebSocketEchoUpstream(new ServerSocket(port, 64, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new IllegalStateException("WebSocket echo upstream cannot listen on port " + port, e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public List<Handshake> handshakes() {
        return List.copyOf(handshakes);
    }

    /** The close codes clients sent (absent code: 1005), in order. */
    public List<Integer> closeCodes() {
        return List.copyOf(closeCodes);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "ws-echo");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String requestLine = line(in);
            Map<String, String> headers = new TreeMap<>();
            for (String header; !(header = line(in)).isEmpty(); ) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.merge(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
            }
            String target = requestLine.split(" ")[1];
            handshakes.add(new Handshake(target, Map.copyOf(headers)));
            if (target.contains("refuse=1") || !headers.containsKey("sec-websocket-key")) {
                out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            StringBuilder response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(headers.get("sec-websocket-key"))
                    + "\r\n");
            if (headers.containsKey("sec-websocket-protocol")) {
                response.append("Sec-WebSocket-Protocol: ").append(headers.get("sec-websocket-protocol").split(",")[0]
                        .trim()).append("\r\n");
            }
            out.write(response.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            echo(in, out, socket);
        } catch (IOException e) {
            // the peer went away
        }
    }

    private void echo(InputStream in, OutputStream out, Socket socket) throws IOException {
        boolean closeSent = false;
        while (true) {
            int b0 = read(in);
            int b1 = read(in);
            int opcode = b0 & 0x0F;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = (read(in) << 8) | read(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | read(in);
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                throw new EOFException();
            }
            for (int i = 0; mask != null && i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            switch (opcode) {
                case 0x8 -> {
                    closeCodes.add(payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005);
                    if (!closeSent) {
                        frame(out, 0x88, payload);
                    }
                    return;
                }
                case 0x9 -> frame(out, 0x8A, payload);
                case 0xA -> {
                    // unsolicited pong: nothing to do
                }
                default -> {
                    String text = opcode == 0x1 && (b0 & 0x80) != 0 ? new String(payload, StandardCharsets.UTF_8) : "";
                    if (text.equals("drop")) {
                        socket.setSoLinger(true, 0);
                        return; // a reset, no close frame
                    }
                    if (text.startsWith("close:")) {
                        String[] parts = text.split(":", 3);
                        int code = Integer.parseInt(parts[1]);
                        byte[] reason = parts.length > 2 ? parts[2].getBytes(StandardCharsets.UTF_8) : new byte[0];
                        ByteArrayOutputStream close = new ByteArrayOutputStream();
                        close.write(code >> 8);
                        close.write(code);
                        close.write(reason);
                        frame(out, 0x88, close.toByteArray());
                        closeSent = true;
                    } else {
                        frame(out, b0, payload); // same FIN bit and opcode: fragments are echoed as fragments
                    }
                }
            }
        }
    }

    private static void frame(OutputStream out, int firstByte, byte[] payload) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(firstByte);
        if (payload.length < 126) {
            header.write(payload.length);
        } else if (payload.length < 65536) {
            header.write(126);
            header.write(payload.length >> 8);
            header.write(payload.length);
        } else {
            header.write(127);
            for (int i = 7; i >= 0; i--) {
                header.write((int) ((long) payload.length >> (8 * i)));
            }
        }
        out.write(header.toByteArray());
        out.write(payload);
        out.flush();
    }

    private static int read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b; (b = read(in)) != '\n'; ) {
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    private static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key.trim() + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
