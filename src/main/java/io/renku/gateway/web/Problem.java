package io.renku.gateway.web;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.util.Map;

/**
 * An RFC 9457 problem as the gateway sends it. Built from a {@link GatewayException} (or an unexpected failure, which
 * becomes a generic 500 whose detail points at the request id, never at the exception) and rendered by
 * {@link ProblemRenderer}.
 */
public record Problem(ErrorKind kind, String detail, String instance, String requestId, Map<String, String> headers) {
    public static final String TYPE_PREFIX = "urn:renku-gateway:problem:";

    public Problem {
        headers = Map.copyOf(headers);
    }

    public static Problem of(GatewayException e, String instance, String requestId) {
        return new Problem(e.kind(), e.getMessage(), instance, requestId, e.headers());
    }

    public static Problem unexpected(String instance, String requestId) {
        return new Problem(ErrorKind.INTERNAL,
                "The gateway could not handle this request. Quote request id " + requestId + " when reporting it.",
                instance, requestId, Map.of());
    }

    /**
     * A problem for an HTTP status the container or JAX-RS decided on (unknown path, wrong method, ...); {@code method}
     * may be null where the request's method is not known (Tomcat's error dispatch reports it as GET).
     */
    public static Problem forStatus(int status, String method, String instance, String requestId) {
        ErrorKind kind = ErrorKind.forStatus(status);
        String detail = switch (kind) {
            case NOT_FOUND -> "Nothing is served at " + instance;
            case METHOD_NOT_ALLOWED -> (method == null ? "This method" : method) + " is not allowed on " + instance;
            default -> kind.title();
        };
        return new Problem(kind, detail, instance, requestId, Map.of());
    }

    public String type() {
        return TYPE_PREFIX + kind.slug();
    }

    public int status() {
        return kind.status();
    }
}
