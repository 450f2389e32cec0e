package io.renku.gateway.errors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Every failure the gateway reports to a client. The message is the problem's {@code detail} and is shown to the
 * client, so it must say what was wrong without carrying a token, a secret or a stack trace. Extra response headers
 * (such as {@code WWW-Authenticate} or {@code Retry-After}) travel with the exception so the single renderer can set
 * them.
 */
public class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final Map<String, String> headers;

    public GatewayException(ErrorKind kind, String detail) {
        this(kind, detail, null, Map.of());
    }

    public GatewayException(ErrorKind kind, String detail, Throwable cause) {
        this(kind, detail, cause, Map.of());
    }

    public GatewayException(ErrorKind kind, String detail, Throwable cause, Map<String, String> headers) {
        super(Objects.requireNonNull(detail, "detail"), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    public ErrorKind kind() {
        return kind;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static GatewayException badRequest(String detail) {
        return new GatewayException(ErrorKind.BAD_REQUEST, detail);
    }

    public static GatewayException notFound(String detail) {
        return new GatewayException(ErrorKind.NOT_FOUND, detail);
    }

    /** A dependency (Redis, an identity provider) cannot be reached; the client may retry after some seconds. */
    public static GatewayException unavailable(String detail, int retryAfterSeconds, Throwable cause) {
        return new GatewayException(ErrorKind.SERVICE_UNAVAILABLE, detail, cause,
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }
}
