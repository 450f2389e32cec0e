package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The login chain: where its routes live, the origin users come back to, the identity providers in the order a login
 * visits them, and which other places a login may end at. Names follow the Go gateway ({@code login.renkuBaseURL},
 * {@code login.providers.<id>.issuer|clientID|clientSecret|scopes|usePKCE|callbackURI}).
 *
 * <p>Security notes: {@code renkuBaseURL} is the only origin a login may return to besides the exact entries of
 * {@code allowedRedirectURLs}, which is what stops the login from being an open redirect. PKCE is on by default
 * (RFC 9700 §2.1.1); switching it off is allowed only for a provider that cannot do it. Every provider must ask for
 * the {@code openid} scope, because the gateway only trusts a login whose ID token it has validated.
 */
public record LoginSettings(String loginRoutesBasePath, URI renkuBaseUrl, List<String> defaultChain,
        Map<String, Provider> providers, List<URI> allowedRedirectUrls, long stateTtlSeconds,
        List<String> additionalProviders, Map<String, SamlProviderSettings> samlProviders) {
    public static final String LOGIN_ROUTES_BASE_PATH = "login.loginRoutesBasePath";
    public static final String RENKU_BASE_URL = "login.renkuBaseURL";
    public static final String PROVIDERS = "login.providers";
    public static final String ALLOWED_REDIRECT_URLS = "login.allowedRedirectURLs";
    public static final String STATE_TTL_SECONDS = "login.stateTTLSeconds";
    public static final String ISSUER = "issuer";
    public static final String CLIENT_ID = "clientID";
    public static final String CLIENT_SECRET = "clientSecret";
    public static final String SCOPES = "scopes";
    public static final String USE_PKCE = "usePKCE";
    public static final String CALLBACK_URI = "callbackURI";
    public static final String ADDITIONAL_PROVIDERS = "login.additionalProviders";
    public static final String TYPE = "type";
    public static final String TYPE_OIDC = "oidc";

    public static final List<String> DEFAULT_PROVIDERS = List.of("renku", "gitlab");
    public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");
    public static final long DEFAULT_STATE_TTL_SECONDS = 600;
    private static final String PROVIDER_ID = "[A-Za-z0-9_-]{1,32}";

    /** One identity provider of the chain. A blank {@code clientSecret} makes it a public client (PKCE only). */
    public record Provider(String id, URI issuer, String clientId, Secret clientSecret, List<String> scopes,
            boolean usePkce, URI callbackUri) {
        public Provider {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            scopes = List.copyOf(scopes);
            Objects.requireNonNull(callbackUri, "callbackUri");
        }
    }

    public LoginSettings {
        Objects.requireNonNull(loginRoutesBasePath, "loginRoutesBasePath");
        Objects.requireNonNull(renkuBaseUrl, "renkuBaseUrl");
        defaultChain = List.copyOf(defaultChain);
        providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        allowedRedirectUrls = List.copyOf(allowedRedirectUrls);
        additionalProviders = List.copyOf(additionalProviders);
        samlProviders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(samlProviders));
        for (String id : defaultChain) {
            if (!providers.containsKey(id) && !samlProviders.containsKey(id)) {
                throw new IllegalArgumentException("every provider of the default chain must be configured");
            }
        }
    }

    /** The settings of the default chain alone, OIDC providers only (tests of the OIDC login use it). */
    public LoginSettings(String loginRoutesBasePath, URI renkuBaseUrl, List<String> defaultChain,
            Map<String, Provider> providers, List<URI> allowedRedirectUrls, long stateTtlSeconds) {
        this(loginRoutesBasePath, renkuBaseUrl, defaultChain, providers, allowedRedirectUrls, stateTtlSeconds,
                List.of(), Map.of());
    }

    /** Every configured provider id: the default chain, then the additional providers. */
    public List<String> allProviders() {
        List<String> all = new ArrayList<>(defaultChain);
        additionalProviders.stream().filter(id -> !all.contains(id)).forEach(all::add);
        return List.copyOf(all);
    }

    /**
     * Whether a login chain that starts with {@code id} says who the user is (and so starts from a fresh session):
     * the first provider of {@code login.providers} and every additional provider (alternative ways to log in), not
     * the later steps of the default chain such as {@code gitlab}, which only add their tokens.
     */
    public boolean identifiesUser(String id) {
        return defaultChain.get(0).equals(id) || additionalProviders.contains(id);
    }

    /** The name of a provider's setting, e.g. {@code login.providers.renku.issuer}. */
    public static String providerKey(String id, String key) {
        return PROVIDERS + "." + id + "." + key;
    }

    public static LoginSettings read(SettingReader reader) {
        String base = reader.string(LOGIN_ROUTES_BASE_PATH, "/api/auth");
        if (!base.matches("(/[A-Za-z0-9_-]+)+")) {
            throw SettingReader.invalid(LOGIN_ROUTES_BASE_PATH, base,
                    "an absolute path without a trailing slash, made of letters, digits, '_' and '-' (e.g. /api/auth)");
        }
        reader.required(RENKU_BASE_URL);
        URI renku = origin(reader, RENKU_BASE_URL, reader.httpUrl(RENKU_BASE_URL, null));
        List<String> chain = reader.list(PROVIDERS, DEFAULT_PROVIDERS);
        Map<String, Provider> providers = new LinkedHashMap<>();
        if (chain.isEmpty() || chain.stream().distinct().count() != chain.size()
                || !chain.stream().allMatch(id -> id.matches(PROVIDER_ID))) {
            throw SettingReader.invalid(PROVIDERS, String.join(",", chain),
                    "a list of distinct provider ids of 1-32 letters, digits, '_' or '-' (e.g. renku,gitlab)");
        }
        List<String> additional = reader.list(ADDITIONAL_PROVIDERS, List.of());
        if (additional.stream().distinct().count() != additional.size()
                || !additional.stream().allMatch(id -> id.matches(PROVIDER_ID))
                || additional.stream().anyMatch(chain::contains)) {
            throw SettingReader.invalid(ADDITIONAL_PROVIDERS, String.join(",", additional),
                    "a list of distinct provider ids of 1-32 letters, digits, '_' or '-' that are not in "
                    + PROVIDERS);
        }
        Map<String, SamlProviderSettings> saml = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(chain);
        all.addAll(additional);
        for (String id : all) {
            String typeKey = providerKey(id, TYPE);
            String type = reader.string(typeKey, TYPE_OIDC).toLowerCase(java.util.Locale.ROOT);
            if (type.equals(TYPE_OIDC)) {
                providers.put(id, provider(reader, id, renku, base));
            } else if (type.equals(SamlProviderSettings.TYPE_SAML)) {
                saml.put(id, SamlProviderSettings.read(reader, id, renku, base));
            } else {
                throw SettingReader.invalid(typeKey, type, "oidc or saml");
            }
        }
        List<URI> allowed = new ArrayList<>();
        for (String entry : reader.list(ALLOWED_REDIRECT_URLS, List.of())) {
            URI uri = new SettingReader(new SettingsSource(name -> entry, name -> null, name -> null))
                    .httpUrl(ALLOWED_REDIRECT_URLS, null);
            if (uri == null || uri.getRawQuery() != null || entry.contains("..") || !entry.matches("[\\x21-\\x7e]+")) {
                throw SettingReader.invalid(ALLOWED_REDIRECT_URLS, entry,
                        "a list of http(s) origins or URL prefixes without query, fragment, user-info or '..'");
            }
            allowed.add(uri);
        }
        long ttl = reader.number(STATE_TTL_SECONDS, DEFAULT_STATE_TTL_SECONDS, 30, 3600);
        return new LoginSettings(base, renku, chain, providers, allowed, ttl, additional, saml);
    }

    private static Provider provider(SettingReader reader, String id, URI renku, String base) {
        String issuerKey = providerKey(id, ISSUER);
        reader.required(issuerKey);
        URI issuer = reader.httpUrl(issuerKey, null);
        if (issuer.getRawQuery() != null) {
            throw SettingReader.invalid(issuerKey, issuer.toString(), "an issuer URL without a query (OIDC Discovery)");
        }
        String clientId = reader.required(providerKey(id, CLIENT_ID));
        Secret secret = reader.secret(providerKey(id, CLIENT_SECRET));
        String scopesKey = providerKey(id, SCOPES);
        List<String> scopes = reader.list(scopesKey, DEFAULT_SCOPES);
        if (!scopes.contains("openid")) {
            throw SettingReader.invalid(scopesKey, String.join(" ", scopes),
                    "a list of scopes that includes openid (the login validates the provider's ID token)");
        }
        boolean pkce = reader.bool(providerKey(id, USE_PKCE), true);
        if (!pkce && secret.isEmpty()) {
            throw new InvalidSettingException(providerKey(id, USE_PKCE), providerKey(id, USE_PKCE)
                    + " must be true when " + providerKey(id, CLIENT_SECRET) + " is empty: a public client's "
                    + "authorization code is protected only by PKCE");
        }
        URI callback = reader.httpUrl(providerKey(id, CALLBACK_URI),
                URI.create(withoutTrailingSlash(renku.toString()) + base + "/callback"));
        return new Provider(id, issuer, clientId, secret, scopes, pkce, callback);
    }

    /** The base URL must be an origin with at most a path: a query or fragment would make the redirect check vague. */
    private static URI origin(SettingReader reader, String name, URI uri) {
        if (uri.getRawQuery() != null) {
            throw SettingReader.invalid(name, uri.toString(),
                    "an http(s) URL without a query (e.g. https://renku.example.org)");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return URI.create(uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + path);
    }

    private static String withoutTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
