package io.renku.gateway.config;

import java.util.Objects;

/**
 * All settings of one deployment, parsed once at startup. A value that cannot be used stops the deployment with an
 * {@link io.renku.gateway.errors.InvalidSettingException} naming it.
 */
public record GatewaySettings(RedisSettings redis, RevproxySettings revproxy, RouteSettings routes) {
    public GatewaySettings {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(revproxy, "revproxy");
        Objects.requireNonNull(routes, "routes");
    }

    public static GatewaySettings read(SettingsSource source) {
        SettingReader reader = new SettingReader(source);
        RevproxySettings revproxy = RevproxySettings.read(reader);
        return new GatewaySettings(RedisSettings.read(reader), revproxy, RouteSettings.read(reader, revproxy));
    }
}
