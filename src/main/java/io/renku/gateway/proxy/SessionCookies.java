package io.renku.gateway.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Keeps the gateway's session cookie between the browser and the gateway. The cookie is the key to a session that
 * holds the user's tokens, so an upstream must never see it (a compromised or merely verbose upstream would log a
 * credential) and must never be able to set it (an upstream could fix a session or log the user out of the gateway).
 * The name is matched with and without the {@code __Host-} and {@code __Secure-} prefixes, which the session work
 * uses when it serves over HTTPS. Other cookies pass untouched, in their order.
 */
public final class SessionCookies {
    private final String cookieName;

    public SessionCookies(String cookieName) {
        this.cookieName = Objects.requireNonNull(cookieName, "cookieName");
    }

    /** A {@code Cookie} header value without the gateway's cookie, or {@code null} when nothing else is left. */
    public String withoutSessionCookie(String cookieHeader) {
        List<String> kept = new ArrayList<>();
        for (String pair : cookieHeader.split(";")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            String name = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
            if (!isSessionCookie(name)) {
                kept.add(trimmed);
            }
        }
        return kept.isEmpty() ? null : String.join("; ", kept);
    }

    /** True when an upstream's {@code Set-Cookie} value would set the gateway's own cookie. */
    public boolean setsSessionCookie(String setCookieHeader) {
        int eq = setCookieHeader.indexOf('=');
        String name = (eq < 0 ? setCookieHeader : setCookieHeader.substring(0, eq)).trim();
        return isSessionCookie(name);
    }

    private boolean isSessionCookie(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String target = cookieName.toLowerCase(Locale.ROOT);
        return lower.equals(target) || lower.equals("__host-" + target) || lower.equals("__secure-" + target);
    }
}
