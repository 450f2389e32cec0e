package io.renku.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.ServletContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's meters, on Micrometer, in one place so every name and label is decided here: Prometheus conventions
 * ({@code _seconds}, {@code _total}), and only low-cardinality labels (a route prefix, a method class, a status
 * class, a provider id, an outcome), never a path with ids, a user or a token. Recording is a lock-free Micrometer
 * call; {@code /metrics} renders the registry on the scraper's thread ({@code web/MetricsServlet}).
 *
 * <p>Published as a servlet-context attribute by the context listener; a job package records through the typed
 * methods below and never builds a meter name itself.
 */
public final class GatewayMetrics {
    public static final String ATTRIBUTE = GatewayMetrics.class.getName();
    /** Latency buckets for requests and store calls: from a near-cache hit to a slow upstream. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Supplier<String> scrape;
    /**
     * The meters recorded on every request, found by their labels in a map of our own: Micrometer's registry lookup
     * builds and hashes a meter id with its tags on each call, which showed in the request path's profile.
     */
    private final Map<List<String>, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstreamTimers = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> storeTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> lookupCounters = new ConcurrentHashMap<>();

    private GatewayMetrics(MeterRegistry registry, Supplier<String> scrape) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.scrape = scrape;
    }

    /** The deployment's registry, Prometheus format, with the JVM's own meters bound. */
    public static GatewayMetrics prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        bindTomcat(registry);
        return new GatewayMetrics(registry, registry::scrape);
    }

    /**
     * Tomcat's thread-pool, connection and request-processor gauges ({@code tomcat_threads_busy_threads}, …) through
     * Micrometer's {@code TomcatMetrics}, which reads Tomcat's own JMX beans. Bound by reflection because its
     * constructor names a Tomcat type the WAR does not compile against; on another container the type is missing and
     * nothing is bound.
     */
    private static void bindTomcat(MeterRegistry registry) {
        try {
            Class<?> manager = Class.forName("org.apache.catalina.Manager", false,
                    GatewayMetrics.class.getClassLoader());
            Object binder = Class.forName("io.micrometer.core.instrument.binder.tomcat.TomcatMetrics")
                    .getConstructor(manager, Iterable.class).newInstance(null, java.util.List.of());
            ((io.micrometer.core.instrument.binder.MeterBinder) binder).bindTo(registry);
        } catch (ReflectiveOperationException | LinkageError notTomcat) {
            // WildFly and others: their own management interfaces expose the container's pools
        }
    }

    /** A registry that only counts, for unit tests and components built without a deployment. */
    public static GatewayMetrics inMemory() {
        return new GatewayMetrics(new SimpleMeterRegistry(), () -> "");
    }

    /** The deployment's metrics, or an in-memory set when the listener published none (a component test). */
    public static GatewayMetrics of(ServletContext context) {
        return context != null && context.getAttribute(ATTRIBUTE) instanceof GatewayMetrics m ? m : inMemory();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return scrape.get();
    }

    /** One answered request: {@code route} is a route prefix or an endpoint group, never the path itself. */
    public void request(String route, String method, int status, long nanos) {
        requestTimers.computeIfAbsent(List.of(route, methodClass(method), statusClass(status)),
                labels -> Timer.builder("gateway.requests").description("Requests answered by the gateway")
                        .tag("route", labels.get(0)).tag("method", labels.get(1)).tag("status", labels.get(2))
                        .serviceLevelObjectives(BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Time the upstream took to answer (up to its status and headers). */
    public void upstream(String route, long nanos) {
        upstreamTimers.computeIfAbsent(route, r -> Timer.builder("gateway.upstream.requests")
                .description("Proxied requests, until the upstream's answer began").tag("route", r)
                .serviceLevelObjectives(BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An upstream that refused, reset, timed out or had no free connection ({@code kind}: the problem's slug). */
    public void upstreamError(String route, String kind) {
        Counter.builder("gateway.upstream.errors").description("Upstream failures by route and kind")
                .tag("route", route).tag("kind", kind).register(registry).increment();
    }

    /** One call to the session store ({@code store}: redis or memory; {@code operation}: read, save, delete). */
    public void sessionStore(String store, String operation, boolean ok, long nanos) {
        storeTimers.computeIfAbsent(List.of(store, operation, ok ? "ok" : "error"), labels -> Timer.builder(
                "gateway.session.store").description("Session store calls (Redis commands when on Redis)")
                .tag("store", labels.get(0)).tag("operation", labels.get(1)).tag("outcome", labels.get(2))
                .serviceLevelObjectives(BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A session looked up by its cookie: {@code result} is store (read from the store), absent, or a cache result. */
    public void sessionLookup(String result) {
        lookupCounters.computeIfAbsent(result, r -> Counter.builder("gateway.session.lookups")
                .description("Session lookups by cookie, by result").tag("result", r).register(registry)).increment();
    }

    /** A finished login step ({@code outcome}: success, or the problem slug of its failure). */
    public void login(String provider, String outcome) {
        Counter.builder("gateway.logins").description("Login steps by provider and outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry).increment();
    }

    /** A token refresh that was due ({@code outcome}: renewed, refused, failed). */
    public void refresh(String provider, String outcome) {
        Counter.builder("gateway.token.refreshes").description("Token refreshes by provider and outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry).increment();
    }

    /** A back-channel logout request ({@code outcome}: accepted or refused). */
    public void backchannelLogout(String outcome, int sessionsEnded) {
        Counter.builder("gateway.backchannel.logouts").description("Back-channel logout requests by outcome")
                .tag("outcome", outcome).register(registry).increment();
        Counter.builder("gateway.backchannel.sessions.ended").description("Sessions ended by back-channel logouts")
                .register(registry).increment(sessionsEnded);
    }

    /** An authorization decision ({@code result}: allowed or denied; {@code source}: edge or rpc). */
    public void decision(String source, boolean allowed) {
        Counter.builder("gateway.authz.decisions").description("Authorization decisions by source and result")
                .tag("source", source).tag("result", allowed ? "allowed" : "denied").register(registry).increment();
    }

    /** A rate-limit decision ({@code result}: allowed, limited, or failopen when its store could not be asked). */
    public void rateLimit(String result) {
        Counter.builder("gateway.ratelimit.decisions").description("Rate-limit decisions by result")
                .tag("result", result).register(registry).increment();
    }

    /**
     * The near cache of sessions: {@code gateway_session_nearcache_total{result="hit"|"miss"}}, its size and whether
     * its invalidation channel is live (1) or the cache is bypassed (0).
     */
    public <T> void nearCache(T cache, ToDoubleFunction<T> hits, ToDoubleFunction<T> misses, ToDoubleFunction<T> size,
            ToDoubleFunction<T> live) {
        FunctionCounter.builder("gateway.session.nearcache", cache, hits).description("Near-cache lookups by result")
                .tag("result", "hit").register(registry);
        FunctionCounter.builder("gateway.session.nearcache", cache, misses).description("Near-cache lookups by result")
                .tag("result", "miss").register(registry);
        Gauge.builder("gateway.session.nearcache.size", cache, size).description("Sessions in the near cache")
                .register(registry);
        Gauge.builder("gateway.session.nearcache.live", cache, live)
                .description("1 while the near cache hears Redis invalidations and serves, 0 while it is bypassed")
                .register(registry);
    }

    /** A gauge read from {@code target} at scrape time; the registry holds {@code target} weakly, the caller strongly. */
    public <T> void gauge(String name, String description, T target, ToDoubleFunction<T> value) {
        Gauge.builder(name, target, value).description(description).register(registry);
    }

    static String methodClass(String method) {
        return switch (method == null ? "" : method) {
            case "GET", "HEAD", "OPTIONS" -> "read";
            case "POST", "PUT", "PATCH", "DELETE" -> "write";
            default -> "other";
        };
    }

    static String statusClass(int status) {
        return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
    }
}
