package io.renku.gateway.proxy;

import io.renku.gateway.errors.GatewayException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns the raw request path (still percent-encoded, as the client sent it) into the path that is routed and
 * forwarded, and refuses paths that could climb out of a route's prefix at the upstream.
 *
 * <p>Why so strict: the container routes on its own decoded, dot-normalised copy of the path, but the upstream gets
 * the raw one. {@code /api/data/%2e%2e/kc/x} would be matched here as {@code /api/data} (and get the data service's
 * credentials) while an upstream or a framework in front of it that decodes and normalises would serve
 * {@code /api/kc/x}. So any segment that decodes to {@code .} or {@code ..} (also when hidden behind {@code %2F},
 * before a {@code ;parameter}, or in any letter case), any backslash (literal or {@code %5C}, which some servers read
 * as a separator) and any NUL is a 400.
 *
 * <p>Two normalisations make routing and the deny rules robust without changing what the path means (RFC 3986
 * 6.2.2): percent-encoded unreserved characters ({@code %61} for {@code a}, {@code %5F} for {@code _}) are decoded, so
 * {@code /api/data/user/secret%5Fkey} meets the deny rule, and repeated slashes are merged, so
 * {@code /api/data//user/secret_key} does too. Everything else, notably {@code %2F}, {@code %20}, UTF-8 escapes, and
 * the letter case of escapes, reaches the upstream byte for byte.
 *
 * <p>Rules judge a third form, {@link #ruleView}: the path as an upstream may understand it. Tomcat ignores
 * {@code ;parameters} when it maps a path, Spring and many other frameworks strip them too, and many upstreams (or a
 * proxy in front of them) decode {@code %2F} into a separator. So {@code /api/data/user;x/secret_key} or
 * {@code /api/data/user%2Fsecret_key} must meet the rule for {@code /api/data/user/secret_key} although neither is
 * that path byte for byte. The view is what the route table and every deny or authorization rule match on; the
 * upstream still gets the forwarded form.
 */
public final class ForwardPath {
    private ForwardPath() {
    }

    /** The normalised path for {@code rawPath}, or a 400 {@link GatewayException} when the path is refused. */
    public static String of(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw GatewayException.badRequest("The request path must start with /");
        }
        String normalised = mergeSlashes(decodeUnreserved(rawPath));
        refuseUnsafe(normalised);
        return normalised;
    }

    /**
     * The view rules judge, for a path {@link #of} returned: segments split at {@code /} and at {@code %2F} (either
     * case), each cut at its first {@code ;} (a path parameter), then percent-decoded and cut again at a decoded
     * {@code ;} ({@code %3B}), empty segments dropped. {@code /api/data/user;x/secret_key%2f} becomes
     * {@code /api/data/user/secret_key}. The letter case is kept; rules that must not be walked around by case compare
     * case-insensitively themselves.
     */
    public static String ruleView(String forwardPath) {
        StringBuilder view = new StringBuilder(forwardPath.length());
        int start = 0;
        int length = forwardPath.length();
        for (int i = 0; i <= length; i++) {
            boolean end = i == length;
            boolean slash = !end && forwardPath.charAt(i) == '/';
            boolean encodedSlash = !end && !slash && forwardPath.charAt(i) == '%' && i + 2 < length
                    && forwardPath.charAt(i + 1) == '2' && (forwardPath.charAt(i + 2) == 'F'
                    || forwardPath.charAt(i + 2) == 'f');
            if (end || slash || encodedSlash) {
                appendSegment(view, forwardPath.substring(start, i));
                if (encodedSlash) {
                    i += 2;
                }
                start = i + 1;
            }
        }
        return view.length() == 0 ? "/" : view.toString();
    }

    private static void appendSegment(StringBuilder view, String rawSegment) {
        int parameters = rawSegment.indexOf(';');
        String name = parameters >= 0 ? rawSegment.substring(0, parameters) : rawSegment;
        String decoded = decode(name);
        int decodedParameters = decoded.indexOf(';');
        if (decodedParameters >= 0) {
            decoded = decoded.substring(0, decodedParameters);
        }
        if (!decoded.isEmpty()) {
            view.append('/').append(decoded);
        }
    }

    private static void refuseUnsafe(String path) {
        if (path.indexOf('\\') >= 0) {
            throw GatewayException.badRequest("A backslash is not allowed in the request path");
        }
        String decoded = percentDecode(path);
        if (decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0) {
            throw GatewayException.badRequest("An encoded backslash or NUL is not allowed in the request path");
        }
        for (String segment : decoded.split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = parameters >= 0 ? segment.substring(0, parameters) : segment;
            if (name.equals(".") || name.equals("..")) {
                throw GatewayException.badRequest("Dot segments (. or ..) are not allowed in the request path");
            }
        }
    }

    /** Decodes %XX of unreserved characters (ALPHA, DIGIT, - . _ ~); everything else stays as it is. */
    static String decodeUnreserved(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                int high = hex(raw.charAt(i + 1));
                int low = hex(raw.charAt(i + 2));
                if (high >= 0 && low >= 0 && isUnreserved((char) (high * 16 + low))) {
                    out.append((char) (high * 16 + low));
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String mergeSlashes(String path) {
        if (!path.contains("//")) {
            return path; // the common case, without a regular expression
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || out.length() == 0 || out.charAt(out.length() - 1) != '/') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Full percent-decoding as an upstream would do it (invalid escapes are kept literally), lower-cased. */
    static String percentDecode(String raw) {
        return decode(raw).toLowerCase(Locale.ROOT);
    }

    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex((char) in[i + 1]) >= 0 && hex((char) in[i + 2]) >= 0) {
                bytes.write(hex((char) in[i + 1]) * 16 + hex((char) in[i + 2]));
                i += 2;
            } else {
                bytes.write(in[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
