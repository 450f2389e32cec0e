package io.renku.gateway.authz;

import io.renku.gateway.auth.Callers;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.GrantSet;
import io.renku.gateway.model.Identity;
import io.renku.gateway.web.GatewayContext;
import io.renku.gateway.web.RequestFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Authorization at the edge ({@code authz.rules}): the first rule whose path and method match decides before the
 * login resource, the proxy or any upstream is contacted. Allowed goes on; an anonymous caller gets 401, an
 * authenticated one 403 problem+json naming the permission and the resource (never the caller's grants).
 *
 * <p>Sits after the caller filter (it needs the caller) and before everything that could reach an upstream. Paths are
 * judged on {@link PathSegments#forwarded()}, the proxy's own normalisation, so {@code %2F}, {@code ;params}, escaped
 * letters and dot segments cannot slip a request past a rule; a path the proxy would refuse is refused here (400).
 * The gateway's own operations endpoints (health, readiness, metrics, version) and the error page are never judged.
 */
public final class EdgeRuleFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Set<String> SKIPPED = Set.of("/health", "/ready", "/metrics", "/version", "/_error");

    private transient EdgeRules rules;
    private transient Authorizer authorizer;
    private transient PathSegments view;

    @Override
    public void init() {
        GatewayContext context = GatewayContext.from(getServletContext());
        rules = new EdgeRules(context.settings().authz().rules());
        authorizer = context.authorizer();
        view = PathSegments.forwarded();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (rules.isEmpty() || SKIPPED.contains(request.getServletPath())) {
            chain.doFilter(request, response);
            return;
        }
        String raw = request.getRequestURI().substring(request.getContextPath().length());
        List<String> segments = view.of(raw);
        Optional<EdgeRules.Requirement> requirement = rules.requirement(request.getMethod(), segments);
        if (requirement.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        decide(request, requirement.get());
        chain.doFilter(request, response);
    }

    /** Returns when allowed; otherwise throws the 401, 403 or 503 that the request filter renders. */
    private void decide(HttpServletRequest request, EdgeRules.Requirement need) {
        String requestId = RequestFilter.requestIdOf(request);
        String via = "rule:" + need.rule().id();
        Identity caller = Callers.of(request);
        String resource = need.resource().map(Object::toString).orElse(need.rule().resource().toString());
        if (caller.isAnonymous()) {
            authorizer.record(requestId, "anonymous", need.permission(), resource, false, via);
            Optional<GatewayException> storeDown = Callers.storeFailure(request);
            if (storeDown.isPresent()) {
                throw storeDown.get();
            }
            throw new GatewayException(ErrorKind.UNAUTHORIZED, "Log in, or send a valid token as 'Authorization: "
                    + "Bearer <token>': this request needs permission '" + need.permission() + "' on " + resource,
                    null, Map.of("WWW-Authenticate", "Bearer"));
        }
        boolean allowed;
        if (need.resource().isPresent()) {
            GrantSet grants = authorizer.grantsOf(request, caller);
            allowed = authorizer.decide(requestId, caller.subject(), grants, need.permission(),
                    need.resource().get(), via);
        } else {
            // A path segment that is no valid id names no resource anyone can be granted: refuse, never guess.
            authorizer.record(requestId, caller.subject(), need.permission(), resource, false, via);
            allowed = false;
        }
        if (!allowed) {
            throw new GatewayException(ErrorKind.FORBIDDEN, "This request needs permission '" + need.permission()
                    + "' on " + resource + " (rule " + need.rule().id() + ")");
        }
    }
}
