package io.renku.gateway.auth;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.proxy.UpstreamCredentials;
import io.renku.gateway.session.AnonymousIds;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Resolves who is calling, in the seed's order: a session cookie whose session has a logged-in user; otherwise an
 * {@code Authorization: Bearer} token, or a token sent as the password of {@code Authorization: Basic}, validated and
 * turned into an ephemeral identity that is never stored and sets no cookie; otherwise anonymous.
 *
 * <p>When a request carries both a logged-in session cookie and an {@code Authorization} header, the session wins and
 * the header is not evaluated (the browser's login is what the user did last). When Redis cannot be asked for the
 * session, the failure is kept for endpoints that need a session ({@link Callers#requireAuthenticated} answers 503);
 * public routes go on as anonymous. On {@code /twirp/*} a refused {@code Authorization} header is kept too
 * ({@link Callers#credentialFailure}) rather than answered, so that the endpoint can answer in Twirp's error format.
 * Sits after the session filter; health and readiness skip it so they never touch
 * Redis or an identity provider.
 */
public final class CallerFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Set<String> SKIPPED = Set.of("/health", "/ready", "/metrics", "/version", "/_error");

    private transient BearerAuthenticator bearer;
    private transient SessionTokens tokens;
    private transient BiFunction<HttpSession, TokenSet, TokenSet> refresh;
    private transient AnonymousIds anonymous;

    @Override
    public void init() {
        GatewayContext context = GatewayContext.from(getServletContext());
        bearer = context.bearer();
        tokens = new SessionTokens(context.tokens());
        refresh = context.refresher()::fresh;
        anonymous = context.anonymousIds();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!SKIPPED.contains(request.getServletPath())) {
            Identity caller = resolve(request);
            request.setAttribute(Callers.IDENTITY, caller);
            request.setAttribute(UpstreamCredentials.ATTRIBUTE, new CallerCredentials(request, response,
                    anonymous, caller, tokens, refresh));
        }
        chain.doFilter(request, response);
    }

    private Identity resolve(HttpServletRequest request) {
        HttpSession session = null;
        try {
            session = request.getSession(false);
        } catch (GatewayException e) {
            if (e.kind() != ErrorKind.SERVICE_UNAVAILABLE) {
                throw e;
            }
            request.setAttribute(Callers.STORE_FAILURE, e);
        }
        if (session != null) {
            Optional<Identity> user = SessionUser.load(session);
            if (user.isPresent()) {
                return user.get();
            }
        }
        try {
            return bearer.authenticate(CredentialParser.single(request.getHeaders("Authorization")))
                    .orElseGet(() -> Identity.anonymous("anonymous"));
        } catch (GatewayException e) {
            // The Twirp endpoint answers every error in Twirp's own body, so it gets the failure to render itself.
            if (!request.getServletPath().startsWith(Callers.TWIRP_PATH)) {
                throw e;
            }
            request.setAttribute(Callers.CREDENTIAL_FAILURE, e);
            return Identity.anonymous("anonymous");
        }
    }
}
