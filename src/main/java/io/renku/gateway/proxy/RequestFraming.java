package io.renku.gateway.proxy;

import io.renku.gateway.errors.GatewayException;
import java.util.List;

/**
 * Checks the request's {@code Content-Length} before the proxy reads it. The proxy library parses the header with
 * {@code Long.parseLong} and lets the exception escape as a 500; Tomcat refuses a bad value itself, but Undertow
 * (WildFly) passes {@code 99999999999999999999999} on. One value (or several equal ones, RFC 9112 §6.3), decimal
 * digits only, within a {@code long}; anything else is a 400 before any byte goes upstream.
 */
final class RequestFraming {
    private static final int MAX_DIGITS = 18;

    private RequestFraming() {
    }

    static void checkContentLength(List<String> values) {
        String first = null;
        for (String value : values) {
            for (String part : value.split(",", -1)) {
                String digits = part.trim();
                boolean decimal = !digits.isEmpty() && digits.length() <= MAX_DIGITS
                        && digits.chars().allMatch(c -> c >= '0' && c <= '9'); // ASCII only: not Character.isDigit
                if (!decimal) {
                    throw GatewayException.badRequest("Content-Length must be one decimal number of bytes");
                }
                if (first != null && Long.parseLong(first) != Long.parseLong(digits)) {
                    throw GatewayException.badRequest("The request has two different Content-Lengths");
                }
                first = digits;
            }
        }
    }
}
