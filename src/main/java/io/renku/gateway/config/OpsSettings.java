package io.renku.gateway.config;

import io.renku.gateway.model.Secret;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings for running the gateway rather than for what it serves: who may scrape {@code /metrics}, how it logs,
 * which browser origins may call it (CORS), the optional rate limit, and how long a shutdown waits for requests in
 * flight.
 *
 * @param metricsToken   {@code monitoring.metricsToken}: when set, {@code /metrics} needs
 *                       {@code Authorization: Bearer <token>} from everyone; when empty, only loopback callers may scrape
 * @param logFormat      {@code logging.format}: {@code json} (one JSON object a line) or {@code text}
 * @param logLevel       {@code logging.level}: the JUL level of the gateway's own loggers
 * @param logDestination {@code logging.destination}: {@code stdout}, {@code container} (the container's own handlers
 *                       and format, e.g. WildFly's json-formatter) or a file path
 * @param accessLog      {@code logging.accessLog}: one line per request
 * @param allowOrigins   {@code server.allowOrigin}: origins allowed to call with credentials (the Go gateway's setting)
 * @param rateLimit      {@code server.rateLimit.*}: requests per second and burst, per caller; 0 switches it off
 * @param shutdownGraceSeconds {@code server.shutdownGraceSeconds}: how long an undeploy waits for requests in flight
 */
public record OpsSettings(Secret metricsToken, String logFormat, String logLevel, String logDestination,
        boolean accessLog, List<URI> allowOrigins, RateLimit rateLimit, int shutdownGraceSeconds) {
    public static final String METRICS_TOKEN = "monitoring.metricsToken";
    public static final String LOG_FORMAT = "logging.format";
    public static final String LOG_LEVEL = "logging.level";
    public static final String LOG_DESTINATION = "logging.destination";
    public static final String ACCESS_LOG = "logging.accessLog";
    public static final String ALLOW_ORIGIN = "server.allowOrigin";
    public static final String RATE_PER_SECOND = "server.rateLimit.requestsPerSecond";
    public static final String RATE_BURST = "server.rateLimit.burst";
    public static final String SHUTDOWN_GRACE = "server.shutdownGraceSeconds";
    private static final List<String> LEVELS = List.of("SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER",
            "FINEST", "ALL", "OFF");

    /** A token bucket per caller: {@code requestsPerSecond} refill, {@code burst} capacity; off when 0. */
    public record RateLimit(int requestsPerSecond, int burst) {
        public boolean enabled() {
            return requestsPerSecond > 0;
        }
    }

    public OpsSettings {
        Objects.requireNonNull(metricsToken, "metricsToken");
        allowOrigins = List.copyOf(allowOrigins);
    }

    public static OpsSettings read(SettingReader reader) {
        String format = reader.string(LOG_FORMAT, "json").toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("text")) {
            throw SettingReader.invalid(LOG_FORMAT, format, "json or text");
        }
        String level = reader.string(LOG_LEVEL, "INFO").toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw SettingReader.invalid(LOG_LEVEL, level, "one of " + String.join(", ", LEVELS));
        }
        String destination = reader.string(LOG_DESTINATION, "stdout");
        if (destination.isEmpty()) {
            throw SettingReader.invalid(LOG_DESTINATION, destination, "stdout, container or a file path");
        }
        List<URI> origins = reader.list(ALLOW_ORIGIN, List.of()).stream().map(o -> origin(o)).toList();
        int rate = reader.integer(RATE_PER_SECOND, 0, 0, 1_000_000);
        int burst = reader.integer(RATE_BURST, Math.max(1, rate * 2), 1, 10_000_000);
        return new OpsSettings(reader.secret(METRICS_TOKEN), format, level, destination,
                reader.bool(ACCESS_LOG, true), origins, new RateLimit(rate, burst),
                reader.integer(SHUTDOWN_GRACE, 20, 0, 3600));
    }

    /** An origin is scheme://host[:port], nothing more; {@code *} is refused (never with credentials). */
    private static URI origin(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw SettingReader.invalid(ALLOW_ORIGIN, text, "comma-separated origins such as https://renku.example.org");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawUserInfo() != null) {
            throw SettingReader.invalid(ALLOW_ORIGIN, text, "origins such as https://renku.example.org (scheme, host "
                    + "and port only; * is not allowed because the gateway answers with credentials)");
        }
        return URI.create(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() >= 0 ? ":" + uri.getPort() : ""));
    }
}
