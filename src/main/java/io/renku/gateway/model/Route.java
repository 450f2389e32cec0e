package io.renku.gateway.model;

import java.net.URI;
import java.util.Objects;

/**
 * One forwarding rule: requests whose path starts with {@code prefix} (on a segment boundary) go to {@code upstream}.
 * The matched prefix is replaced by {@code rewriteTo} ({@code null} keeps the path unchanged, {@code ""} strips the
 * prefix), then appended to the upstream's own base path. A {@code deny} route answers 404 and never reaches an
 * upstream, so a more specific deny shadows a broader forwarding route (longest prefix wins).
 */
public record Route(String prefix, URI upstream, String rewriteTo, Credentials credentials, Access access,
        boolean deny) {

    /** Which of the caller's credentials the gateway injects into the forwarded request. */
    public enum Credentials {
        /** Nothing: the upstream (the UI server) must never see a token. */
        NONE,
        /**
         * The Renku services' contract: {@code Authorization: Bearer <access token>}, {@code Renku-Auth-Refresh-Token},
         * the GitLab token headers when present, and {@code Renku-Auth-Anon-Id} for anonymous callers.
         */
        RENKU_BEARER,
        /** Only {@code Authorization: Bearer <access token>} (Keycloak's own API). */
        BEARER_ONLY
    }

    /** Whether an anonymous caller may use the route at all. */
    public enum Access {
        PUBLIC,
        /** Anonymous callers get 401 before the upstream is asked. */
        SESSION_REQUIRED
    }

    public Route {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(access, "access");
        if (!prefix.startsWith("/") || (prefix.length() > 1 && prefix.endsWith("/"))) {
            throw new IllegalArgumentException("prefix must start with / and not end with /, was '" + prefix + "'");
        }
        if (!deny) {
            Objects.requireNonNull(upstream, "upstream");
        }
        if (rewriteTo != null && !rewriteTo.isEmpty() && (!rewriteTo.startsWith("/") || rewriteTo.endsWith("/"))) {
            throw new IllegalArgumentException("rewriteTo must be empty or start with / and not end with /, was '"
                    + rewriteTo + "'");
        }
    }

    /** A route forwarding {@code prefix} to {@code upstream} with the path unchanged. */
    public static Route forward(String prefix, URI upstream, Credentials credentials) {
        return new Route(prefix, upstream, null, credentials, Access.PUBLIC, false);
    }

    /** A route forwarding {@code prefix} to {@code upstream}, the prefix replaced by {@code rewriteTo}. */
    public static Route rewrite(String prefix, URI upstream, String rewriteTo, Credentials credentials) {
        return new Route(prefix, upstream, rewriteTo, credentials, Access.PUBLIC, false);
    }

    /** A route that answers 404 without reaching any upstream. */
    public static Route denied(String prefix) {
        return new Route(prefix, null, null, Credentials.NONE, Access.PUBLIC, true);
    }

    public Route requiringSession() {
        return new Route(prefix, upstream, rewriteTo, credentials, Access.SESSION_REQUIRED, deny);
    }

    /** True when {@code path} is the prefix itself or lies below it (never {@code /api/database} for {@code /api/data}). */
    public boolean matches(String path) {
        if (prefix.equals("/")) {
            return path.startsWith("/");
        }
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** {@link #matches}, letter case ignored: deny rules use it so {@code /API/DATA/USER/SECRET_KEY} meets them too. */
    public boolean matchesIgnoringCase(String path) {
        if (prefix.equals("/")) {
            return path.startsWith("/");
        }
        return path.regionMatches(true, 0, prefix, 0, prefix.length())
                && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /**
     * The path the upstream receives for {@code path} (which {@link #matches} this route): the upstream's base path,
     * then {@code rewriteTo} (or the prefix) and the rest of the path, still percent-encoded.
     */
    public String upstreamPath(String path) {
        String rest = prefix.equals("/") ? path : path.substring(prefix.length());
        String head = rewriteTo == null ? (prefix.equals("/") ? "" : prefix) : rewriteTo;
        String base = upstream == null || upstream.getRawPath() == null ? "" : upstream.getRawPath();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String joined = base + head + rest;
        return joined.isEmpty() ? "/" : joined;
    }

    /**
     * Where an upstream path (from a {@code Location} on the upstream's own origin) is seen through the gateway: the
     * inverse of {@link #upstreamPath}, or the path unchanged when it lies outside what this route forwards to.
     */
    public String gatewayPath(String upstreamPath) {
        String path = upstreamPath.isEmpty() ? "/" : upstreamPath;
        if (prefix.equals("/")) {
            return path;
        }
        String mapped = upstreamPath(prefix);
        if (mapped.equals("/")) {
            return prefix + (path.equals("/") ? "" : path);
        }
        if (path.equals(mapped) || path.startsWith(mapped + "/")) {
            return prefix + path.substring(mapped.length());
        }
        return path;
    }
}
