package io.renku.gateway.auth;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Identity;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/**
 * Reads what {@link CallerFilter} resolved for a request. Endpoints and the proxy ask here instead of looking at
 * cookies or headers themselves, so the resolution order is decided in one place.
 */
public final class Callers {
    static final String IDENTITY = Callers.class.getName() + ".identity";
    static final String STORE_FAILURE = Callers.class.getName() + ".storeFailure";
    static final String CREDENTIAL_FAILURE = Callers.class.getName() + ".credentialFailure";
    /** Where the Twirp endpoint is mapped: there {@link CallerFilter} keeps a refused header instead of answering. */
    public static final String TWIRP_PATH = "/twirp";

    private Callers() {
    }

    /** The caller; anonymous when nothing identified it (or when the filter did not run for this path). */
    public static Identity of(HttpServletRequest request) {
        return request.getAttribute(IDENTITY) instanceof Identity identity ? identity : Identity.anonymous("anonymous");
    }

    /**
     * The caller, who must be authenticated: otherwise 401 with an RFC 6750 challenge, or 503 when the caller sent a
     * session cookie that could not be looked up because the session store is down.
     */
    public static Identity requireAuthenticated(HttpServletRequest request) {
        Identity identity = of(request);
        if (!identity.isAnonymous()) {
            return identity;
        }
        if (request.getAttribute(STORE_FAILURE) instanceof GatewayException storeDown) {
            throw storeDown;
        }
        throw new GatewayException(ErrorKind.UNAUTHORIZED,
                "Log in, or send a valid token as 'Authorization: Bearer <token>'", null,
                Map.of("WWW-Authenticate", "Bearer"));
    }

    /** The refusal of the request's {@code Authorization} header on {@link #TWIRP_PATH}, if it was refused. */
    public static java.util.Optional<GatewayException> credentialFailure(HttpServletRequest request) {
        return request.getAttribute(CREDENTIAL_FAILURE) instanceof GatewayException e ? java.util.Optional.of(e)
                : java.util.Optional.empty();
    }

    /** The failure to read the caller's session because the store is down, if that happened. */
    public static java.util.Optional<GatewayException> storeFailure(HttpServletRequest request) {
        return request.getAttribute(STORE_FAILURE) instanceof GatewayException e ? java.util.Optional.of(e)
                : java.util.Optional.empty();
    }
}
