package io.renku.gateway.saml;

import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP-POST binding's page: a form of hidden fields that its one script submits at once (a button without
 * script). The content security policy allows exactly that script, by its hash, and form posts only to the form's
 * own target, so the page can do nothing else even if a field value were hostile (values are HTML-escaped as well).
 */
final class SamlPages {
    private static final String SCRIPT = "document.forms[0].submit();";
    private static final String SCRIPT_HASH = "'sha256-" + Base64.getEncoder().encodeToString(sha256(SCRIPT)) + "'";

    private SamlPages() {
    }

    /** The page posting {@code fields} to {@code action}; {@code formAction} is the CSP's form-action source. */
    static Response page(String action, String formAction, Map<String, String> fields) {
        StringBuilder page = new StringBuilder(512 + fields.values().stream().mapToInt(String::length).sum());
        page.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Continuing</title></head>")
                .append("<body><form method=\"post\" action=\"").append(escape(action)).append("\">");
        fields.forEach((name, value) -> page.append("<input type=\"hidden\" name=\"").append(escape(name))
                .append("\" value=\"").append(escape(value)).append("\">"));
        page.append("<noscript><button type=\"submit\">Continue</button></noscript></form><script>")
                .append(SCRIPT).append("</script></body></html>");
        String csp = "default-src 'none'; script-src " + SCRIPT_HASH + "; form-action " + formAction
                + "; frame-ancestors 'none'; base-uri 'none'";
        return Response.ok(page.toString(), "text/html; charset=utf-8").header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer").header("Content-Security-Policy", csp).build();
    }

    /** A SAML message ({@code SAMLRequest} or {@code SAMLResponse}) posted to another origin's endpoint. */
    static Response autoPost(URI endpoint, String name, String message, String relayState) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(name, message);
        if (relayState != null) {
            fields.put("RelayState", relayState);
        }
        String origin = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        return page(endpoint.toString(), origin, fields);
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
