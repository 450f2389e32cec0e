package io.renku.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.config.TokenVerificationSettings.Verifier;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates JWT access tokens from the configured issuers: allowed asymmetric algorithm, signature against the
 * issuer's published keys, exact {@code iss}, {@code exp}/{@code nbf} with the configured skew, and {@code aud} or
 * {@code azp} in that issuer's list. Only configured issuers are ever contacted, so a token cannot make the gateway
 * fetch from a URL of its choosing.
 *
 * <p>Each issuer's discovery document is fetched on first use, not at construction, so an identity provider that is
 * down while the gateway starts does not stop the deployment; while it cannot be reached, requests get 503 (retry
 * later) rather than 401 (your token is bad). Keys are cached by Nimbus' {@link JWKSourceBuilder}, refetched when a
 * token names an unknown {@code kid} (key rotation; rate-limited so forged kids cannot flood the provider) and kept
 * through a short provider outage. Validated tokens are cached by SHA-256 for at most {@link Tuning#validatedTtl()},
 * never past their {@code exp}, so a hot token costs one map lookup.
 */
public final class JwtVerifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JwtVerifier.class.getName());

    /** Knobs that are not operator settings; tests shorten them. */
    record Tuning(Duration validatedTtl, int validatedMaxEntries, Duration discoveryRetryDelay, Duration jwksCacheTtl,
            Duration jwksRateLimit, Duration jwksOutageTolerance) {
        static final Tuning DEFAULTS = new Tuning(Duration.ofSeconds(60), 10_000, Duration.ofSeconds(5),
                Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(15));
    }

    private final Map<String, IssuerKeys> issuers = new LinkedHashMap<>();
    private final Set<JWSAlgorithm> algorithms;
    private final Clock clock;
    private final Tuning tuning;
    private final TokenCache<Identity> validated;

    public JwtVerifier(TokenVerificationSettings settings, Duration httpTimeout) {
        this(settings, httpTimeout, Clock.systemUTC(), Tuning.DEFAULTS);
    }

    JwtVerifier(TokenVerificationSettings settings, Duration httpTimeout, Clock clock, Tuning tuning) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(httpTimeout, "httpTimeout");
        if (httpTimeout.isNegative() || httpTimeout.isZero()) {
            throw new IllegalArgumentException("httpTimeout must be > 0, was " + httpTimeout);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.algorithms = settings.allowedAlgorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        for (Verifier verifier : settings.verifiers()) {
            issuers.put(verifier.issuer(), new IssuerKeys(verifier, algorithms, settings.clockSkew(), httpTimeout, clock,
                    tuning));
        }
        this.validated = new TokenCache<>(tuning.validatedMaxEntries(), clock);
    }

    /** Whether any issuer is configured; without one every JWT is refused. */
    public boolean hasIssuers() {
        return !issuers.isEmpty();
    }

    /**
     * The identity in a valid token.
     *
     * @throws GatewayException {@code INVALID_TOKEN} (401, with an RFC 6750 challenge) when the token is not
     *         acceptable; {@code SERVICE_UNAVAILABLE} (503) when the issuer's keys cannot be fetched
     */
    public Identity verify(Secret token, AuthMethod method) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(method, "method");
        String cacheKey = TokenCache.key("jwt", token);
        Optional<Identity> hit = validated.get(cacheKey);
        if (hit.isPresent()) {
            return hit.get().withMethod(method).withToken(token);
        }
        SignedJWT jwt = parse(token);
        String issuer;
        try {
            issuer = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw BearerChallenge.invalidToken("token claims are not a JSON object");
        }
        IssuerKeys keys = issuer == null ? null : issuers.get(issuer);
        if (keys == null) {
            throw BearerChallenge.invalidToken(issuer == null ? "token has no issuer" : "unknown issuer " + issuer);
        }
        JWTClaimsSet claims;
        try {
            claims = keys.processor().process(jwt, null);
        } catch (BadJWTException e) {
            // Thrown by our claims check, whose messages are written to be shown.
            throw BearerChallenge.invalidToken(e.getMessage());
        } catch (BadJOSEException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            throw BearerChallenge.invalidToken(message.contains("no matching key")
                    ? "no signing key of the issuer matches the token (unknown kid)"
                    : e instanceof BadJWSException ? "bad signature" : "token rejected");
        } catch (RateLimitReachedException e) {
            throw BearerChallenge.invalidToken("no signing key of the issuer matches the token (unknown kid)");
        } catch (KeySourceException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot fetch the signing keys of " + issuer + ": " + e.getMessage());
            throw GatewayException.unavailable("The signing keys of " + issuer + " cannot be fetched",
                    keys.retryAfterSeconds(), e);
        } catch (JOSEException e) {
            throw BearerChallenge.invalidToken("bad signature");
        }
        Identity identity = toIdentity(claims, method);
        Instant until = clock.instant().plus(tuning.validatedTtl());
        Instant expiry = identity.expiry().orElse(until);
        validated.put(cacheKey, identity, until.isBefore(expiry) ? until : expiry);
        return identity.withToken(token);
    }

    @Override
    public void close() {
        issuers.values().forEach(IssuerKeys::close);
    }

    private SignedJWT parse(Secret token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token.reveal());
        } catch (ParseException e) {
            throw BearerChallenge.invalidToken("token is not a well-formed JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw BearerChallenge.invalidToken("unsigned token (alg none) is not allowed");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
            throw BearerChallenge.invalidToken("encrypted tokens are not supported");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!algorithms.contains(alg)) {
            throw BearerChallenge.invalidToken("algorithm " + alg.getName() + " is not allowed");
        }
        return signed;
    }

    private Identity toIdentity(JWTClaimsSet claims, AuthMethod method) {
        return new Identity(claims.getSubject(), AccessTokenClaims.string(claims, "preferred_username"), AccessTokenClaims.string(claims, "name"),
                AccessTokenClaims.string(claims, "email"), claims.getIssuer(), method,
                Optional.ofNullable(claims.getExpirationTime()).map(java.util.Date::toInstant), scopes(claims),
                Optional.empty());
    }

    /** {@code scope} is a space-separated string (RFC 9068); some providers send a {@code scp} array instead. */
    private static Set<String> scopes(JWTClaimsSet claims) {
        String scope = AccessTokenClaims.string(claims, "scope");
        if (!scope.isBlank()) {
            return Set.of(scope.trim().split("\\s+")).stream().collect(Collectors.toUnmodifiableSet());
        }
        try {
            List<String> scp = claims.getStringListClaim("scp");
            return scp == null ? Set.of() : Set.copyOf(scp);
        } catch (ParseException e) {
            return Set.of();
        }
    }
}
