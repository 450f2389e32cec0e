package io.renku.gateway.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The one reading of a {@code Cookie} request header that the gateway uses, for finding its session cookie and for
 * removing it before a request is forwarded, so the two can never disagree: RFC 6265 section 5.4, pairs separated by
 * {@code ;}, the name up to the first {@code =}, both trimmed. A comma is not a separator here (RFC 2965's comma was
 * withdrawn, and reading it would let a cookie set from a sibling domain smuggle a second session cookie inside its
 * value past the {@code __Host-} prefix); so in {@code a=b, _renku_session=v} the gateway sees one cookie {@code a},
 * which finds no session and, because its value names the session cookie, is not forwarded either
 * ({@code proxy.SessionCookies}).
 */
public final class CookiePairs {
    /** One {@code name=value} pair; {@code text} is the pair as sent, trimmed. */
    public record Pair(String name, String value, String text) {
    }

    private CookiePairs() {
    }

    /** The pairs of one {@code Cookie} header value, in order; empty pieces are skipped. */
    public static List<Pair> of(String header) {
        List<Pair> pairs = new ArrayList<>();
        if (header == null) {
            return pairs;
        }
        int start = 0;
        while (start <= header.length()) {
            int end = header.indexOf(';', start);
            if (end < 0) {
                end = header.length();
            }
            String text = header.substring(start, end).trim();
            if (!text.isEmpty()) {
                int eq = text.indexOf('=');
                String name = eq < 0 ? "" : text.substring(0, eq).trim();
                String value = eq < 0 ? text : text.substring(eq + 1).trim();
                pairs.add(new Pair(name, value, text));
            }
            start = end + 1;
        }
        return pairs;
    }
}
