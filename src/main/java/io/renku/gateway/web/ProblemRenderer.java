package io.renku.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one place that turns a {@link Problem} into an HTTP response: {@code application/problem+json} for API callers,
 * a small HTML page for browsers (chosen by {@code Accept}). Servlets, filters, the error page and the Jersey
 * exception mapper all come through here, so status codes and bodies cannot drift apart.
 */
public final class ProblemRenderer {
    public static final String PROBLEM_JSON = "application/problem+json";

    private final ObjectMapper json = new ObjectMapper();

    /** A rendered body with its media type. */
    public record Body(String mediaType, String text) {
    }

    public Body render(Problem problem, String accept) {
        if (prefersHtml(accept)) {
            return new Body("text/html;charset=UTF-8", html(problem));
        }
        ObjectNode node = json.createObjectNode();
        node.put("type", problem.type());
        node.put("title", problem.kind().title());
        node.put("status", problem.status());
        node.put("detail", problem.detail());
        if (problem.instance() != null) {
            node.put("instance", problem.instance());
        }
        if (problem.requestId() != null) {
            node.put("requestId", problem.requestId());
        }
        return new Body(PROBLEM_JSON, node.toString());
    }

    /** Writes the problem unless the response is already committed (then the connection is all we can close). */
    public void write(Problem problem, String accept, HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        Body body = render(problem, accept);
        response.setStatus(problem.status());
        problem.headers().forEach(response::setHeader);
        response.setHeader("Cache-Control", "no-store");
        securityHeaders(body.mediaType()).forEach(response::setHeader);
        response.setContentType(body.mediaType());
        byte[] bytes = body.text().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** A strict policy for the gateway's own HTML: no script, no frame, no form, inline styles only. */
    public static final String HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
            + "base-uri 'none'; form-action 'none'";

    /**
     * The headers every answer the gateway writes itself carries: no MIME sniffing, no referrer (auth URLs carry codes
     * and states), and on HTML the strict policy above.
     */
    public static java.util.Map<String, String> securityHeaders(String mediaType) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        if (mediaType != null && mediaType.startsWith("text/html")) {
            headers.put("Content-Security-Policy", HTML_CSP);
        }
        return headers;
    }

    /** Browsers ask for text/html first; API clients ask for JSON or anything. */
    static boolean prefersHtml(String accept) {
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        int html = a.indexOf("text/html");
        if (html < 0) {
            return false;
        }
        int json = a.indexOf("json");
        return json < 0 || html < json;
    }

    private static String html(Problem p) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(p.kind().title())
                + "</title><style>body{font-family:sans-serif;max-width:40em;margin:4em auto;color:#222}"
                + "small{color:#777}</style></head><body><h1>" + escape(p.kind().title()) + "</h1><p>"
                + escape(p.detail()) + "</p><p><small>Status " + p.status()
                + (p.requestId() == null ? "" : " · request id " + escape(p.requestId()))
                + "</small></p></body></html>";
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
