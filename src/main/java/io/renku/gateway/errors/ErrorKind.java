package io.renku.gateway.errors;

/**
 * The flat list of things that can go wrong in the gateway, each with the HTTP status and the problem type a client
 * sees. Kept as one enum (like the Go original's named errors) so that a status code is decided in exactly one place.
 */
public enum ErrorKind {
    BAD_REQUEST(400, "bad-request", "Bad request"),
    UNAUTHORIZED(401, "unauthorized", "Authentication required"),
    INVALID_TOKEN(401, "invalid-token", "Invalid credentials"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
    REQUEST_TIMEOUT(408, "request-timeout", "Request timeout"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    UPGRADE_REQUIRED(426, "upgrade-required", "Upgrade required"),
    TOO_MANY_REQUESTS(429, "too-many-requests", "Too many requests"),
    INTERNAL(500, "internal", "Internal error"),
    NOT_IMPLEMENTED(501, "not-implemented", "Not implemented"),
    BAD_GATEWAY(502, "bad-gateway", "Upstream failed"),
    SERVICE_UNAVAILABLE(503, "service-unavailable", "Service unavailable"),
    GATEWAY_TIMEOUT(504, "gateway-timeout", "Upstream timed out");

    private final int status;
    private final String slug;
    private final String title;

    ErrorKind(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** The last segment of the problem {@code type} URI. */
    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    /** The kind that best describes an HTTP status produced elsewhere (for example by the container). */
    public static ErrorKind forStatus(int status) {
        for (ErrorKind kind : values()) {
            if (kind.status == status) {
                return kind;
            }
        }
        return status >= 500 ? INTERNAL : BAD_REQUEST;
    }
}
