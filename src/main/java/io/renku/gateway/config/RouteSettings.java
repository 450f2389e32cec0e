package io.renku.gateway.config;

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

    /** The most specific route for {@code path} (already normalised by the caller), if any. */
    public Optional<Route> match(String path) {
        return routes.stream().filter(r -> r.matches(path)).findFirst();
    }
}
