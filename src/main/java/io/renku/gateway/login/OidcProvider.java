package io.renku.gateway.login;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.renku.gateway.config.LoginSettings.Provider;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One identity provider of the login chain, discovered lazily: the discovery document and its key source are fetched
 * on first use (or by {@code /ready}), not at startup, so a provider that is down while the gateway deploys does not
 * stop it. After a failed discovery the provider is not asked again for {@code retryDelay}; callers meanwhile get the
 * same clear 502/504, so a down provider is not hammered by every login.
 *
 * <p>Security notes: the discovery document's {@code issuer} must equal the configured one (Nimbus checks it, OIDC
 * Discovery §4.3: a mismatch may be a mix-up attack). ID tokens are checked by Nimbus' {@link IDTokenValidator} with
 * the provider's JWKS and only the configured asymmetric algorithms, so {@code alg: none} and HMAC tokens never pass.
 */
public final class OidcProvider implements LoginProvider, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OidcProvider.class.getName());

    private final Provider settings;
    private final Set<JWSAlgorithm> algorithms;
    private final Duration clockSkew;
    private final Duration timeout;
    private final Duration retryDelay;
    private final Clock clock;
    private volatile Discovered discovered;
    private Instant retryAfter = Instant.MIN;
    private GatewayException lastFailure;
    private Instant nextRecheck = Instant.MIN;
    private GatewayException lastRecheckFailure;

    /** What discovery gave: the metadata and the ID-token validator over the provider's keys. */
    record Discovered(OIDCProviderMetadata metadata, IDTokenValidator validator, JWKSource<SecurityContext> keys) {
    }

    public OidcProvider(Provider settings, Set<String> algorithms, Duration clockSkew, Duration timeout,
            Duration retryDelay, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.algorithms = algorithms.stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public Begun begin(List<String> chain, int step, URI redirect, Instant expiresAt, SecureRandom random) {
        PendingLogin pending = PendingLogin.start(chain, step, settings.usePkce(), redirect, expiresAt, random);
        return new Begun(pending, authorizationUri(pending));
    }

    public Provider settings() {
        return settings;
    }

    Duration timeout() {
        return timeout;
    }

    Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    Duration clockSkew() {
        return clockSkew;
    }

    @Override
    public String name() {
        return "login provider " + settings.id() + " (oidc discovery " + settings.issuer() + ")";
    }

    /**
     * Ready while the provider answers. Before discovery has worked each probe tries it (subject to the retry delay);
     * after, the probe reads the discovery document again (at most once per retry delay; the validator and keys
     * stay as they are), so {@code /ready} turns 503 naming the provider when it goes away after having worked.
     */
    @Override
    public void probe() {
        if (discovered == null) {
            discovered();
        } else {
            recheck();
        }
    }

    private synchronized void recheck() {
        Instant now = clock.instant();
        if (now.isBefore(nextRecheck)) {
            if (lastRecheckFailure != null) {
                throw new GatewayException(lastRecheckFailure.kind(), lastRecheckFailure.getMessage());
            }
            return;
        }
        nextRecheck = now.plus(retryDelay);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try {
            OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), millis, millis);
            lastRecheckFailure = null;
        } catch (IOException | GeneralException | IllegalArgumentException e) {
            lastRecheckFailure = failure(settings.id(), "discovery", e);
            throw lastRecheckFailure;
        }
    }

    /** The URL that sends the browser to the provider for {@code step}; 502/504 while discovery fails. */
    URI authorizationUri(PendingLogin step) {
        OIDCProviderMetadata metadata = discovered().metadata();
        AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope(settings.scopes().toArray(String[]::new)), new ClientID(settings.clientId()),
                settings.callbackUri())
                .endpointURI(metadata.getAuthorizationEndpointURI())
                .state(new State(step.state().reveal()))
                .nonce(new Nonce(step.nonce().reveal()));
        step.verifier().ifPresent(v -> request.codeChallenge(new CodeVerifier(v.reveal()), CodeChallengeMethod.S256));
        return request.build().toURI();
    }

    Discovered discovered() {
        Discovered ready = discovered;
        return ready != null ? ready : discover();
    }

    private synchronized Discovered discover() {
        if (discovered != null) {
            return discovered;
        }
        Instant now = clock.instant();
        if (now.isBefore(retryAfter) && lastFailure != null) {
            throw new GatewayException(lastFailure.kind(), lastFailure.getMessage());
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try {
            OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), millis, millis);
            if (metadata.getAuthorizationEndpointURI() == null || metadata.getTokenEndpointURI() == null
                    || metadata.getJWKSetURI() == null) {
                throw new GeneralException("the discovery document lacks an authorization, token or jwks endpoint");
            }
            DefaultResourceRetriever retriever = new DefaultResourceRetriever(millis, millis, 512 * 1024);
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(
                    metadata.getJWKSetURI().toURL(), retriever).retrying(true).build();
            IDTokenValidator validator = new IDTokenValidator(metadata.getIssuer(), new ClientID(settings.clientId()),
                    new JWSVerificationKeySelector<>(algorithms, keys), null);
            validator.setMaxClockSkew((int) clockSkew.toSeconds());
            discovered = new Discovered(metadata, validator, keys);
            lastFailure = null;
            nextRecheck = now.plus(retryDelay); // discovery just read the document: that is the first check
            return discovered;
        } catch (IOException | GeneralException | IllegalArgumentException e) {
            retryAfter = now.plus(retryDelay);
            LOG.log(System.Logger.Level.WARNING, "OIDC discovery failed for login provider " + settings.id() + " ("
                    + settings.issuer() + "): " + e);
            lastFailure = failure(settings.id(), "discovery", e);
            throw lastFailure;
        }
    }

    /** 504 for a provider that did not answer in time, 502 for one that failed or answered garbage. */
    static GatewayException failure(String provider, String what, Exception cause) {
        boolean timedOut = cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException
                || cause.getCause() instanceof SocketTimeoutException;
        ErrorKind kind = timedOut ? ErrorKind.GATEWAY_TIMEOUT : ErrorKind.BAD_GATEWAY;
        String detail = "The identity provider '" + provider + "' "
                + (timedOut ? "did not answer in time" : "could not be used") + " (" + what
                + "). Try to log in again in a moment.";
        return new GatewayException(kind, detail, cause);
    }

    @Override
    public synchronized void close() {
        if (discovered != null && discovered.keys() instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "Closing the key source of " + settings.id(), e);
            }
        }
    }
}
