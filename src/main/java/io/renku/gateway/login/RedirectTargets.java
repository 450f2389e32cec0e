package io.renku.gateway.login;

import io.renku.gateway.config.LoginSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides where a login ends, so the login cannot be used as an open redirect (RFC 9700 §4.11). A {@code redirect_url}
 * is kept only when it is on the origin of {@code login.renkuBaseURL} (same scheme, host and effective port) or starts
 * with an entry of {@code login.allowedRedirectURLs} (same origin, and the entry's path as a whole-segment prefix);
 * anything else, and anything that does not parse cleanly, is <em>replaced</em> by the base URL rather than refused:
 * a user who followed a bad link still ends up logged in on Renku, and the attacker gains nothing.
 *
 * <p>A path on its own ({@code /projects}) is resolved against the base origin. The check is deliberately strict
 * because browsers are lenient: control characters, spaces and tabs (browsers drop them, turning {@code /\t/evil} into
 * {@code //evil}), backslashes (read as {@code /}), user-info ({@code https://renku@evil}), opaque URIs
 * ({@code https:evil}), non-http schemes ({@code javascript:}) and dot segments, literal or percent-encoded, all lose.
 * Non-ASCII characters are percent-encoded first, so a look-alike host (fullwidth dots, Cyrillic letters) is no longer
 * a valid host and loses too. The result is always absolute and ASCII, safe to put in a {@code Location} header.
 */
public final class RedirectTargets {
    private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)(\\.|%2e){1,2}(/|;|$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern BAD_ESCAPE = Pattern.compile("%(0[0-9a-f]|1[0-9a-f]|5c|7f)", Pattern.CASE_INSENSITIVE);

    private final URI base;
    private final List<URI> allowed;

    public RedirectTargets(URI base, List<URI> allowed) {
        this.base = Objects.requireNonNull(base, "base");
        this.allowed = List.copyOf(allowed);
    }

    public static RedirectTargets of(LoginSettings settings) {
        return new RedirectTargets(settings.renkuBaseUrl(), settings.allowedRedirectUrls());
    }

    /** Where the user goes when no acceptable {@code redirect_url} was given. */
    public URI fallback() {
        return base;
    }

    /** {@code requested} when it is an acceptable target (made absolute), else the base URL. */
    public URI validate(String requested) {
        return check(requested).orElse(base);
    }

    /** Empty when {@code requested} is not an acceptable target. */
    Optional<URI> check(String requested) {
        if (requested == null || requested.isEmpty() || requested.length() > 4096) {
            return Optional.empty();
        }
        for (int i = 0; i < requested.length(); i++) {
            char c = requested.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '\\') {
                return Optional.empty();
            }
        }
        String text = asciiOnly(requested);
        if (text.startsWith("/")) {
            if (text.startsWith("//")) {
                return Optional.empty();
            }
            text = base.getScheme() + "://" + base.getRawAuthority() + text;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (uri.isOpaque() || uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            return Optional.empty();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (DOT_SEGMENT.matcher(path).find() || BAD_ESCAPE.matcher(text).find()) {
            return Optional.empty();
        }
        if (sameOrigin(uri, base)) {
            return Optional.of(uri);
        }
        for (URI entry : allowed) {
            if (sameOrigin(uri, entry) && underPath(path, entry.getRawPath())) {
                return Optional.of(uri);
            }
        }
        return Optional.empty();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().toLowerCase(Locale.ROOT).equals("https") ? 443 : 80;
    }

    /** A prefix ending at a segment boundary: {@code /app} covers {@code /app} and {@code /app/x}, not {@code /apps}. */
    private static boolean underPath(String path, String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.equals("/")) {
            return true;
        }
        if (prefix.endsWith("/")) {
            return path.startsWith(prefix);
        }
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private static String asciiOnly(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                out.append((char) cp);
            } else {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(String.format("%02X", b & 0xff));
                }
            }
        });
        return out.toString();
    }
}
