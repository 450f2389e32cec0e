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
