package io.renku.gateway.auth;

import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.proxy.UpstreamCredentials;
import io.renku.gateway.session.AnonymousIds;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What the proxy may inject for one caller, read lazily (a route that injects nothing decrypts nothing): a session's
 * stored user tokens (those of the provider it logged in with when it has any, else Keycloak's {@code renku}) and
 * GitLab ({@code gitlab}) tokens; a Bearer or Basic caller's own validated token (never a stored one); an anonymous
 * caller's stable id ({@link AnonymousIds}), which costs no stored session.
 *
 * <p>Refresh hook: a stored token set passes through {@code refresh} (the deployment's
 * {@link io.renku.gateway.login.TokenRefresher#fresh}) when it is first read, so a token about to expire is renewed
 * before anything uses it. For a proxied request that is when the proxy injects credentials, before the upstream
 * request is sent; a refused refresh then answers a 401 problem, a provider outage 502-504, and nothing is forwarded.
 */
final class CallerCredentials implements UpstreamCredentials {
    static final String RENKU = "renku";
    static final String GITLAB = "gitlab";

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final AnonymousIds anonymous;
    private final Identity identity;
    private final SessionTokens tokens;
    private final BiFunction<HttpSession, TokenSet, TokenSet> refresh;
    private Optional<TokenSet> renku;
    private Optional<TokenSet> gitlab;

    CallerCredentials(HttpServletRequest request, HttpServletResponse response, AnonymousIds anonymous,
            Identity identity, SessionTokens tokens, BiFunction<HttpSession, TokenSet, TokenSet> refresh) {
        this.request = Objects.requireNonNull(request, "request");
        this.response = Objects.requireNonNull(response, "response");
        this.anonymous = Objects.requireNonNull(anonymous, "anonymous");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.refresh = Objects.requireNonNull(refresh, "refresh");
    }

    @Override
    public Optional<Secret> accessToken() {
        return switch (identity.method()) {
            case SESSION -> renku().map(TokenSet::accessToken);
            case BEARER, BASIC -> identity.token();
            case ANONYMOUS -> Optional.empty();
        };
    }

    @Override
    public Optional<Secret> refreshToken() {
        return renku().flatMap(TokenSet::refreshToken);
    }

    @Override
    public Optional<Secret> gitlabToken() {
        return gitlab().map(TokenSet::accessToken);
    }

    @Override
    public Optional<Instant> gitlabExpiresAt() {
        return gitlab().flatMap(TokenSet::expiresAt);
    }

    /**
     * A session that already has an anonymous id keeps it (a browser that used the gateway before this version, or
     * that logged out); otherwise the id comes from the signed anonymous-id cookie, made and set on first use. No
     * session is created or written for it. While the session store cannot be asked, only a presented cookie counts:
     * the session's own id is unknown then, and a new one would only change the caller's name for nothing.
     */
    @Override
    public Optional<String> anonymousId() {
        if (identity.method() != AuthMethod.ANONYMOUS) {
            return Optional.empty();
        }
        if (request.getAttribute(Callers.STORE_FAILURE) != null) {
            return anonymous.presented(request);
        }
        HttpSession session;
        try {
            session = request.getSession(false);
        } catch (GatewayException storeDown) {
            return anonymous.presented(request);
        }
        Optional<String> stored = session == null ? Optional.empty() : SessionUser.existingAnonymousId(session);
        return Optional.of(stored.orElseGet(() -> anonymous.resolve(request, response)));
    }

    private Optional<TokenSet> renku() {
        if (renku == null) {
            renku = userTokens();
        }
        return renku;
    }

    /**
     * The tokens that speak for the user: those of the provider the session logged in with, when it stored any (a
     * generic OIDC provider's, or the access and refresh token a SAML provider's RFC 7522 exchange issued), else
     * {@code renku}'s. GitLab's tokens keep their own headers.
     */
    private Optional<TokenSet> userTokens() {
        if (identity.method() != AuthMethod.SESSION) {
            return Optional.empty();
        }
        HttpSession session = request.getSession(false);
        Optional<String> login = session == null ? Optional.empty() : SessionUser.provider(session)
                .filter(p -> !p.equals(RENKU) && !p.equals(GITLAB));
        if (login.isPresent()) {
            Optional<TokenSet> own = stored(login.get());
            if (own.isPresent()) {
                return own;
            }
        }
        return stored(RENKU);
    }

    private Optional<TokenSet> gitlab() {
        if (gitlab == null) {
            gitlab = stored(GITLAB);
        }
        return gitlab;
    }

    private Optional<TokenSet> stored(String provider) {
        if (identity.method() != AuthMethod.SESSION) {
            return Optional.empty();
        }
        HttpSession session = request.getSession(false);
        return session == null ? Optional.empty()
                : tokens.load(session, provider).map(stored -> refresh.apply(session, stored));
    }
}
