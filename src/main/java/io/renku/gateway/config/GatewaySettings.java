package io.renku.gateway.config;

import java.util.Objects;

/**
 * All settings of one deployment, parsed once at startup. A value that cannot be used stops the deployment with an
 * {@link io.renku.gateway.errors.InvalidSettingException} naming it.
 */
public record GatewaySettings(RedisSettings redis, SessionSettings sessions, TokenVerificationSettings tokens,
        LoginSettings login, RevproxySettings revproxy) {
    public GatewaySettings {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(revproxy, "revproxy");
    }

    public static GatewaySettings read(SettingsSource source) {
        SettingReader reader = new SettingReader(source);
        return new GatewaySettings(RedisSettings.read(reader), SessionSettings.read(reader),
                TokenVerificationSettings.read(reader), LoginSettings.read(reader), RevproxySettings.read(reader));
    }
}
