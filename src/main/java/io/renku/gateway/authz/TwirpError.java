package io.renku.gateway.authz;

import io.renku.gateway.errors.GatewayException;
import java.util.Map;

/**
 * A Twirp error: one of Twirp's codes, with the HTTP status the protocol fixes for it, a message for the client and
 * string metadata. Thrown inside the endpoint and written once by {@link TwirpServlet}. Messages never carry a token.
 */
final class TwirpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    enum Code {
        INVALID_ARGUMENT("invalid_argument", 400),
        MALFORMED("malformed", 400),
        UNAUTHENTICATED("unauthenticated", 401),
        PERMISSION_DENIED("permission_denied", 403),
        BAD_ROUTE("bad_route", 404),
        INTERNAL("internal", 500),
        UNAVAILABLE("unavailable", 503);

        final String wire;
        final int status;

        Code(String wire, int status) {
            this.wire = wire;
            this.status = status;
        }
    }

    private final Code code;
    private final Map<String, String> meta;

    TwirpError(Code code, String msg, Map<String, String> meta) {
        super(msg);
        this.code = code;
        this.meta = Map.copyOf(meta);
    }

    Code code() {
        return code;
    }

    Map<String, String> meta() {
        return meta;
    }

    static TwirpError invalidArgument(String argument, String msg) {
        return new TwirpError(Code.INVALID_ARGUMENT, msg, Map.of("argument", argument));
    }

    static TwirpError malformed(String msg) {
        return new TwirpError(Code.MALFORMED, msg, Map.of());
    }

    static TwirpError badRoute(String msg, String route) {
        return new TwirpError(Code.BAD_ROUTE, msg, Map.of("twirp_invalid_route", route));
    }

    static TwirpError permissionDenied(String msg) {
        return new TwirpError(Code.PERMISSION_DENIED, msg, Map.of());
    }

    static TwirpError unauthenticated(String msg) {
        return new TwirpError(Code.UNAUTHENTICATED, msg, Map.of());
    }

    /**
     * The Twirp error for a gateway failure while checking a credential. The gateway's messages are written to be
     * shown (they never carry the token), so they are passed on; {@code what} says whose credential it was.
     */
    static TwirpError from(GatewayException e, String what, String argument) {
        return switch (e.kind()) {
            case INVALID_TOKEN, UNAUTHORIZED -> unauthenticated(what + ": " + e.getMessage());
            case BAD_REQUEST -> argument == null ? unauthenticated(what + ": " + e.getMessage())
                    : invalidArgument(argument, what + ": " + e.getMessage());
            case FORBIDDEN -> permissionDenied(what + ": " + e.getMessage());
            case SERVICE_UNAVAILABLE, BAD_GATEWAY, GATEWAY_TIMEOUT -> new TwirpError(Code.UNAVAILABLE,
                    what + " cannot be checked now: " + e.getMessage(), Map.of());
            default -> new TwirpError(Code.INTERNAL, what + " cannot be checked", Map.of());
        };
    }
}
