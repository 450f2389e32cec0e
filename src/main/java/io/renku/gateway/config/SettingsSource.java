package io.renku.gateway.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a setting's raw value comes from. An install overrides {@code web.xml}, highest first: a Java system property
 * with the setting's name, then the environment variable {@code GATEWAY_} + the name upper-cased with {@code .} turned
 * into {@code _}, then the container's context parameter (which already folds Tomcat's {@code context.xml}
 * {@code <Parameter override="false">} or a WildFly overlay over {@code web.xml}).
 */
public final class SettingsSource {
    private final Function<String, String> systemProperties;
    private final Function<String, String> environment;
    private final Function<String, String> container;

    public SettingsSource(Function<String, String> systemProperties, Function<String, String> environment,
            Function<String, String> container) {
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.container = Objects.requireNonNull(container, "container");
    }

    /** The standard layering over the JVM's system properties and environment. */
    public static SettingsSource standard(Function<String, String> containerParameters) {
        return new SettingsSource(System::getProperty, System::getenv, containerParameters);
    }

    /** The environment variable that overrides {@code name}, e.g. {@code GATEWAY_REDIS_ADDRESSES}. */
    public static String environmentName(String name) {
        return "GATEWAY_" + name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** The raw value, or {@code null} when no layer sets it. */
    public String get(String name) {
        String value = systemProperties.apply(name);
        if (value == null) {
            value = environment.apply(environmentName(name));
        }
        if (value == null) {
            value = container.apply(name);
        }
        return value;
    }
}
