package io.renku.gateway.edge;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * CORS for the origins in {@code server.allowOrigin}, answered by the gateway itself. Sits right after the request
 * filter and before the session filter, so a preflight never touches a session, an identity provider or an upstream.
 * An allowed origin gets {@code Access-Control-Allow-Origin: <that origin>} with credentials (never {@code *});
 * a preflight from any other origin is a 403 problem; other requests from other origins pass without CORS headers,
 * so the browser keeps the answer from the page. With CORS configured the gateway owns these headers: the proxy drops
 * an upstream's own {@code Access-Control-*} headers ({@link #owns}).
 */
public final class CorsFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    public static final String ATTRIBUTE = CorsFilter.class.getName() + ".enabled";

    private transient CorsPolicy policy;

    @Override
    public void init() {
        policy = new CorsPolicy(GatewayContext.from(getServletContext()).settings().ops().allowOrigins());
        getServletContext().setAttribute(ATTRIBUTE, policy.enabled());
    }

    /** Whether the gateway answers CORS itself, so upstream {@code Access-Control-*} headers must not pass. */
    public static boolean owns(jakarta.servlet.ServletContext context) {
        return Boolean.TRUE.equals(context.getAttribute(ATTRIBUTE));
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String origin = request.getHeader("Origin");
        if (!policy.enabled() || origin == null) {
            chain.doFilter(request, response);
            return;
        }
        boolean allowed = policy.allows(origin);
        boolean preflight = "OPTIONS".equals(request.getMethod())
                && request.getHeader("Access-Control-Request-Method") != null;
        response.addHeader("Vary", "Origin");
        if (preflight) {
            if (!allowed) {
                throw new GatewayException(ErrorKind.FORBIDDEN, "This origin may not call the gateway from a browser "
                        + "(server.allowOrigin)");
            }
            allow(response, origin);
            response.setHeader("Access-Control-Allow-Methods", CorsPolicy.ALLOWED_METHODS);
            String headers = CorsPolicy.allowedHeaders(request.getHeader("Access-Control-Request-Headers"));
            if (headers != null) {
                response.setHeader("Access-Control-Allow-Headers", headers);
            }
            response.setHeader("Access-Control-Max-Age", Long.toString(CorsPolicy.MAX_AGE_SECONDS));
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (allowed) {
            allow(response, origin);
            response.setHeader("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
        }
        chain.doFilter(request, response);
    }

    private static void allow(HttpServletResponse response, String origin) {
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.setHeader("Access-Control-Allow-Credentials", "true");
    }
}
