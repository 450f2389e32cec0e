package io.renku.gateway.websocket;

/**
 * Which close code travels on when one side of a relayed WebSocket closes. Codes pass unchanged when the other side
 * may put them on the wire; the rest are translated, because RFC 6455 reserves some codes for endpoints (1005 "no
 * code" and 1006 "abnormal" never appear on the wire) and the JDK client refuses to send the codes that only a server
 * or a failing peer sends. An upstream that fails without a clean close becomes {@link #UPSTREAM_FAILED} (1014, "bad
 * gateway" in the IANA registry) so a browser can tell the gateway's upstream apart from its own connection.
 */
public final class RelayCloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int POLICY_VIOLATION = 1008;
    public static final int NO_CODE = 1005;
    public static final int ABNORMAL = 1006;
    /** RFC 6455 registry: "Bad Gateway", the gateway's upstream failed. */
    public static final int UPSTREAM_FAILED = 1014;
    private static final int MAX_REASON_BYTES = 123;

    private RelayCloseCodes() {
    }

    /** The code the gateway sends the upstream (as a WebSocket client) when the browser closed with {@code code}. */
    public static int toUpstream(int code) {
        if (code == 1000 || code == 1001 || code == 1008 || code == 1011 || (code >= 3000 && code <= 4999)) {
            return code;
        }
        if (code == NO_CODE) {
            return NORMAL;
        }
        // 1006 (gone without a close), 1002/1003/1007/1009/1010 (the browser's side failed): it is gone for the upstream
        return GOING_AWAY;
    }

    /** The code the gateway sends the browser (as a WebSocket server) when the upstream closed with {@code code}. */
    public static int toClient(int code) {
        if (code == NO_CODE) {
            return NORMAL;
        }
        if (code == ABNORMAL || code == 1004 || code == 1015 || code < 1000 || (code > 1015 && code < 3000)
                || code > 4999) {
            return UPSTREAM_FAILED;
        }
        return code;
    }

    /** A reason that fits a close frame (123 bytes of UTF-8), cut on a character boundary. */
    public static String reason(String reason) {
        if (reason == null) {
            return "";
        }
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < reason.length(); ) {
            int codePoint = reason.codePointAt(i);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_REASON_BYTES) {
                break;
            }
            cut.appendCodePoint(codePoint);
            bytes += size;
            i += Character.charCount(codePoint);
        }
        return cut.toString();
    }
}
