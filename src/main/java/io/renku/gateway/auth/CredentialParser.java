package io.renku.gateway.auth;

import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the token out of an {@code Authorization} header, with no I/O. {@code Bearer <token>} gives the token;
 * {@code Basic base64(user:token)} gives the password part, whatever the user name, because git and other tools can
 * only send a token as a Basic password. Anything else is refused with 400 {@code invalid_request} rather than ignored:
 * silently treating a garbled credential as anonymous would hide the client's mistake and change what it may see.
 *
 * <p>The scheme is case-insensitive (RFC 9110 §11.1). One or more spaces may separate it from the credentials
 * ({@code 1*SP} in RFC 6750), but a Bearer token must be one {@code b64token}: no inner spaces, no second token.
 * Basic credentials may omit the base64 padding, which some clients drop; the decoded text must be UTF-8.
 */
public final class CredentialParser {
    /** RFC 6750 §2.1: {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

    private CredentialParser() {
    }

    /**
     * The one {@code Authorization} value of a request, given all of its values; null when there is none. Two or more
     * are a 400 rather than "the first one wins": {@code Authorization} is a singleton field (RFC 9110 §11.6.2), and
     * a gateway that reads one copy while another component (a framework behind it, a log filter) reads the other
     * would judge one credential and let another stand beside it.
     *
     * @throws GatewayException 400 {@code invalid_request} when the request carries more than one
     */
    public static String single(java.util.Enumeration<String> values) {
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        if (values.hasMoreElements()) {
            throw BearerChallenge.invalidRequest("send one Authorization header, not several");
        }
        return first;
    }

    /**
     * The credential in {@code header}; empty when there is no header at all (an anonymous request).
     *
     * @throws GatewayException 400 with {@code WWW-Authenticate: Bearer error="invalid_request"} when malformed
     */
    public static Optional<Credential> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.strip();
        if (value.isEmpty()) {
            throw BearerChallenge.invalidRequest("empty Authorization header");
        }
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        String rest = space < 0 ? "" : value.substring(space + 1).stripLeading();
        return Optional.of(switch (scheme.toLowerCase(Locale.ROOT)) {
            case "bearer" -> bearer(rest);
            case "basic" -> basic(rest);
            default -> throw BearerChallenge.invalidRequest("unsupported authorization scheme: use Bearer or Basic");
        });
    }

    private static Credential bearer(String token) {
        if (token.isEmpty()) {
            throw BearerChallenge.invalidRequest("Bearer without a token");
        }
        if (!isB64Token(token)) {
            throw BearerChallenge.invalidRequest("Bearer token must be a single token of base64url characters");
        }
        return new Credential(AuthMethod.BEARER, Secret.of(token));
    }

    /**
     * RFC 6750 {@code b64token}: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. A loop rather
     * than a regex: it runs on every Bearer request over a token of hundreds of characters, and the regex was a
     * visible share of the gateway's CPU in the throughput benchmark.
     */
    static boolean isB64Token(String token) {
        int n = token.length();
        int i = 0;
        while (i < n && isB64TokenChar(token.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < n && token.charAt(i) == '=') {
            i++;
        }
        return i == n;
    }

    private static boolean isB64TokenChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~' || c == '+' || c == '/';
    }

    private static Credential basic(String encoded) {
        if (encoded.isEmpty()) {
            throw BearerChallenge.invalidRequest("Basic without credentials");
        }
        if (!BASE64.matcher(encoded).matches()) {
            throw BearerChallenge.invalidRequest("Basic credentials are not valid base64");
        }
        String decoded;
        try {
            byte[] bytes = Base64.getDecoder().decode(encoded);
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw BearerChallenge.invalidRequest("Basic credentials are not valid base64 of UTF-8 text");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw BearerChallenge.invalidRequest("Basic credentials must be user:token");
        }
        String token = decoded.substring(colon + 1);
        if (token.isEmpty()) {
            throw BearerChallenge.invalidRequest("Basic credentials have an empty token");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw BearerChallenge.invalidRequest("Basic token must be printable ASCII without spaces");
        }
        return new Credential(AuthMethod.BASIC, Secret.of(token));
    }
}
