package io.renku.gateway.login;

import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.session.InMemorySessionIndex;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The login chain under {@code login.loginRoutesBasePath}: {@code GET /login} starts it, {@code GET /callback}
 * finishes one provider's step and sends the browser to the next provider, and finally to the validated
 * {@code redirect_url}. The chain is the requested {@code provider_id}s (repeated or comma-separated) or
 * {@code login.providers}; the first provider of {@code login.providers} ({@code renku}) is the one whose ID token
 * says who the user is.
 *
 * <p>Security notes. A login that includes the user provider starts from a fresh session (the old one is
 * invalidated), so tokens of a previous user can never mix with the new user's. Each step's {@code state} is kept
 * encrypted in the session and consumed by the first callback that presents it, whatever the outcome, so a leaked
 * state cannot be replayed to inject another code (login CSRF). The session id changes after every step that stores
 * tokens, so an id known before the login (fixation) is worthless afterwards. Codes, states and tokens never appear in
 * a log line or a problem detail.
 */
@Path("")
public final class LoginResource {
    static final String PENDING = LoginChain.PENDING;

    private final Map<String, OidcProvider> providers;
    private final CodeExchange exchange;
    private final LoginChain chain;
    private final Clock clock;
    private final GatewayMetrics metrics;

    @Context
    private HttpServletRequest request;

    public LoginResource(LoginSettings settings, Map<String, OidcProvider> providers, SessionTokens tokens,
            TokenCipher cipher, Clock clock) {
        this(new LoginChain(settings, providers, tokens, cipher, clock, new SessionIndexing(new InMemorySessionIndex(
                Duration.ofDays(1), clock), tokens, settings.defaultChain().get(0))), providers, clock,
                GatewayMetrics.inMemory());
    }

    LoginResource(LoginChain chain, Map<String, OidcProvider> providers, Clock clock, GatewayMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.providers = Map.copyOf(providers);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.exchange = new CodeExchange(clock);
    }

    @GET
    @Path("login")
    public Response login(@QueryParam("redirect_url") String redirectUrl,
            @QueryParam("provider_id") List<String> providerIds) {
        return chain.start(request, providerIds, redirectUrl);
    }

    /** The second design's entry point ({@code GET /oidc/new}): the same as {@code /login}. */
    @GET
    @Path("oidc/new")
    public Response oidcNew(@QueryParam("redirect_url") String redirectUrl,
            @QueryParam("provider_id") List<String> providerIds) {
        return chain.start(request, providerIds, redirectUrl);
    }
    /** No state the gateway issues is longer (its states are 43 characters). */
    static final int MAX_STATE_LENGTH = 512;
    /** Far above what Keycloak (~120) and GitLab (64) issue, far below what a provider's request line allows. */
    static final int MAX_CODE_LENGTH = 2048;

    /**
     * A state or code that no provider could have issued is the client's mistake and is refused here, before the
     * pending login is looked at or used up and before the provider is asked (which would answer a junk code with an
     * error that looks like the gateway's misconfiguration). RFC 6749 A.11: a code is visible ASCII.
     */
    static void checkCallbackValues(String state, String code) {
        if (state.length() > MAX_STATE_LENGTH || !isVisibleAscii(state)) {
            throw GatewayException.badRequest("The login callback's state parameter is malformed. Start the login "
                    + "again.");
        }
        if (code != null && (code.length() > MAX_CODE_LENGTH || !isVisibleAscii(code))) {
            throw GatewayException.badRequest("The login callback's authorization code is malformed (at most "
                    + MAX_CODE_LENGTH + " visible ASCII characters). Start the login again.");
        }
    }

    private static boolean isVisibleAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    @GET
    @Path("callback")
    public Response callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error, @QueryParam("iss") String issuer) {
        String[] provider = {"unknown"};
        try {
            Response response = step(state, code, error, issuer, provider);
            metrics.login(provider[0], "success");
            return response;
        } catch (GatewayException e) {
            metrics.login(provider[0], e.kind().slug());
            throw e;
        }
    }

    /** One callback; {@code provider[0]} is set to the step's provider as soon as it is known (for the metrics). */
    private Response step(String state, String code, String error, String issuer, String[] providerId) {
        if (state == null || state.isEmpty()) {
            throw GatewayException.badRequest("The login callback has no state parameter. Start the login again.");
        }
        checkCallbackValues(state, code);
        HttpSession session = request.getSession(false);
        PendingLogin step = chain.take(session);
        step.verify(state, clock.instant());
        OidcProvider provider = providers.get(step.provider());
        if (provider != null) {
            providerId[0] = provider.id();
        }
        if (provider == null) {
            throw GatewayException.badRequest("The login in progress in this browser session is not waiting for an "
                    + "OpenID Connect provider. Start the login again.");
        }
        if (error != null) {
            String shown = error.matches("[a-z_]{1,64}") ? error : "an unknown error";
            if (error.equals("access_denied")) {
                throw GatewayException.badRequest("The identity provider '" + provider.id()
                        + "' did not log you in (access_denied): the access the gateway asks for was declined. "
                        + "Nothing was stored. Start the login again to grant it.");
            }
            throw GatewayException.badRequest("The identity provider '" + provider.id() + "' did not log you in ("
                    + shown + "). Start the login again.");
        }
        if (code == null || code.isEmpty()) {
            throw GatewayException.badRequest("The login callback has no authorization code. Start the login again.");
        }
        // RFC 9207: when the provider names itself, it must be the provider this step went to (mix-up defence).
        if (issuer != null && !issuer.equals(provider.discovered().metadata().getIssuer().getValue())) {
            throw GatewayException.badRequest("The login callback came from another identity provider than the one "
                    + "this login went to. Start the login again.");
        }
        CodeExchange.Result result = exchange.exchange(provider, code, step);
        return chain.completed(request, session, step, new LoginChain.StepResult(Optional.of(result.tokens()),
                Optional.of(result.identity()), Map.of(), Set.of()));
    }
}
