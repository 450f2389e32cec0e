package io.renku.gateway.edge;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may call the gateway with the user's cookie ({@code server.allowOrigin}). Plain Java so the
 * decisions are table-tested: an origin is allowed only when it equals a configured one (scheme, host and port,
 * letter case ignored); {@code *} is never answered, because every answer allows credentials.
 */
public final class CorsPolicy {
    static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
    static final long MAX_AGE_SECONDS = 600;

    private final Set<String> origins;

    public CorsPolicy(List<URI> origins) {
        this.origins = origins.stream().map(o -> o.toString().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    public boolean enabled() {
        return !origins.isEmpty();
    }

    /** True when {@code origin} (an {@code Origin} header) may read the gateway's answers. */
    public boolean allows(String origin) {
        if (origin == null || origin.isEmpty() || origin.equals("null")) {
            return false;
        }
        String normalised = origin.toLowerCase(Locale.ROOT);
        if (normalised.endsWith(":443") && normalised.startsWith("https://")) {
            normalised = normalised.substring(0, normalised.length() - 4);
        } else if (normalised.endsWith(":80") && normalised.startsWith("http://")) {
            normalised = normalised.substring(0, normalised.length() - 3);
        }
        return origins.contains(normalised);
    }

    /**
     * The request headers a preflight may ask for: token-like names only (RFC 9110), so a reflected list can never
     * split a header; null when the list holds anything else.
     */
    static String allowedHeaders(String requested) {
        if (requested == null || requested.isBlank()) {
            return null;
        }
        for (int i = 0; i < requested.length(); i++) {
            char c = requested.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ',' || c == ' ' || c == '.')) {
                return null;
            }
        }
        return requested.trim();
    }
}
