package io.renku.gateway.login;

import io.renku.gateway.web.ProblemRenderer;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;

/**
 * Every answer under {@code login.loginRoutesBasePath} is private to one browser and may sit next to a code or state in
 * the URL: {@code Cache-Control: no-store} (unless a resource chose otherwise), no MIME sniffing, no referrer to the
 * next site, and the strict content security policy on HTML, unless a resource set a stricter or more specific one
 * itself (the SAML re-post page allows exactly its one script and a form post to its own origin).
 */
public final class AuthResponseHeaders implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!response.getHeaders().containsKey("Cache-Control")) {
            response.getHeaders().putSingle("Cache-Control", "no-store");
        }
        MediaType type = response.getMediaType();
        ProblemRenderer.securityHeaders(type == null ? null : type.toString()).forEach((name, value) -> {
            if (!response.getHeaders().containsKey(name)) {
                response.getHeaders().putSingle(name, value);
            }
        });
    }
}
