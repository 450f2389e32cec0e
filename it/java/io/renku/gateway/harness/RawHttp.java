package io.renku.gateway.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request sent exactly as written over a plain socket: {@code java.net.http} would normalise dot segments, refuse
 * some characters and join or split headers itself, and the hostile-input tests need the bytes on the wire.
 */
public final class RawHttp {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("\r\ncontent-length: *(\\d+)");

    /** The status and the whole response text (head and body). */
    public record Response(int status, String text) {
        /** The body after the blank line. */
        public String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }

    private RawHttp() {
    }

    public static Response send(URL base, String request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // Read until the response is complete rather than until EOF: Undertow (WildFly) keeps the connection
            // open when "close" is one token of a list ("Connection: close, X-Hop"), Tomcat closes it.
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            for (int n; !complete(bytes.toString(StandardCharsets.ISO_8859_1)) && (n = in.read(buffer)) > 0; ) {
                bytes.write(buffer, 0, n);
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            return new Response(Integer.parseInt(text.substring(9, 12)), text);
        }
    }

    /**
     * What one bounded exchange gave: the status ({@code -1} when the server closed the connection without a byte),
     * the whole response text as ISO-8859-1, whether the read timed out (a hang), and how long it took.
     */
    public record Exchange(int status, String text, boolean timedOut, long millis) {
        /** The head (status line and headers) without the blank line. */
        public String head() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? text : text.substring(0, end);
        }

        public String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }
    }

    /**
     * Sends {@code request} byte for byte and reads one answer within {@code timeoutMillis} of silence. Unlike
     * {@link #send} it never throws for what a hostile request may cause: a server that answers early and closes while
     * the body is still being written, one that closes without answering, or one that stays silent (reported as
     * {@code timedOut}). An interim 1xx answer (a WebSocket's 101) is complete at its blank line; so is the answer to
     * {@code HEAD}. With {@code untilClose} it reads until the server closes (pipelined requests, the last of which
     * asks for {@code Connection: close}).
     */
    public static Exchange exchange(URL base, byte[] request, int timeoutMillis, boolean untilClose)
            throws IOException {
        long start = System.nanoTime();
        boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1)
                .startsWith("HEAD ");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean timedOut = false;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(timeoutMillis);
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
            } catch (IOException closedWhileWriting) {
                // the server answered (or gave up) before the whole request was written: read what it said
            }
            try {
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[8192];
                for (int n; (untilClose || !completeOrInterim(bytes.toString(StandardCharsets.ISO_8859_1), head))
                        && (n = in.read(buffer)) > 0; ) {
                    bytes.write(buffer, 0, n);
                }
            } catch (java.net.SocketTimeoutException silent) {
                timedOut = true;
            } catch (java.net.SocketException reset) {
                // a reset after (or instead of) the answer: what was read counts
            }
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        int status = text.length() >= 12 && text.startsWith("HTTP/") ? parseStatus(text) : -1;
        return new Exchange(status, text, timedOut, (System.nanoTime() - start) / 1_000_000);
    }

    private static int parseStatus(String text) {
        try {
            return Integer.parseInt(text.substring(9, 12));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean completeOrInterim(String response, boolean head) {
        int end = response.indexOf("\r\n\r\n");
        if (end >= 0 && (head || response.startsWith("HTTP/1.1 1") || response.startsWith("HTTP/1.1 204")
                || response.startsWith("HTTP/1.1 304"))) {
            return true;
        }
        return complete(response);
    }

    /** {@code GET path} with a Host header and these extra header lines ("Name: value"), connection closed after. */
    public static Response get(URL base, String path, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return send(base, request.append("Connection: close\r\n\r\n").toString());
    }

    /** Whether a raw HTTP/1.1 response holds its whole body (Content-Length or chunked; else only EOF ends it). */
    private static boolean complete(String response) {
        int end = response.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = response.substring(0, end).toLowerCase(Locale.ROOT);
        String body = response.substring(end + 4);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            return body.getBytes(StandardCharsets.ISO_8859_1).length >= Integer.parseInt(length.group(1));
        }
        if (head.contains("\r\ntransfer-encoding: chunked")) {
            return body.endsWith("0\r\n\r\n");
        }
        return false;
    }
}
