package io.renku.gateway.proxy;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks the request's {@code Content-Length} before the proxy reads it. The proxy library parses the header with
 * {@code Long.parseLong} and lets the exception escape as a 500; Tomcat refuses a bad value itself, but Undertow
 * (WildFly) passes {@code 99999999999999999999999} on. One value (or several equal ones, RFC 9112 §6.3), decimal
 * digits only, within a {@code long}; anything else is a 400 before any byte goes upstream.
 *
 * <p>{@code Transfer-Encoding} likewise: Tomcat refuses an unknown coding (501) and a list where {@code chunked} is
 * not last (400), but Undertow reads {@code xchunked}, {@code chunked, identity} or {@code chunked<VT>} as chunked and
 * passes the request on, so a front proxy that frames the body differently could smuggle a second request. Only
 * {@code chunked}, once and last, is accepted (RFC 9112 §6.1, §6.3).
 */
final class RequestFraming {
    private static final int MAX_DIGITS = 18;
    /** RFC 9110 tchar besides letters and digits: what a transfer coding's name may consist of. */
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private RequestFraming() {
    }

    /**
     * {@code text} as a length when it is 1 to {@code maxDigits} ASCII digits (not {@code Character.isDigit}, which
     * lets other scripts' digits in), else -1.
     */
    static long plainLength(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Long.parseLong(text);
    }

    static void checkContentLength(List<String> values) {
        String first = null;
        for (String value : values) {
            for (String part : value.split(",", -1)) {
                String digits = part.trim();
                if (plainLength(digits, MAX_DIGITS) < 0) {
                    throw GatewayException.badRequest("Content-Length must be one decimal number of bytes");
                }
                if (first != null && Long.parseLong(first) != Long.parseLong(digits)) {
                    throw GatewayException.badRequest("The request has two different Content-Lengths");
                }
                first = digits;
            }
        }
    }

    static void checkTransferEncoding(List<String> values) {
        List<String> codings = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(",", -1)) {
                String coding = stripOptionalWhitespace(part).toLowerCase(Locale.ROOT);
                if (coding.isEmpty() || !coding.chars().allMatch(RequestFraming::isTokenChar)) {
                    throw GatewayException.badRequest("Transfer-Encoding must be a list of transfer coding names");
                }
                codings.add(coding);
            }
        }
        int chunked = codings.indexOf("chunked");
        if (chunked >= 0 && (chunked != codings.size() - 1 || codings.lastIndexOf("chunked") != chunked)) {
            throw GatewayException.badRequest("chunked must be the last transfer coding, and appear once");
        }
        if (!codings.isEmpty() && (chunked < 0 || codings.size() > 1)) {
            throw new GatewayException(ErrorKind.NOT_IMPLEMENTED, "Only the chunked transfer coding is supported");
        }
    }

    /** OWS is spaces and tabs only: String.trim() would also drop a vertical tab or a NUL. */
    private static String stripOptionalWhitespace(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && (text.charAt(start) == ' ' || text.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || TOKEN_SYMBOLS.indexOf(c) >= 0;
    }
}
