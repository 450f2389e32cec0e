package io.renku.gateway.web;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The W3C Trace Context of one request ({@code traceparent}, version 00): the client's trace id is kept when its
 * header is well-formed, otherwise a trace is started here. The gateway is one hop of the trace, so the upstream gets
 * the same trace id with the gateway's own span id as parent. Every log line of the request carries the trace id.
 * Ids need to be unique, not secret (W3C asks for random ones, not unpredictable ones), so the request path draws
 * them from {@link java.util.concurrent.ThreadLocalRandom}: a shared {@code SecureRandom} serialised the workers.
 */
public record TraceContext(String traceId, String spanId, String flags) {
    private static final HexFormat HEX = HexFormat.of();

    /** The context for a request whose {@code traceparent} header is {@code header} (null when absent). */
    public static TraceContext of(String header, RandomGenerator random) {
        String traceId = null;
        String flags = "01";
        if (header != null && header.length() == 55 && header.startsWith("00-") && header.charAt(35) == '-'
                && header.charAt(52) == '-') {
            String id = header.substring(3, 35);
            String parent = header.substring(36, 52);
            String f = header.substring(53);
            if (isHex(id) && isHex(parent) && isHex(f) && !isZero(id) && !isZero(parent)) {
                traceId = id;
                flags = f;
            }
        }
        if (traceId == null) {
            traceId = random(random, 16);
        }
        return new TraceContext(traceId, random(random, 8), flags);
    }

    /** The {@code traceparent} to send upstream: this trace, the gateway's span as parent. */
    public String traceparent() {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    private static String random(RandomGenerator random, int bytes) {
        byte[] b = new byte[bytes];
        do {
            random.nextBytes(b);
        } while (isZero(HEX.formatHex(b)));
        return HEX.formatHex(b);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
