package io.renku.gateway.web;

import io.renku.gateway.auth.BearerAuthenticator;
import io.renku.gateway.authz.Authorizer;
import io.renku.gateway.config.GatewaySettings;
import io.renku.gateway.login.AuthApplication;
import io.renku.gateway.login.AuthServlet;
import io.renku.gateway.login.OidcProvider;
import io.renku.gateway.login.TokenEndpoint;
import io.renku.gateway.login.TokenRefresher;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.session.MeteredSessionRepository;
import io.renku.gateway.redis.LocalLocks;
import io.renku.gateway.saml.SamlExtension;
import io.renku.gateway.login.LoginChain;
import io.renku.gateway.login.LoginProvider;
import io.renku.gateway.proxy.IdentityAssertions;
import io.renku.gateway.proxy.JwksResource;
import io.renku.gateway.session.SessionIndex;
import io.renku.gateway.redis.Locks;
import io.renku.gateway.redis.RedisLocks;
import io.renku.gateway.redis.ShortLivedValues;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.redis.InvalidationChannel;
import io.renku.gateway.redis.RedisClients;
import io.renku.gateway.session.InMemorySessionRepository;
import io.renku.gateway.session.AnonymousIds;
import io.renku.gateway.session.RedisSessionRepository;
import io.renku.gateway.session.StoreCalls;
import io.renku.gateway.session.SessionNearCache;
import io.renku.gateway.session.SessionCookieCodec;
import io.renku.gateway.session.SignedCookieSessionIdResolver;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.time.Duration;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import redis.clients.jedis.UnifiedJedis;

/**
 * Wires the deployment: parses the settings once, builds the Redis client, and publishes a {@link GatewayContext};
 * closes everything on undeploy. A bad setting is rethrown so the container refuses to start the application, with a
 * message that names the setting.
 */
public final class GatewayContextListener implements ServletContextListener {
    private static final Logger LOG = System.getLogger(GatewayContextListener.class.getName());
    /** How long the gateway waits for an identity provider (discovery, JWKS, introspection) before answering 503. */
    private static final Duration IDP_TIMEOUT = Duration.ofSeconds(5);
    /** After a failed discovery of a login provider, logins fail fast for this long before it is asked again. */
    private static final Duration DISCOVERY_RETRY_DELAY = Duration.ofSeconds(5);

    /** How often the near cache's invalidation channel pings Redis; three silent intervals mean it is dead. */
    private static final long INVALIDATION_HEARTBEAT_MILLIS = 250;
    private LogSetup logs;
    private InvalidationChannel invalidations;
    private final Lifecycle lifecycle = new Lifecycle();
    private Thread shutdownHook;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext servletContext = event.getServletContext();
        GatewaySettings settings;
        try {
            settings = GatewaySettings.read(SettingsSource.standard(servletContext::getInitParameter));
        } catch (InvalidSettingException e) {
            LOG.log(Level.ERROR, "Gateway not started: invalid setting: " + e.getMessage());
            throw e;
        }
        logs = LogSetup.apply(settings.ops());
        Duration grace = Duration.ofSeconds(settings.ops().shutdownGraceSeconds());
        servletContext.setAttribute(Lifecycle.ATTRIBUTE, lifecycle);
        // The JVM is stopping (SIGTERM to the container): drain at once, while the container pauses its connectors.
        shutdownHook = new Thread(() -> lifecycle.drain(grace), "gateway-drain");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        GatewayMetrics metrics = GatewayMetrics.prometheus();
        servletContext.setAttribute(GatewayMetrics.ATTRIBUTE, metrics);
        // Before Redis and the identity providers: a policy file that cannot be used stops the deployment here.
        Authorizer authorizer;
        try {
            authorizer = Authorizer.fromSettings(settings.authz(), Clock.systemUTC(), metrics);
        } catch (IllegalStateException e) {
            LOG.log(Level.ERROR, "Gateway not started: " + e.getMessage());
            throw e;
        }
        List<ReadinessCheck> checks = new ArrayList<>();
        Optional<UnifiedJedis> redis = Optional.empty();
        SessionRepository<? extends Session> sessions;
        if (settings.redis().enabled()) {
            UnifiedJedis jedis;
            try {
                jedis = RedisClients.create(settings.redis());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "Gateway not started: Redis: " + e.getMessage());
                throw e;
            }
            redis = Optional.of(jedis);
            SessionNearCache nearCache = null;
            // On Cluster the invalidation reaches the node a replica listens on over the cluster bus, after the
            // writer's acknowledgement (ReplicaClusterIT saw a logout served stale on the other replica): no near
            // cache there until a replica listens on every primary.
            if (settings.nearCache().enabled() && settings.redis().cluster()) {
                LOG.log(Level.INFO, "Near cache of sessions is off on Redis Cluster: every lookup reads Redis");
            }
            if (settings.nearCache().enabled() && !settings.redis().cluster()) {
                nearCache = new SessionNearCache(settings.nearCache().maxEntries(),
                        Duration.ofSeconds(settings.nearCache().maxAgeSeconds()));
                invalidations = new InvalidationChannel(RedisClients.subscriberNode(jedis, settings.redis()),
                        RedisClients.subscriberConfig(settings.redis()),
                        RedisSessionRepository.invalidationChannel(settings.redis().keyNamespace()), nearCache,
                        INVALIDATION_HEARTBEAT_MILLIS);
                nearCache.quietWhen(invalidations::quiet);
                invalidations.start();
                SessionNearCache cache = nearCache;
                metrics.nearCache(cache, SessionNearCache::hits, SessionNearCache::misses, SessionNearCache::size,
                        c -> c.live() ? 1 : 0);
                LOG.log(Level.INFO, "Near cache of sessions: up to " + settings.nearCache().maxEntries()
                        + " sessions for at most " + settings.nearCache().maxAgeSeconds() + " s, invalidated through "
                        + "Redis pub/sub");
            }
            // Only calls that reach Redis are timed: a near-cache hit is none (the cache counts its own hits).
            StoreCalls redisCalls = (operation, ok, nanos) -> metrics.sessionStore("redis", operation, ok, nanos);
            sessions = new MeteredSessionRepository<>(RedisSessionRepository.of(jedis, settings.redis().keyNamespace(),
                    settings.sessions(), nearCache).observedBy(redisCalls), metrics, "redis", StoreCalls.NONE);
            metrics.gauge("gateway.redis.keys", "Keys in the gateway's Redis database (sessions, their index, locks; "
                    + "approximate, read at most every 30 s)", new CachedCount(() -> jedis.dbSize()),
                    CachedCount::value);
            checks.add(new RedisReadiness(jedis, settings.redis().addresses().stream().map(Object::toString)
                    .collect(java.util.stream.Collectors.joining(","))));
            LOG.log(Level.INFO, "Sessions are kept in Redis at " + settings.redis().addresses());
        } else {
            InMemorySessionRepository memory = InMemorySessionRepository.of(settings.sessions());
            metrics.gauge("gateway.sessions.live", "Sessions held in memory on this node", memory,
                    InMemorySessionRepository::size);
            sessions = new MeteredSessionRepository<>(memory, metrics, "memory");
            LOG.log(Level.WARNING, "redis.addresses is not set: sessions are kept in memory on this node only; "
                    + "they are lost on restart and not shared with other replicas");
        }
        Map<String, OidcProvider> loginProviders = new LinkedHashMap<>();
        for (var provider : settings.login().providers().values()) {
            OidcProvider oidc = new OidcProvider(provider, settings.tokens().allowedAlgorithms(),
                    settings.tokens().clockSkew(), IDP_TIMEOUT, DISCOVERY_RETRY_DELAY, Clock.systemUTC());
            loginProviders.put(provider.id(), oidc);
            checks.add(oidc);
        }
        SamlExtension saml;
        try {
            saml = new SamlExtension(settings.login().samlProviders().values(), settings.tokens().clockSkew(),
                    IDP_TIMEOUT, DISCOVERY_RETRY_DELAY, Clock.systemUTC(), sessions::deleteById);
        } catch (InvalidSettingException e) {
            LOG.log(Level.ERROR, "Gateway not started: invalid setting: " + e.getMessage());
            throw e;
        }
        saml.providers().values().forEach(checks::add);
        TokenCipher cipher = TokenCipher.of(settings.sessions());
        Locks locks = redis.<Locks>map(r -> new RedisLocks(r, settings.redis().keyNamespace()))
                .orElseGet(LocalLocks::new);
        ShortLivedValues handoff = redis.map(r -> ShortLivedValues.redis(r, settings.redis().keyNamespace()))
                .orElseGet(ShortLivedValues::local);
        List<TokenEndpoint> exchanged = settings.login().samlProviders().values().stream()
                .filter(p -> p.tokenEndpoint().isPresent())
                .map(p -> new TokenEndpoint(p.id(), () -> p.tokenEndpoint().get(), p.clientId(), p.clientSecret(),
                        IDP_TIMEOUT))
                .toList();
        TokenRefresher refresher = new TokenRefresher(loginProviders, exchanged,
                settings.login().defaultChain().get(0), new SessionTokens(cipher), locks, handoff, cipher, settings.refresh().skew(),
                IDP_TIMEOUT.multipliedBy(2).plusSeconds(2), Clock.systemUTC(), metrics);
        GatewayContext context = new GatewayContext(settings, redis, sessions,
                new SignedCookieSessionIdResolver(SessionCookieCodec.of(settings.sessions()), settings.sessions()),
                cipher, BearerAuthenticator.fromSettings(settings.tokens(), IDP_TIMEOUT),
                loginProviders,
                checks, new ProblemRenderer(), locks, refresher, authorizer, AnonymousIds.of(settings.sessions()));
        servletContext.setAttribute(GatewayContext.ATTRIBUTE, context);
        List<AuthApplication.Extension> extensions = new ArrayList<>(List.of(saml));
        if (settings.identityAssertion().enabled()) {
            IdentityAssertions assertions;
            try {
                assertions = new IdentityAssertions(settings.identityAssertion(), settings.login().renkuBaseUrl(),
                        Clock.systemUTC());
            } catch (InvalidSettingException e) {
                LOG.log(Level.ERROR, "Gateway not started: invalid setting: " + e.getMessage());
                throw e;
            }
            servletContext.setAttribute(IdentityAssertions.ATTRIBUTE, assertions);
            extensions.add(new AuthApplication.Extension() {
                @Override
                public Map<String, ? extends LoginProvider> providers() {
                    return Map.of();
                }

                @Override
                public List<Object> resources(LoginChain chain, SessionIndex index, SessionTokens tokens) {
                    return List.of(new JwksResource(assertions));
                }
            });
        }
        ServletRegistration.Dynamic auth = servletContext.addServlet("auth",
                new AuthServlet(new AuthApplication(context, metrics, extensions)));
        auth.addMapping(settings.login().loginRoutesBasePath() + "/*");
        auth.setLoadOnStartup(1);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object value = event.getServletContext().getAttribute(GatewayContext.ATTRIBUTE);
        if (value instanceof GatewayContext gateway) {
            boolean finished = lifecycle.drain(Duration.ofSeconds(gateway.settings().ops().shutdownGraceSeconds()));
            LOG.log(finished ? Level.INFO : Level.WARNING, finished ? "Stopped: no request was in flight"
                    : "Stopping with " + lifecycle.inFlight() + " request(s) still in flight after the grace period");
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran: nothing to remove
            }
        }
        event.getServletContext().removeAttribute(GatewayContext.ATTRIBUTE);
        if (value instanceof GatewayContext context) {
            context.bearer().close();
            context.loginProviders().values().forEach(OidcProvider::close);
            context.locks().close();
            if (invalidations != null) {
                invalidations.close();
            }
            context.redis().ifPresent(UnifiedJedis::close);
        }
        if (logs != null) {
            logs.close();
        }
    }

    private record RedisReadiness(UnifiedJedis jedis, String where) implements ReadinessCheck {
        @Override
        public String name() {
            return "redis " + where;
        }

        @Override
        public void probe() {
            jedis.ping();
        }
    }
}
