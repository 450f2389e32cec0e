package io.renku.gateway.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.renku.gateway.auth.JwtVerifier.Tuning;
import io.renku.gateway.config.TokenVerificationSettings.Verifier;
import io.renku.gateway.errors.GatewayException;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One issuer's discovery document, key source and JWT processor, built on first use rather than at startup so that an
 * identity provider that is down while the gateway deploys does not stop it. After a failed discovery, requests get
 * 503 without a new attempt until {@link Tuning#discoveryRetryDelay()} has passed, so a down provider is not hammered
 * by every request.
 */
final class IssuerKeys implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IssuerKeys.class.getName());

    private final Verifier verifier;
    private final Set<JWSAlgorithm> algorithms;
    private final Duration clockSkew;
    private final Duration httpTimeout;
    private final Clock clock;
    private final Tuning tuning;
    private volatile DefaultJWTProcessor<SecurityContext> processor;
    private JWKSource<SecurityContext> source;
    private Instant retryAfter = Instant.MIN;

    IssuerKeys(Verifier verifier, Set<JWSAlgorithm> algorithms, Duration clockSkew, Duration httpTimeout, Clock clock,
            Tuning tuning) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.algorithms = Set.copyOf(algorithms);
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.httpTimeout = Objects.requireNonNull(httpTimeout, "httpTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
    }

    /** The processor for this issuer's tokens; 503 while its discovery document cannot be fetched. */
    DefaultJWTProcessor<SecurityContext> processor() {
        DefaultJWTProcessor<SecurityContext> ready = processor;
        return ready != null ? ready : init();
    }

    private synchronized DefaultJWTProcessor<SecurityContext> init() {
        if (processor != null) {
            return processor;
        }
        Instant now = clock.instant();
        if (now.isBefore(retryAfter)) {
            throw unreachable(null);
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, httpTimeout.toMillis());
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(timeout, timeout, 512 * 1024);
        URL jwksUri;
        try {
            jwksUri = discover(retriever);
        } catch (IOException | ParseException | URISyntaxException | IllegalArgumentException e) {
            retryAfter = now.plus(tuning.discoveryRetryDelay());
            LOG.log(System.Logger.Level.WARNING, "OIDC discovery failed for " + verifier.issuer() + ": " + e);
            throw unreachable(e);
        }
        long refreshTimeout = httpTimeout.toMillis() * 2;
        // Refresh-ahead (renew keys shortly before the cache expires) needs a cache lifetime longer than its window;
        // only very short test lifetimes turn it off.
        boolean refreshAhead = tuning.jwksCacheTtl().toMillis()
                > JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME + refreshTimeout;
        source = JWKSourceBuilder.<SecurityContext>create(jwksUri, retriever)
                .cache(tuning.jwksCacheTtl().toMillis(), refreshTimeout)
                .refreshAheadCache(refreshAhead)
                .rateLimited(tuning.jwksRateLimit().toMillis())
                .retrying(true)
                .outageTolerant(tuning.jwksOutageTolerance().toMillis())
                .build();
        DefaultJWTProcessor<SecurityContext> built = new DefaultJWTProcessor<>();
        built.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
                new JOSEObjectType("application/at+jwt"), null));
        built.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, source));
        built.setJWTClaimsSetVerifier(new AccessTokenClaims(verifier, clockSkew, clock));
        processor = built;
        return built;
    }

    int retryAfterSeconds() {
        return (int) Math.max(1, tuning.discoveryRetryDelay().toSeconds());
    }

    private GatewayException unreachable(Throwable cause) {
        return GatewayException.unavailable("The identity provider " + verifier.issuer() + " is not reachable",
                retryAfterSeconds(), cause);
    }

    /** OIDC Discovery §4.3: the document's issuer must be exactly the one we asked for, else it may be a mix-up. */
    private URL discover(DefaultResourceRetriever retriever) throws IOException, ParseException, URISyntaxException {
        String issuer = verifier.issuer();
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URL discovery = new URI(base + "/.well-known/openid-configuration").toURL();
        Map<String, Object> document = JSONObjectUtils.parse(retriever.retrieveResource(discovery).getContent());
        String named = JSONObjectUtils.getString(document, "issuer");
        if (!issuer.equals(named)) {
            throw new IOException("discovery document names issuer " + named + ", expected " + issuer);
        }
        URI jwks = JSONObjectUtils.getURI(document, "jwks_uri");
        if (jwks == null || jwks.getScheme() == null
                || !(jwks.getScheme().equals("https") || jwks.getScheme().equals("http"))) {
            throw new IOException("discovery document has no http(s) jwks_uri");
        }
        return jwks.toURL();
    }

    @Override
    public synchronized void close() {
        if (source instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "Closing the key source of " + verifier.issuer(), e);
            }
        }
    }
}
