package io.renku.gateway.web;

import io.renku.gateway.auth.BearerAuthenticator;
import io.renku.gateway.authz.Authorizer;
import io.renku.gateway.config.GatewaySettings;
import io.renku.gateway.login.OidcProvider;
import io.renku.gateway.login.TokenRefresher;
import io.renku.gateway.redis.Locks;
import io.renku.gateway.session.AnonymousIds;
import io.renku.gateway.session.SignedCookieSessionIdResolver;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.ServletContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import redis.clients.jedis.UnifiedJedis;

/**
 * The shared resources of one deployment, built by {@link GatewayContextListener} and published as a servlet-context
 * attribute. Filters and servlets look it up in {@code init}; nothing is kept in static state.
 */
public record GatewayContext(GatewaySettings settings, Optional<UnifiedJedis> redis,
        SessionRepository<? extends Session> sessions, SignedCookieSessionIdResolver sessionIds, TokenCipher tokens,
        BearerAuthenticator bearer, Map<String, OidcProvider> loginProviders,
        List<ReadinessCheck> readiness, ProblemRenderer problems, Locks locks, TokenRefresher refresher,
        Authorizer authorizer, AnonymousIds anonymousIds) {
    public static final String ATTRIBUTE = GatewayContext.class.getName();

    public GatewayContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(sessionIds, "sessionIds");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(bearer, "bearer");
        loginProviders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(loginProviders));
        readiness = List.copyOf(readiness);
        Objects.requireNonNull(problems, "problems");
        Objects.requireNonNull(locks, "locks");
        Objects.requireNonNull(refresher, "refresher");
        Objects.requireNonNull(authorizer, "authorizer");
        Objects.requireNonNull(anonymousIds, "anonymousIds");
    }

    public static GatewayContext from(ServletContext servletContext) {
        Object value = servletContext.getAttribute(ATTRIBUTE);
        if (value instanceof GatewayContext context) {
            return context;
        }
        throw new IllegalStateException("GatewayContextListener has not run: check the <listener> in web.xml");
    }
}
