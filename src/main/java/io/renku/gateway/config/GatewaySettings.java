package io.renku.gateway.config;

import java.util.Objects;

/**
 * All settings of one deployment, parsed once at startup. A value that cannot be used stops the deployment with an
 * {@link io.renku.gateway.errors.InvalidSettingException} naming it.
 */
public record GatewaySettings(RedisSettings redis, SessionSettings sessions, TokenVerificationSettings tokens,
        LoginSettings login, RevproxySettings revproxy, RouteSettings routes, LogoutSettings logout,
        TokenRefreshSettings refresh, OpsSettings ops, AuthzSettings authz,
        IdentityAssertionSettings identityAssertion, NearCacheSettings nearCache) {
    public GatewaySettings {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(revproxy, "revproxy");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(logout, "logout");
        Objects.requireNonNull(refresh, "refresh");
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(authz, "authz");
        Objects.requireNonNull(identityAssertion, "identityAssertion");
        Objects.requireNonNull(nearCache, "nearCache");
    }

    public static GatewaySettings read(SettingsSource source) {
        SettingReader reader = new SettingReader(source);
        RevproxySettings revproxy = RevproxySettings.read(reader);
        SessionSettings sessions = SessionSettings.read(reader);
        return new GatewaySettings(RedisSettings.read(reader), sessions, TokenVerificationSettings.read(reader),
                LoginSettings.read(reader), revproxy, RouteSettings.of(revproxy, sessions),
                LogoutSettings.read(reader), TokenRefreshSettings.read(reader), OpsSettings.read(reader),
                AuthzSettings.read(reader), IdentityAssertionSettings.read(reader), NearCacheSettings.read(reader));
    }
}
