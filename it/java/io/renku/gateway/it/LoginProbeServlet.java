package io.renku.gateway.it;

import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Test-only (added to the WAR by the session tests, never shipped): finishes a "login" the way the login resource
 * will, through the real session classes: rotate the session id, store the user and an encrypted token set. Lets
 * the session tests run before the login chain exists.
 */
@WebServlet("/_it/login")
public class LoginProbeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        request.getSession(true);
        request.changeSessionId();
        var session = request.getSession(false);
        SessionUser.store(session, new Identity(request.getParameter("sub"), request.getParameter("username"),
                "Test User", "test@example.org", "http://issuer", AuthMethod.SESSION, Optional.empty(), Set.of(),
                Optional.empty()));
        new SessionTokens(GatewayContext.from(getServletContext()).tokens()).store(session, new TokenSet("renku",
                Secret.of(request.getParameter("access")), Optional.of(Secret.of(request.getParameter("refresh"))),
                Optional.empty(), Optional.of(Instant.now().plusSeconds(expiresIn(request)))));
        response.setStatus(204);
    }

    /** The token's lifetime: {@code expiresIn} seconds when given (the benchmark runs longer than 5 minutes). */
    private static long expiresIn(HttpServletRequest request) {
        String value = request.getParameter("expiresIn");
        return value == null ? 300 : Long.parseLong(value);
    }

    /** Replaces the tokens of the caller's session (as a refresh would), without renaming it. */
    @Override
    protected void doPut(HttpServletRequest request, HttpServletResponse response) {
        var session = request.getSession(false);
        if (session == null) {
            response.setStatus(404);
            return;
        }
        new SessionTokens(GatewayContext.from(getServletContext()).tokens()).store(session, new TokenSet("renku",
                Secret.of(request.getParameter("access")), Optional.of(Secret.of(request.getParameter("refresh"))),
                Optional.empty(), Optional.of(Instant.now().plusSeconds(300))));
        response.setStatus(204);
    }

    /** Ends the caller's session, as a logout does. */
    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) {
        var session = request.getSession(false);
        if (session == null) {
            response.setStatus(404);
            return;
        }
        session.invalidate();
        response.setStatus(204);
    }
}
