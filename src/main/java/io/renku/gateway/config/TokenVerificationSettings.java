package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Authorization: Bearer} / {@code Basic} tokens the gateway accepts, read once at startup.
 *
 * <p>{@code sessions.authorizationVerifiers} keeps the Go gateway's idea of a list of (issuer, audience) pairs, written
 * as a comma-separated list of {@code issuer|audience}, for example
 * {@code https://kc/realms/renku|renku,https://kc/realms/renku|renku-cli}. Pairs with the same issuer are merged: a
 * token from that issuer is accepted when its {@code aud} or its {@code azp} is one of the audiences. The issuer is
 * compared with the token's {@code iss} exactly (no trailing-slash folding), as OIDC requires, and its keys are found
 * through {@code issuer + "/.well-known/openid-configuration"}.
 *
 * <p>{@code sessions.allowedAlgorithms} only admits asymmetric JWS algorithms: {@code none} would accept unsigned
 * tokens, and an {@code HS*} algorithm would let anyone who knows the issuer's <em>public</em> key forge tokens
 * (algorithm confusion), so both are refused at startup.
 *
 * <p>{@code sessions.introspection} lists ids of providers whose tokens are opaque and are checked by RFC 7662
 * introspection; each id has its own keys (like {@code login.providers.<id>.*}):
 * {@code sessions.introspection.<id>.issuer} (what {@link io.renku.gateway.model.Identity#issuer()} reports; defaults
 * to the id), {@code .endpoint} (required, http(s) URL), {@code .clientID} (required) and {@code .clientSecret}
 * (required, a secret: never echoed). Answers are cached for {@code sessions.introspectionCacheSeconds}, never beyond
 * the token's own expiry.
 */
public record TokenVerificationSettings(List<Verifier> verifiers, Duration clockSkew, Set<String> allowedAlgorithms,
        List<IntrospectionProvider> introspection, Duration introspectionCacheTtl) {

    public static final String AUTHORIZATION_VERIFIERS = "sessions.authorizationVerifiers";
    public static final String TOKEN_CLOCK_SKEW_SECONDS = "sessions.tokenClockSkewSeconds";
    public static final String ALLOWED_ALGORITHMS = "sessions.allowedAlgorithms";
    public static final String INTROSPECTION = "sessions.introspection";
    public static final String INTROSPECTION_CACHE_SECONDS = "sessions.introspectionCacheSeconds";
    /** Per-provider keys are {@code INTROSPECTION + "." + id + "." + one of these}. */
    public static final String INTROSPECTION_ISSUER = "issuer";
    public static final String INTROSPECTION_ENDPOINT = "endpoint";
    public static final String INTROSPECTION_CLIENT_ID = "clientID";
    public static final String INTROSPECTION_CLIENT_SECRET = "clientSecret";

    /** Asymmetric JWS algorithms, as spelled in a JWS {@code alg} header. */
    public static final List<String> ASYMMETRIC_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384",
            "PS512", "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519");
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256", "PS256");

    private static final Pattern PROVIDER_ID = Pattern.compile("[A-Za-z0-9_-]+");

    public TokenVerificationSettings {
        verifiers = List.copyOf(verifiers);
        Objects.requireNonNull(clockSkew, "clockSkew");
        allowedAlgorithms = Set.copyOf(allowedAlgorithms);
        introspection = List.copyOf(introspection);
        Objects.requireNonNull(introspectionCacheTtl, "introspectionCacheTtl");
    }

    /** One trusted issuer of JWT access tokens and the audiences ({@code aud} or {@code azp}) accepted from it. */
    public record Verifier(String issuer, List<String> audiences) {
        public Verifier {
            Objects.requireNonNull(issuer, "issuer");
            audiences = List.copyOf(audiences);
        }
    }

    /** A provider of opaque tokens checked by RFC 7662 introspection with {@code client_secret_basic}. */
    public record IntrospectionProvider(String id, String issuer, URI endpoint, String clientId, Secret clientSecret) {
        public IntrospectionProvider {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
        }
    }

    public static TokenVerificationSettings read(SettingReader reader) {
        return new TokenVerificationSettings(verifiers(reader),
                Duration.ofSeconds(reader.integer(TOKEN_CLOCK_SKEW_SECONDS, 30, 0, 600)), algorithms(reader),
                introspection(reader), Duration.ofSeconds(reader.integer(INTROSPECTION_CACHE_SECONDS, 30, 0, 3600)));
    }

    /** The per-provider setting name, e.g. {@code sessions.introspection.gitlab.clientSecret}. */
    public static String introspectionKey(String id, String key) {
        return INTROSPECTION + "." + id + "." + key;
    }

    private static List<Verifier> verifiers(SettingReader reader) {
        Map<String, List<String>> byIssuer = new LinkedHashMap<>();
        String allowed = "a comma-separated list of issuer|audience, e.g. https://kc/realms/renku|renku";
        for (String pair : reader.list(AUTHORIZATION_VERIFIERS, List.of())) {
            String[] parts = pair.split("\\|", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw SettingReader.invalid(AUTHORIZATION_VERIFIERS, pair, allowed);
            }
            checkHttpUrl(AUTHORIZATION_VERIFIERS, parts[0], pair);
            List<String> audiences = byIssuer.computeIfAbsent(parts[0], k -> new ArrayList<>());
            if (!audiences.contains(parts[1])) {
                audiences.add(parts[1]);
            }
        }
        return byIssuer.entrySet().stream().map(e -> new Verifier(e.getKey(), e.getValue())).toList();
    }

    private static Set<String> algorithms(SettingReader reader) {
        Set<String> result = new LinkedHashSet<>();
        for (String alg : reader.list(ALLOWED_ALGORITHMS, DEFAULT_ALGORITHMS)) {
            String upper = alg.toUpperCase(Locale.ROOT);
            if (upper.equals("NONE")) {
                throw new InvalidSettingException(ALLOWED_ALGORITHMS, ALLOWED_ALGORITHMS + " must not contain 'none': "
                        + "it would accept unsigned tokens; allowed are " + String.join(", ", ASYMMETRIC_ALGORITHMS));
            }
            if (upper.startsWith("HS")) {
                throw new InvalidSettingException(ALLOWED_ALGORITHMS, ALLOWED_ALGORITHMS + " must not contain '" + alg
                        + "': a shared-secret algorithm would let anyone holding the issuer's public key forge "
                        + "tokens; allowed are " + String.join(", ", ASYMMETRIC_ALGORITHMS));
            }
            if (!ASYMMETRIC_ALGORITHMS.contains(alg)) {
                throw SettingReader.invalid(ALLOWED_ALGORITHMS, alg,
                        "a comma-separated list of " + String.join(", ", ASYMMETRIC_ALGORITHMS));
            }
            result.add(alg);
        }
        return result;
    }

    private static List<IntrospectionProvider> introspection(SettingReader reader) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : reader.list(INTROSPECTION, List.of())) {
            if (!PROVIDER_ID.matcher(id).matches() || !ids.add(id)) {
                throw SettingReader.invalid(INTROSPECTION, id,
                        "a comma-separated list of distinct provider ids made of letters, digits, '-' and '_'");
            }
        }
        List<IntrospectionProvider> providers = new ArrayList<>();
        for (String id : ids) {
            String endpointKey = introspectionKey(id, INTROSPECTION_ENDPOINT);
            URI endpoint = reader.httpUrl(endpointKey, null);
            if (endpoint == null) {
                reader.required(endpointKey);
            }
            String clientId = reader.required(introspectionKey(id, INTROSPECTION_CLIENT_ID));
            String secretKey = introspectionKey(id, INTROSPECTION_CLIENT_SECRET);
            Secret secret = reader.secret(secretKey);
            if (secret.isEmpty()) {
                reader.required(secretKey);
            }
            providers.add(new IntrospectionProvider(id, reader.string(introspectionKey(id, INTROSPECTION_ISSUER), id),
                    endpoint, clientId, secret));
        }
        return providers;
    }

    private static void checkHttpUrl(String name, String url, String shownValue) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw SettingReader.invalid(name, shownValue, "issuer|audience where the issuer is an http(s) URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw SettingReader.invalid(name, shownValue,
                    "issuer|audience where the issuer is an http(s) URL with a host and no user-info, query or fragment");
        }
    }
}
