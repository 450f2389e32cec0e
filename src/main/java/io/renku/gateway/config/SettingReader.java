package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Typed, validated reads over a {@link SettingsSource}. Every failure names the setting, the bad value (secrets are
 * never echoed) and what is allowed, so that a failed deployment tells the operator what to fix.
 */
public final class SettingReader {
    private final SettingsSource source;

    public SettingReader(SettingsSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    public String string(String name, String fallback) {
        String value = source.get(name);
        return value == null ? fallback : value.trim();
    }

    public String required(String name) {
        String value = string(name, "");
        if (value.isEmpty()) {
            throw new InvalidSettingException(name, name + " is required but not set (set the context-param, the "
                    + "system property " + name + " or the environment variable "
                    + SettingsSource.environmentName(name) + ")");
        }
        return value;
    }

    public Secret secret(String name) {
        return Secret.of(string(name, ""));
    }

    public boolean bool(String name, boolean fallback) {
        String value = string(name, "");
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw invalid(name, value, "true or false");
        };
    }

    public long number(String name, long fallback, long min, long max) {
        String value = string(name, "");
        if (value.isEmpty()) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(name, value, "a whole number from " + min + " to " + max);
        }
        if (parsed < min || parsed > max) {
            throw invalid(name, value, "a whole number from " + min + " to " + max);
        }
        return parsed;
    }

    public int integer(String name, int fallback, int min, int max) {
        return (int) number(name, fallback, min, max);
    }

    /** A comma- or whitespace-separated list; empty entries are dropped. */
    public List<String> list(String name, List<String> fallback) {
        String value = string(name, "");
        if (value.isEmpty()) {
            return List.copyOf(fallback);
        }
        return Arrays.stream(value.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }

    /** An absolute http(s) URL; an empty value gives {@code fallback} (which may be null). */
    public URI httpUrl(String name, URI fallback) {
        String value = string(name, "");
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
                throw invalid(name, value, "an absolute http:// or https:// URL with a host and no user-info");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(name, value, "an absolute http:// or https:// URL (" + e.getReason() + ")");
        }
    }

    public static InvalidSettingException invalid(String name, String value, String allowed) {
        return new InvalidSettingException(name, name + " must be " + allowed + ", was '" + value + "'");
    }
}
