package io.renku.gateway.model;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * A token, key or password. It prints as {@code <redacted>} so it cannot reach a log line or an error message by
 * accident; the value is read only where it is used, through {@link #reveal()}.
 */
public final class Secret {
    private static final String REDACTED = "<redacted>";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return REDACTED;
    }

    /** Constant-time comparison, so equality checks on secrets leak no timing. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s
                && MessageDigest.isEqual(value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
