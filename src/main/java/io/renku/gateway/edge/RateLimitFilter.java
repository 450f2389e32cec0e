package io.renku.gateway.edge;

import io.renku.gateway.auth.Callers;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.model.Identity;
import io.renku.gateway.session.AnonymousIds;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;

/**
 * The optional rate limit ({@code server.rateLimit.requestsPerSecond} &gt; 0): one bucket per logged-in user, per
 * anonymous id (a browser that returns its signed anonymous-id cookie), and otherwise per client address. Sits after the caller filter
 * (it needs the identity) and before anything that costs: a limited request is a 429 problem with
 * {@code Retry-After} and reaches no upstream and no identity provider. Health, readiness and metrics are never
 * limited. When Redis cannot be asked, the request passes (fail open: an outage of the limiter must not become an
 * outage of the gateway), counted in {@code gateway_ratelimit_decisions_total{result="failopen"}}.
 */
public final class RateLimitFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = System.getLogger(RateLimitFilter.class.getName());
    private static final Set<String> EXEMPT = Set.of("/health", "/ready", "/metrics", "/version", "/_error");

    private transient RateLimiter limiter;
    private transient GatewayMetrics metrics;
    private transient AnonymousIds anonymous;

    @Override
    public void init() {
        GatewayContext context = GatewayContext.from(getServletContext());
        if (context.settings().ops().rateLimit().enabled()) {
            limiter = RateLimiter.of(context.settings().ops().rateLimit(), context.redis(),
                    context.settings().redis().keyNamespace());
        }
        metrics = GatewayMetrics.of(getServletContext());
        anonymous = context.anonymousIds();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (limiter == null || EXEMPT.contains(request.getServletPath())) {
            chain.doFilter(request, response);
            return;
        }
        RateLimiter.Decision decision;
        try {
            decision = limiter.take(callerKey(request, anonymous));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Rate limit not applied (its store failed): " + e.getClass().getName());
            metrics.rateLimit("failopen");
            chain.doFilter(request, response);
            return;
        }
        metrics.rateLimit(decision.allowed() ? "allowed" : "limited");
        if (!decision.allowed()) {
            throw new GatewayException(ErrorKind.TOO_MANY_REQUESTS, "Too many requests from this caller; try again "
                    + "in " + decision.retryAfterSeconds() + " s", null,
                    Map.of("Retry-After", Long.toString(decision.retryAfterSeconds())));
        }
        chain.doFilter(request, response);
    }

    /** The bucket's key: never a token, only ids the gateway itself vouches for. */
    static String callerKey(HttpServletRequest request, AnonymousIds anonymous) {
        Identity caller = Callers.of(request);
        if (!caller.isAnonymous()) {
            return "user:" + caller.issuer() + "|" + caller.subject();
        }
        HttpSession session = null;
        try {
            session = request.getSession(false);
        } catch (RuntimeException storeDown) {
            // the address below is still a fair key
        }
        return (session == null ? java.util.Optional.<String>empty() : SessionUser.existingAnonymousId(session))
                .or(() -> anonymous.presented(request))
                .map(id -> "anon:" + id).orElseGet(() -> "addr:" + request.getRemoteAddr());
    }
}
