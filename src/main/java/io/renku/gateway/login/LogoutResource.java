package io.renku.gateway.login;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.LogoutSettings;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Logout under {@code login.loginRoutesBasePath}: {@code GET|POST /logout?redirect_url=…} deletes the session with its
 * tokens (spring-session deletes the Redis key and expires the cookie) and then sends the browser through
 * OpenID Connect RP-initiated logout at the user provider ({@code end_session_endpoint} with {@code id_token_hint},
 * {@code client_id} and {@code post_logout_redirect_uri}), ending at the validated {@code redirect_url}. With
 * {@code login.logoutGitLabUponRenkuLogout} the user provider sends the browser back to {@code /logout/continue},
 * which goes on to the GitLab provider's end-session endpoint and from there to the target. {@code GET /user-profile}
 * sends the browser to the user provider's account console.
 *
 * <p>Security notes. The local session is deleted <em>before</em> any redirect, so the gateway forgets the user even
 * when the provider is down or the browser never comes back. The target goes through {@link RedirectTargets} like a
 * login's, so logout is no open redirect. The GitLab step's end-session URL carries GitLab's ID token, so it is not put
 * in a URL Keycloak sees: it waits, encrypted, in a fresh short session, bound to a random {@code state} that Keycloak
 * echoes. No CSRF token: a forced logout only costs the user a new login (no data is changed), the Renku UI links to
 * logout with a plain GET as the Go gateway allows, and a cross-site POST does not carry the {@code SameSite=Lax}
 * cookie anyway.
 */
@Path("")
public final class LogoutResource {
    static final String PENDING = "logout.pending";
    private static final System.Logger LOG = System.getLogger(LogoutResource.class.getName());
    private static final String GITLAB = "gitlab";

    private final LoginSettings settings;
    private final LogoutSettings logout;
    private final Map<String, OidcProvider> providers;
    private final SessionTokens tokens;
    private final TokenCipher cipher;
    private final SessionIndexing indexing;
    private final RedirectTargets redirects;
    private final SecureRandom random = new SecureRandom();

    @Context
    private HttpServletRequest request;

    private final Map<String, ? extends LoginProvider> others;

    LogoutResource(LoginSettings settings, LogoutSettings logout, Map<String, OidcProvider> providers,
            SessionTokens tokens, TokenCipher cipher, SessionIndexing indexing) {
        this(settings, logout, providers, Map.of(), tokens, cipher, indexing);
    }

    LogoutResource(LoginSettings settings, LogoutSettings logout, Map<String, OidcProvider> providers,
            Map<String, ? extends LoginProvider> others, SessionTokens tokens, TokenCipher cipher,
            SessionIndexing indexing) {
        this.others = Map.copyOf(others);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.logout = Objects.requireNonNull(logout, "logout");
        this.providers = Map.copyOf(providers);
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.indexing = Objects.requireNonNull(indexing, "indexing");
        this.redirects = RedirectTargets.of(settings);
    }

    @GET
    @Path("logout")
    public Response logoutByLink(@QueryParam("redirect_url") String redirectUrl) {
        return logout(redirectUrl);
    }

    /** The same as GET; {@code redirect_url} may be a query or a form parameter. */
    @POST
    @Path("logout")
    public Response logoutByForm() {
        return logout(request.getParameter("redirect_url"));
    }

    @GET
    @Path("logout/continue")
    public Response continueAtGitlab(@QueryParam("state") String state) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return redirect(redirects.fallback());
        }
        Optional<String[]> pending = session.getAttribute(PENDING) instanceof String stored
                ? cipher.decrypt(stored, PENDING).map(s -> s.reveal().split(" ", 2)) : Optional.empty();
        session.invalidate();
        if (pending.isEmpty() || pending.get().length != 2 || state == null || !MessageDigest.isEqual(
                pending.get()[0].getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            return redirect(redirects.fallback());
        }
        return redirect(URI.create(pending.get()[1]));
    }

    @GET
    @Path("user-profile")
    public Response userProfile() {
        String issuer = settings.providers().get(userProvider()).issuer().toString();
        return redirect(URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/account"));
    }

    private Response logout(String redirectUrl) {
        URI target = redirects.validate(redirectUrl);
        HttpSession session = request.getSession(false);
        if (session == null) {
            return redirect(target);
        }
        Optional<URI> single = SessionUser.provider(session).map(others::get)
                .flatMap(p -> p.singleLogout(session, target));
        if (single.isPresent()) {
            indexing.forget(session);
            session.invalidate();
            return redirect(single.get());
        }
        Optional<TokenSet> user = tokens.load(session, userProvider());
        Optional<TokenSet> gitlab = logout.logoutGitLabUponRenkuLogout() && !GITLAB.equals(userProvider())
                ? tokens.load(session, GITLAB) : Optional.empty();
        indexing.forget(session);
        session.invalidate();

        Optional<URI> atGitlab = gitlab.flatMap(t -> endSession(GITLAB, t, target, null));
        if (user.isEmpty()) {
            return redirect(atGitlab.orElse(target));
        }
        if (atGitlab.isEmpty()) {
            return redirect(endSession(userProvider(), user.get(), target, null).orElse(target));
        }
        String state = new State(32).getValue();
        URI continueAt = URI.create(withoutTrailingSlash(settings.renkuBaseUrl().toString())
                + settings.loginRoutesBasePath() + "/logout/continue");
        Optional<URI> atUser = endSession(userProvider(), user.get(), continueAt, state);
        if (atUser.isEmpty()) {
            return redirect(atGitlab.get());
        }
        request.getSession(true).setAttribute(PENDING,
                cipher.encrypt(Secret.of(state + " " + atGitlab.get()), PENDING));
        return redirect(atUser.get());
    }

    /** The provider's end-session URL, or empty when it has none or cannot be asked (the local logout stands). */
    private Optional<URI> endSession(String providerId, TokenSet tokenSet, URI after, String state) {
        OidcProvider provider = providers.get(providerId);
        if (provider == null) {
            return Optional.empty();
        }
        URI endpoint;
        try {
            endpoint = provider.discovered().metadata().getEndSessionEndpointURI();
        } catch (GatewayException e) {
            LOG.log(System.Logger.Level.WARNING, "Logout: provider " + providerId + " is unavailable, so only the "
                    + "gateway's session was ended: " + e.getMessage());
            return Optional.empty();
        }
        if (endpoint == null) {
            return Optional.empty();
        }
        JWT hint = null;
        if (tokenSet.idToken().isPresent()) {
            try {
                hint = JWTParser.parse(tokenSet.idToken().get().reveal());
            } catch (ParseException e) {
                hint = null;
            }
        }
        return Optional.of(new LogoutRequest(endpoint, hint, null, new ClientID(provider.settings().clientId()),
                after, state == null ? null : new State(state), null).toURI());
    }

    private String userProvider() {
        return settings.defaultChain().get(0);
    }

    private static String withoutTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static Response redirect(URI location) {
        return Response.status(Response.Status.FOUND).location(location).header("Cache-Control", "no-store").build();
    }
}
