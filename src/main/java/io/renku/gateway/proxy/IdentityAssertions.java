package io.renku.gateway.proxy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.config.IdentityAssertionSettings;
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Identity;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs the {@code Renku-Auth-Identity} JWT that tells an upstream who the caller is when no identity provider's token
 * does (a SAML-only user has no Keycloak token). Claims: {@code iss} = {@code login.renkuBaseURL}, {@code aud} = the
 * route's upstream origin, {@code sub}, {@code name}, {@code email}, {@code preferred_username}, {@code idp} (the
 * issuer that vouched for the user), {@code login_provider}, {@code scope}, {@code roles}, {@code iat}, {@code exp}
 * ({@link #LIFETIME} after {@code iat}). The public keys are served as a JWK Set ({@link #publicKeys()}).
 *
 * <p>Signing is kept off the hot path: an assertion is cached per caller and audience and reused until
 * {@link #REUSE_MARGIN} before it expires. The cache is bounded and simply emptied when full (entries live at most a
 * minute anyway).
 */
public final class IdentityAssertions {
    public static final String ATTRIBUTE = IdentityAssertions.class.getName();
    public static final String HEADER = "Renku-Auth-Identity";
    static final Duration LIFETIME = Duration.ofSeconds(60);
    static final Duration REUSE_MARGIN = Duration.ofSeconds(15);
    private static final int MAX_CACHED = 10_000;

    private final JWK signingKey;
    private final JWSSigner signer;
    private final JWSAlgorithm algorithm;
    private final JWKSet publicKeys;
    private final String issuer;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(String jwt, Instant reuseUntil) {
    }

    /** What the upstream learns besides the identity itself. */
    public record Caller(Identity identity, String loginProvider, List<String> roles) {
        public Caller {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(loginProvider, "loginProvider");
            roles = List.copyOf(roles);
        }
    }

    public IdentityAssertions(IdentityAssertionSettings settings, URI issuer, Clock clock) {
        this.issuer = withoutTrailingSlash(issuer.toString());
        this.clock = Objects.requireNonNull(clock, "clock");
        List<JWK> keys;
        try {
            String text = settings.signingKeys().reveal().trim();
            keys = text.contains("\"keys\"") ? JWKSet.parse(text).getKeys() : List.of(JWK.parse(text));
        } catch (ParseException e) {
            throw invalid("it is not a JWK or JWK Set (JSON)");
        }
        if (keys.isEmpty() || keys.stream().anyMatch(k -> !k.isPrivate() || k.getKeyID() == null)) {
            throw invalid("every key must be a private key with a kid");
        }
        signingKey = keys.get(0);
        try {
            if (signingKey instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                signer = new ECDSASigner(ec);
                algorithm = JWSAlgorithm.ES256;
            } else if (signingKey instanceof RSAKey rsa && rsa.size() >= 2048) {
                signer = new RSASSASigner(rsa);
                algorithm = JWSAlgorithm.RS256;
            } else {
                throw invalid("the first key must be an EC P-256 key (ES256) or an RSA key of at least 2048 bits "
                        + "(RS256)");
            }
        } catch (JOSEException e) {
            throw invalid("the first key cannot sign");
        }
        publicKeys = new JWKSet(keys).toPublicJWKSet();
    }

    private static InvalidSettingException invalid(String why) {
        return new InvalidSettingException(IdentityAssertionSettings.SIGNING_KEY,
                IdentityAssertionSettings.SIGNING_KEY + " cannot be used: " + why);
    }

    /**
     * The claims' source for {@code identity}: a session caller's login provider and roles (a SAML IdP's
     * {@code Role}, {@code roles} and {@code groups} attributes); Bearer and Basic callers have none.
     */
    public static Caller callerOf(jakarta.servlet.http.HttpServletRequest request, Identity identity) {
        jakarta.servlet.http.HttpSession session = identity.method() == io.renku.gateway.model.AuthMethod.SESSION
                ? request.getSession(false) : null;
        if (session == null) {
            return new Caller(identity, identity.method().name().toLowerCase(java.util.Locale.ROOT), List.of());
        }
        java.util.Map<String, List<String>> attributes = io.renku.gateway.session.SessionUser.attributes(session);
        List<String> roles = new java.util.ArrayList<>();
        for (String name : List.of("Role", "roles", "groups")) {
            roles.addAll(attributes.getOrDefault(name, List.of()));
        }
        return new Caller(identity, io.renku.gateway.session.SessionUser.provider(session).orElse("session"), roles);
    }

    /** The {@code aud} of an upstream: its origin, {@code scheme://host[:port]}. */
    public static String audience(URI upstream) {
        return GatewayProxyServlet.origin(upstream);
    }

    /** The JWK Set upstreams verify with (public parts only). */
    public JWKSet publicKeys() {
        return publicKeys;
    }

    /** The assertion for {@code caller} towards {@code audience} (an upstream origin), from the cache when fresh. */
    public String assertion(Caller caller, String audience) {
        Identity id = caller.identity();
        String key = String.join("\n", audience, id.issuer(), id.subject(), id.method().name(), caller.loginProvider(),
                id.name(), id.email(), id.preferredUsername(), String.join(" ", id.scopes().stream().sorted().toList()),
                String.join(" ", caller.roles()));
        Instant now = clock.instant();
        Cached cached = cache.get(key);
        if (cached != null && now.isBefore(cached.reuseUntil())) {
            return cached.jwt();
        }
        String jwt = sign(caller, audience, now);
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Cached(jwt, now.plus(LIFETIME).minus(REUSE_MARGIN)));
        return jwt;
    }

    private String sign(Caller caller, String audience, Instant now) {
        Identity id = caller.identity();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(id.subject())
                .claim("name", id.name()).claim("email", id.email())
                .claim("preferred_username", id.preferredUsername()).claim("idp", id.issuer())
                .claim("login_provider", caller.loginProvider())
                .claim("scope", String.join(" ", id.scopes().stream().sorted().toList()))
                .claim("roles", caller.roles()).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(signingKey.getKeyID()).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the identity assertion", e);
        }
        return jwt.serialize();
    }

    private static String withoutTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
