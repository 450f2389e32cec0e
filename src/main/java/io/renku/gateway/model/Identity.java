package io.renku.gateway.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who the caller is, as resolved by the credential filter for one request. Unknown profile fields are empty strings
 * rather than null so that header injection never has to special-case them. The raw token is kept as a {@link Secret}
 * (so the identity can be logged) and only for methods that carry one: the proxy forwards it to upstreams that expect
 * the caller's own token.
 */
public record Identity(String subject, String preferredUsername, String name, String email, String issuer,
        AuthMethod method, Optional<Instant> expiry, Set<String> scopes, Optional<Secret> token) {

    public Identity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(preferredUsername, "preferredUsername");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(expiry, "expiry");
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(token, "token");
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
    }

    /** An anonymous caller, known only by the random id the gateway gave it ({@code Renku-Auth-Anon-Id}). */
    public static Identity anonymous(String anonymousId) {
        return new Identity(anonymousId, "", "", "", "", AuthMethod.ANONYMOUS, Optional.empty(), Set.of(),
                Optional.empty());
    }

    public boolean isAnonymous() {
        return method == AuthMethod.ANONYMOUS;
    }

    /** The same identity reached through another method (a token sent as Bearer or as a Basic password). */
    public Identity withMethod(AuthMethod other) {
        return other == method ? this
                : new Identity(subject, preferredUsername, name, email, issuer, other, expiry, scopes, token);
    }

    /** The same identity carrying {@code raw} as its token. */
    public Identity withToken(Secret raw) {
        return new Identity(subject, preferredUsername, name, email, issuer, method, expiry, scopes,
                Optional.of(raw));
    }
}
