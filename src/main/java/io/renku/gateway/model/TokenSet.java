package io.renku.gateway.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** The tokens one identity provider issued for a session: what the gateway injects, refreshes and revokes. */
public record TokenSet(String provider, Secret accessToken, Optional<Secret> refreshToken, Optional<Secret> idToken,
        Optional<Instant> expiresAt) {
    private static final Pattern PROVIDER_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public TokenSet {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(idToken, "idToken");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!PROVIDER_ID.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider ids are 1-32 letters, digits, '_' or '-'");
        }
    }
}
