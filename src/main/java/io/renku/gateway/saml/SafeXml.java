package io.renku.gateway.saml;

import io.renku.gateway.errors.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * What the gateway checks on a SAML message before any XML parser sees it. A DOCTYPE is never legitimate in SAML
 * (SAML core §1.3: messages must not contain one) and is the door to XXE and entity expansion, so it is refused on
 * the raw text rather than left to the parser's configuration. Only UTF-8 is accepted, so the check cannot be
 * sidestepped by another encoding (UTF-16 would hide {@code <!DOCTYPE} from a byte search).
 */
final class SafeXml {
    /** Far above any real Response (Keycloak's with many roles is ~10 KiB), far below a heap risk. */
    static final int MAX_MESSAGE_BYTES = 512 * 1024;

    private SafeXml() {
    }

    /** The decoded XML of a base64 POST-binding message, or 400 naming what is wrong. */
    static String decodePosted(String base64, String what) {
        if (base64 == null || base64.isBlank()) {
            throw GatewayException.badRequest("The " + what + " is missing. Start the login again.");
        }
        if (base64.length() > MAX_MESSAGE_BYTES * 4 / 3 + 4) {
            throw GatewayException.badRequest("The " + what + " is too large.");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.replaceAll("[\\s]", ""));
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("The " + what + " is not base64.");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw GatewayException.badRequest("The " + what + " is not UTF-8 XML.");
            }
        }
        String xml = new String(bytes, StandardCharsets.UTF_8);
        try {
            refuseDoctype(xml, "the " + what);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("The " + what + " was refused: " + e.getMessage() + ".");
        }
        return xml;
    }

    static void refuseDoctype(String xml, String what) {
        String upper = xml.toUpperCase(Locale.ROOT);
        if (upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY")) {
            throw new IllegalArgumentException(what + " contains a DOCTYPE or entity declaration, which SAML never "
                    + "uses (XXE defence)");
        }
        if (xml.startsWith("\uFEFF") || upper.matches("(?s)^\\s*<\\?XML[^>]*ENCODING\\s*=\\s*[\"'](?!UTF-8).*")) {
            throw new IllegalArgumentException(what + " is not in UTF-8");
        }
    }
}
