package io.renku.gateway.auth;

import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Secret;
import java.util.Objects;

/** A token taken from an {@code Authorization} header, and whether it came as {@code Bearer} or as a Basic password. */
public record Credential(AuthMethod method, Secret token) {
    public Credential {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(token, "token");
        if (method != AuthMethod.BEARER && method != AuthMethod.BASIC) {
            throw new IllegalArgumentException("a header credential is BEARER or BASIC, was " + method);
        }
    }
}
