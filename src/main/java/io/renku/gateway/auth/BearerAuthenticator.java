package io.renku.gateway.auth;

import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Identity;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into an ephemeral {@link Identity} (never stored in a session): the plain-Java
 * core of the credential filter. A token shaped like a JWS ({@code header.payload.signature}) is verified locally as a
 * JWT and is never sent to an introspection provider, so an access token of one issuer does not leak to another; any
 * other token goes to the introspection providers.
 */
public final class BearerAuthenticator implements AutoCloseable {

    private final JwtVerifier jwtVerifier;
    private final TokenIntrospector introspector;

    public BearerAuthenticator(JwtVerifier jwtVerifier, TokenIntrospector introspector) {
        this.jwtVerifier = Objects.requireNonNull(jwtVerifier, "jwtVerifier");
        this.introspector = Objects.requireNonNull(introspector, "introspector");
    }

    /** Both verifiers built from the settings; {@code httpTimeout} bounds each call to an identity provider. */
    public static BearerAuthenticator fromSettings(TokenVerificationSettings settings, Duration httpTimeout) {
        return new BearerAuthenticator(new JwtVerifier(settings, httpTimeout),
                new TokenIntrospector(settings, httpTimeout));
    }

    /**
     * The identity behind the header, or empty when there is no header (the caller is then anonymous, or has a
     * session cookie).
     *
     * @throws GatewayException 400 {@code invalid_request} for a malformed header, 401 {@code invalid_token} for a
     *         token that is not acceptable, 503 when an identity provider needed to decide cannot be reached
     */
    public Optional<Identity> authenticate(String authorizationHeader) {
        return CredentialParser.parse(authorizationHeader).map(this::authenticate);
    }

    public Identity authenticate(Credential credential) {
        Objects.requireNonNull(credential, "credential");
        if (isJwsShaped(credential.token().reveal())) {
            return jwtVerifier.verify(credential.token(), credential.method());
        }
        return introspector.introspect(credential.token(), credential.method());
    }

    /**
     * Three base64url parts, the first two non-empty; the signature may be empty so that {@code alg: none} tokens
     * reach the JWT path and are refused there. A loop rather than a regular expression: it runs on every Bearer
     * request over a token of a kilobyte or more, and the regex showed in the profile.
     */
    public static boolean isJwsShaped(String token) {
        int dots = 0;
        int partLength = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (partLength == 0 || ++dots > 2) {
                    return false;
                }
                partLength = 0;
            } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_') {
                partLength++;
            } else {
                return false;
            }
        }
        return dots == 2;
    }

    @Override
    public void close() {
        jwtVerifier.close();
    }
}
