package io.renku.gateway.proxy;

import io.renku.gateway.model.CookiePairs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Keeps the gateway's session cookie between the browser and the gateway. The cookie is the key to a session that
 * holds the user's tokens, so an upstream must never see it (a compromised or merely verbose upstream would log a
 * credential) and must never be able to set it (an upstream could fix a session or log the user out of the gateway).
 * The name is matched with and without the {@code __Host-} and {@code __Secure-} prefixes, which the session work
 * uses when it serves over HTTPS. The anonymous-id cookie, whose name is the session cookie's with {@code _anon}, is
 * kept back the same way. Other cookies pass untouched, in their order.
 *
 * <p>The header is read as {@link CookiePairs} reads it for the session lookup. Any pair whose value names the session
 * cookie anywhere (a value such as {@code b, _renku_session=<id>} that a client or a buggy intermediary joined with a
 * comma, or a quoted copy) is removed as well: an upstream that splits at commas would otherwise find the live
 * session cookie in it.
 */
public final class SessionCookies {
    private final String cookieName;

    public SessionCookies(String cookieName) {
        this.cookieName = Objects.requireNonNull(cookieName, "cookieName");
    }

    /** A {@code Cookie} header value without the gateway's cookie, or {@code null} when nothing else is left. */
    public String withoutSessionCookie(String cookieHeader) {
        if (!mentionsSessionCookie(cookieHeader)) {
            return cookieHeader; // the common case: forwarded byte for byte
        }
        List<String> kept = new ArrayList<>();
        for (CookiePairs.Pair pair : CookiePairs.of(cookieHeader)) {
            if (!isSessionCookie(pair.name()) && !mentionsSessionCookie(pair.value())) {
                kept.add(pair.text());
            }
        }
        return kept.isEmpty() ? null : String.join("; ", kept);
    }

    /** True when {@code text} contains the cookie's name in any letter case (the prefixed names contain it too). */
    private boolean mentionsSessionCookie(String text) {
        int n = cookieName.length();
        for (int i = 0; i + n <= text.length(); i++) {
            if (text.regionMatches(true, i, cookieName, 0, n)) {
                return true;
            }
        }
        return false;
    }

    /** True when an upstream's {@code Set-Cookie} value would set the gateway's own cookie. */
    public boolean setsSessionCookie(String setCookieHeader) {
        int eq = setCookieHeader.indexOf('=');
        String name = (eq < 0 ? setCookieHeader : setCookieHeader.substring(0, eq)).trim();
        return isSessionCookie(name);
    }

    /** The session cookie, or the anonymous-id cookie named after it ({@code session/AnonymousIds}). */
    private boolean isSessionCookie(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith("_anon")) {
            lower = lower.substring(0, lower.length() - "_anon".length());
        }
        String target = cookieName.toLowerCase(Locale.ROOT);
        return lower.equals(target) || lower.equals("__host-" + target) || lower.equals("__secure-" + target);
    }
}
