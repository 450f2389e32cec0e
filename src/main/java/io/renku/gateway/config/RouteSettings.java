package io.renku.gateway.config;

import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Route;
import io.renku.gateway.model.Route.Credentials;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The route table: the Go gateway's Renku routing, rebuilt from the {@code revproxy.renkuServices.*} upstreams.
 * Matching is longest prefix first, on segment boundaries, so a specific rule (the denied {@code secret_key}) always
 * beats the broader rule it sits under, whatever the order of the list. The gateway's own cookie name (as the session
 * settings give it, {@code __Host-} prefix included) travels with the table: the proxy removes it from every forwarded
 * request.
 */
public record RouteSettings(List<Route> routes, String sessionCookieName) {
    public RouteSettings {
        routes = routes.stream().sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed())
                .toList();
        if (sessionCookieName == null || sessionCookieName.isBlank()) {
            throw new IllegalArgumentException("the session cookie name is required");
        }
    }

    public static RouteSettings of(RevproxySettings revproxy, SessionSettings sessions) {
        return new RouteSettings(renkuDefaults(revproxy), sessions.effectiveCookieName());
    }

    /**
     * The Go gateway's routes. {@code /ui-server/api/*} is where the UI server's browser code calls the services; it
     * is rewritten to the service's own path so the same credentials are injected as for a direct call.
     */
    public static List<Route> renkuDefaults(RevproxySettings revproxy) {
        URI data = revproxy.dataService();
        URI keycloak = revproxy.keycloak();
        URI ui = revproxy.uiServer();
        return List.of(
                Route.forward("/api/data", data, Credentials.RENKU_BEARER),
                Route.denied("/api/data/user/secret_key"),
                Route.rewrite("/api/notebooks", data, "/api/data/notebooks", Credentials.RENKU_BEARER),
                Route.rewrite("/api/kc", keycloak, "", Credentials.BEARER_ONLY),
                Route.rewrite("/ui-server/api/data", data, "/api/data", Credentials.RENKU_BEARER),
                Route.denied("/ui-server/api/data/user/secret_key"),
                Route.rewrite("/ui-server/api/notebooks", data, "/api/data/notebooks", Credentials.RENKU_BEARER),
                Route.rewrite("/ui-server/api/kc", keycloak, "", Credentials.BEARER_ONLY),
                Route.forward("/", ui, Credentials.NONE));
    }

    /**
     * The route that serves a request, judged on {@code ruleView} (the path as an upstream may understand it: path
     * parameters removed, {@code %2F} taken as a separator) while {@code forwardPath} is what the upstream will get.
     * A deny rule matches the view whatever the letter case (a 404: denying must never be walked around by
     * {@code ;x}, {@code %2F} or {@code SECRET_KEY}). The chosen route's prefix must also be the literal start of the
     * forwarded path: {@code /api;x/data/…} or {@code /api%2Fdata/…} would otherwise be judged as one route and
     * forwarded under the rules of another, so they are a 400.
     */
    public Route resolve(String forwardPath, String ruleView) {
        for (Route route : routes) {
            if (route.deny() && route.matchesIgnoringCase(ruleView)) {
                throw GatewayException.notFound("Nothing is served at this path");
            }
        }
        Route route = routes.stream().filter(r -> !r.deny() && r.matches(ruleView)).findFirst()
                .orElseThrow(() -> GatewayException.notFound("Nothing is served at this path"));
        if (!route.matches(forwardPath)) {
            throw GatewayException.badRequest("A path parameter (;) or an encoded slash (%2F) is not allowed inside "
                    + "the route prefix " + route.prefix());
        }
        return route;
    }

    /** The most specific route for {@code path} (already normalised by the caller), if any. */
    public Optional<Route> match(String path) {
        return routes.stream().filter(r -> r.matches(path)).findFirst();
    }
}
