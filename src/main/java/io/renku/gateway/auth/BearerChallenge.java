package io.renku.gateway.auth;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.util.Map;

/**
 * Builds the RFC 6750 errors for a refused credential, so that every refusal carries a {@code WWW-Authenticate}
 * challenge a client library understands. Descriptions are written by the gateway, never copied from the token, and
 * are cut down to the characters RFC 6750 allows inside {@code error_description}.
 */
public final class BearerChallenge {
    public static final String HEADER = "WWW-Authenticate";

    private BearerChallenge() {
    }

    /** 401: the token is expired, forged, for someone else, or otherwise not acceptable. */
    public static GatewayException invalidToken(String description) {
        return invalidToken(description, null);
    }

    public static GatewayException invalidToken(String description, Throwable cause) {
        String safe = sanitize(description);
        return new GatewayException(ErrorKind.INVALID_TOKEN, "Invalid token: " + safe, cause,
                Map.of(HEADER, "Bearer error=\"invalid_token\", error_description=\"" + safe + "\""));
    }

    /** 400: the {@code Authorization} header itself cannot be read. */
    public static GatewayException invalidRequest(String description) {
        String safe = sanitize(description);
        return new GatewayException(ErrorKind.BAD_REQUEST, "Malformed Authorization header: " + safe, null,
                Map.of(HEADER, "Bearer error=\"invalid_request\", error_description=\"" + safe + "\""));
    }

    /** RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (printable ASCII without '"' and '\'). */
    static String sanitize(String description) {
        StringBuilder out = new StringBuilder(Math.min(description.length(), 200));
        for (int i = 0; i < description.length() && out.length() < 200; i++) {
            char c = description.charAt(i);
            out.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
        }
        return out.toString();
    }
}
