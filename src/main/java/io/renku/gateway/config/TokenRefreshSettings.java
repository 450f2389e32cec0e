package io.renku.gateway.config;

import java.time.Duration;

/**
 * When the gateway refreshes a session's tokens: a token that expires within {@code login.tokenRefreshSkewSeconds}
 * is refreshed before a request uses it, so an upstream never receives a token that runs out while it works on the
 * request. Kept apart from {@link LoginSettings} because it concerns every request, not the login chain. The skew must
 * stay below the providers' access-token lifetime (Keycloak's default is 300 s), or every request would find the token
 * it just got due again.
 */
public record TokenRefreshSettings(Duration skew) {
    public static final String SKEW_SECONDS = "login.tokenRefreshSkewSeconds";
    public static final long DEFAULT_SKEW_SECONDS = 180;

    public TokenRefreshSettings {
        if (skew == null || skew.isNegative()) {
            throw new IllegalArgumentException("the refresh skew must be zero or more");
        }
    }

    public static TokenRefreshSettings read(SettingReader reader) {
        return new TokenRefreshSettings(Duration.ofSeconds(reader.number(SKEW_SECONDS, DEFAULT_SKEW_SECONDS, 0, 86400)));
    }
}
