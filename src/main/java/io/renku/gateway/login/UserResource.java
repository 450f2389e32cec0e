package io.renku.gateway.login;

import io.renku.gateway.auth.Callers;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET <login.loginRoutesBasePath>/user}: who the caller is and how they got in (session, bearer or basic), and
 * for a session which providers hold tokens; 401 for anonymous callers. It never returns a token.
 */
@Path("user")
public final class UserResource {
    private final SessionTokens tokens;

    @Context
    private HttpServletRequest request;

    public UserResource(SessionTokens tokens) {
        this.tokens = tokens;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response user() {
        Identity identity = Callers.requireAuthenticated(request);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sub", identity.subject());
        body.put("preferred_username", identity.preferredUsername());
        body.put("name", identity.name());
        body.put("email", identity.email());
        body.put("issuer", identity.issuer());
        body.put("authenticated_by", identity.method().name().toLowerCase(Locale.ROOT));
        HttpSession session = identity.method() == AuthMethod.SESSION ? request.getSession(false) : null;
        body.put("providers", session == null ? List.of() : tokens.providers(session));
        if (session != null) {
            SessionUser.provider(session).ifPresent(p -> body.put("login_provider", p));
            Map<String, List<String>> attributes = SessionUser.attributes(session);
            if (!attributes.isEmpty()) {
                body.put("attributes", attributes);
            }
        }
        return Response.ok(body).header("Cache-Control", "no-store").build();
    }
}
