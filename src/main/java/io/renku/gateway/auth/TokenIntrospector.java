package io.renku.gateway.auth;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenIntrospectionErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.config.TokenVerificationSettings.IntrospectionProvider;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks opaque tokens (ones that are not JWTs, such as GitLab's) by RFC 7662 introspection at the configured
 * providers, in their configured order, authenticating with {@code client_secret_basic}. The first provider that calls
 * the token active wins. Because an opaque token does not say who issued it, it is shown to each provider in turn:
 * list only providers trusted with each other's tokens.
 *
 * <p>Answers, active or not, are cached per (introspection endpoint, SHA-256 of the token) for
 * {@code sessions.introspectionCacheSeconds} and never past the token's {@code exp}: keying by endpoint means one
 * server's answer is never taken as another's. A provider that cannot be reached gives 503, not 401, unless another
 * provider vouches for the token.
 */
public final class TokenIntrospector {
    private static final System.Logger LOG = System.getLogger(TokenIntrospector.class.getName());
    private static final int RETRY_AFTER_SECONDS = 5;

    private final List<IntrospectionProvider> providers;
    private final Duration cacheTtl;
    private final int timeoutMillis;
    private final Clock clock;
    private final TokenCache<Optional<Identity>> answers;

    public TokenIntrospector(TokenVerificationSettings settings, Duration httpTimeout) {
        this(settings, httpTimeout, Clock.systemUTC(), 10_000);
    }

    TokenIntrospector(TokenVerificationSettings settings, Duration httpTimeout, Clock clock, int maxCacheEntries) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(httpTimeout, "httpTimeout");
        if (httpTimeout.isNegative() || httpTimeout.isZero()) {
            throw new IllegalArgumentException("httpTimeout must be > 0, was " + httpTimeout);
        }
        this.providers = settings.introspection();
        this.cacheTtl = settings.introspectionCacheTtl();
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, httpTimeout.toMillis());
        this.clock = Objects.requireNonNull(clock, "clock");
        this.answers = new TokenCache<>(maxCacheEntries, clock);
    }

    public boolean hasProviders() {
        return !providers.isEmpty();
    }

    /**
     * The identity behind an active token.
     *
     * @throws GatewayException {@code INVALID_TOKEN} (401) when no provider calls the token active;
     *         {@code SERVICE_UNAVAILABLE} (503) when none does and at least one could not be asked
     */
    public Identity introspect(Secret token, AuthMethod method) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(method, "method");
        if (providers.isEmpty()) {
            throw BearerChallenge.invalidToken("token is not a JWT and no introspection provider is configured");
        }
        GatewayException unavailable = null;
        for (IntrospectionProvider provider : providers) {
            try {
                Optional<Identity> answer = answer(provider, token);
                if (answer.isPresent()) {
                    return answer.get().withMethod(method).withToken(token);
                }
            } catch (GatewayException e) {
                if (unavailable == null) {
                    unavailable = e;
                }
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
        throw BearerChallenge.invalidToken("token is not active");
    }

    private Optional<Identity> answer(IntrospectionProvider provider, Secret token) {
        String key = TokenCache.key(provider.endpoint().toString(), token);
        Optional<Optional<Identity>> cached = answers.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Instant now = clock.instant();
        Optional<Identity> answer = ask(provider, token, now);
        Instant until = now.plus(cacheTtl);
        Instant expiry = answer.flatMap(Identity::expiry).orElse(until);
        answers.put(key, answer, until.isBefore(expiry) ? until : expiry);
        return answer;
    }

    private Optional<Identity> ask(IntrospectionProvider provider, Secret token, Instant now) {
        HTTPRequest request = new TokenIntrospectionRequest(provider.endpoint(),
                new ClientSecretBasic(new ClientID(provider.clientId()),
                        new com.nimbusds.oauth2.sdk.auth.Secret(provider.clientSecret().reveal())),
                new BearerAccessToken(token.reveal())).toHTTPRequest();
        request.setConnectTimeout(timeoutMillis);
        request.setReadTimeout(timeoutMillis);
        request.setFollowRedirects(false);
        TokenIntrospectionResponse response;
        try {
            HTTPResponse http = request.send();
            response = TokenIntrospectionResponse.parse(http);
        } catch (IOException | ParseException e) {
            LOG.log(System.Logger.Level.WARNING, "Introspection at " + provider.endpoint() + " failed: " + e);
            throw unavailable(provider, e);
        }
        if (!response.indicatesSuccess()) {
            // The provider refused us (for example our client credentials are wrong): not the caller's fault.
            TokenIntrospectionErrorResponse error = response.toErrorResponse();
            LOG.log(System.Logger.Level.WARNING, "Introspection at " + provider.endpoint() + " refused: HTTP "
                    + error.getErrorObject().getHTTPStatusCode() + " " + error.getErrorObject().getCode());
            throw unavailable(provider, null);
        }
        TokenIntrospectionSuccessResponse success = response.toSuccessResponse();
        if (!success.isActive()) {
            return Optional.empty();
        }
        Optional<Instant> expiry = Optional.ofNullable(success.getExpirationTime()).map(Date::toInstant);
        if (expiry.isPresent() && !now.isBefore(expiry.get())) {
            return Optional.empty();
        }
        String username = success.getUsername() == null ? "" : success.getUsername();
        String subject = success.getSubject() != null ? success.getSubject().getValue() : username;
        if (subject.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Introspection at " + provider.endpoint()
                    + " calls a token active but names neither sub nor username; refusing it");
            return Optional.empty();
        }
        Set<String> scopes = success.getScope() == null ? Set.of() : Set.copyOf(success.getScope().toStringList());
        return Optional.of(new Identity(subject, username, string(success, "name"), string(success, "email"),
                provider.issuer(), AuthMethod.BEARER, expiry, scopes, Optional.empty()));
    }

    private static String string(TokenIntrospectionSuccessResponse response, String name) {
        String value = response.getStringParameter(name);
        return value == null ? "" : value;
    }

    private static GatewayException unavailable(IntrospectionProvider provider, Throwable cause) {
        return GatewayException.unavailable("Token introspection at provider " + provider.id() + " is not available",
                RETRY_AFTER_SECONDS, cause);
    }
}
