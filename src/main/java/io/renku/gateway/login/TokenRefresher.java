package io.renku.gateway.login;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.redis.Locks;
import io.renku.gateway.redis.ShortLivedValues;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Refreshes a session's tokens before a request uses them, exactly once however many requests of the session arrive
 * at once and on however many replicas. A token is due when it expires within the skew; a due token is refreshed
 * under a lock named after the session and provider ({@link Locks}: Redis across replicas, memory on one node).
 *
 * <p>Why a hand-off and not a re-read: each request holds its own copy of the session, committed only when that
 * request ends, so a request that waited for the lock cannot see the holder's new tokens in the session. The holder
 * therefore publishes the outcome (new tokens, or "refused") <em>before</em> it releases the lock, encrypted with the
 * {@link TokenCipher} and kept for {@link #HANDOFF_TTL} under {@code refreshed:<session>:<provider>}. The outcome names
 * the refresh token it replaced (by SHA-256), so it is adopted only by requests that hold that same refresh token:
 * waiters, and late requests that read the session before the holder committed it. This is what makes rotating,
 * single-use refresh tokens work: nobody sends the old refresh token a second time.
 *
 * <p>A refused refresh ({@code invalid_grant}) ends that provider's login in the session; for the provider that says
 * who the user is, the user is logged out of the session (all tokens and the user removed). The request gets a 401
 * that says to log in again. A provider that cannot be reached (or Redis, for the lock) does not end anything: while
 * the current access token is still valid the request goes on with it (the refresh is tried again by the next
 * request), and once it has expired the request is a 503 with {@code Retry-After}; the tokens stay in the session
 * either way, so the login resumes when the provider is back.
 */
public final class TokenRefresher {
    private static final System.Logger LOG = System.getLogger(TokenRefresher.class.getName());
    static final Duration HANDOFF_TTL = Duration.ofSeconds(60);
    /** The lock's time to live; renewed while its holder is alive, so it only bounds a crashed holder. */
    private static final Duration LOCK_TTL = Duration.ofSeconds(10);

    private final Map<String, TokenEndpoint> providers;
    private final String userProvider;
    private final SessionTokens tokens;
    private final Locks locks;
    private final ShortLivedValues handoff;
    private final TokenCipher cipher;
    private final Duration skew;
    private final Duration wait;
    private final Clock clock;
    private final RefreshGrant grant;
    private final GatewayMetrics metrics;

    public TokenRefresher(Map<String, OidcProvider> providers, String userProvider, SessionTokens tokens, Locks locks,
            ShortLivedValues handoff, TokenCipher cipher, Duration skew, Duration wait, Clock clock) {
        this(providers, userProvider, tokens, locks, handoff, cipher, skew, wait, clock, GatewayMetrics.inMemory());
    }

    public TokenRefresher(Map<String, OidcProvider> providers, String userProvider, SessionTokens tokens, Locks locks,
            ShortLivedValues handoff, TokenCipher cipher, Duration skew, Duration wait, Clock clock,
            GatewayMetrics metrics) {
        this(providers, List.of(), userProvider, tokens, locks, handoff, cipher, skew, wait, clock, metrics);
    }

    /**
     * {@code others} are token endpoints of providers that are not OIDC providers (a SAML provider's RFC 7522
     * {@code tokenEndpoint}): their tokens are refreshed the same way, with the refresh token at that endpoint.
     */
    public TokenRefresher(Map<String, OidcProvider> providers, List<TokenEndpoint> others, String userProvider,
            SessionTokens tokens, Locks locks, ShortLivedValues handoff, TokenCipher cipher, Duration skew,
            Duration wait, Clock clock, GatewayMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        Map<String, TokenEndpoint> endpoints = new java.util.LinkedHashMap<>();
        providers.values().forEach(p -> endpoints.put(p.id(), TokenEndpoint.of(p)));
        others.forEach(e -> endpoints.put(e.id(), e));
        this.providers = Map.copyOf(endpoints);
        this.userProvider = Objects.requireNonNull(userProvider, "userProvider");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.locks = Objects.requireNonNull(locks, "locks");
        this.handoff = Objects.requireNonNull(handoff, "handoff");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.skew = Objects.requireNonNull(skew, "skew");
        this.wait = Objects.requireNonNull(wait, "wait");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.grant = new RefreshGrant(clock);
    }

    /** Whether {@code tokens} should be refreshed now: they expire within the skew and can be refreshed. */
    public boolean due(TokenSet set) {
        return set.refreshToken().isPresent() && providers.containsKey(set.provider())
                && set.expiresAt().map(at -> !at.minus(skew).isAfter(clock.instant())).orElse(false);
    }

    /**
     * {@code current} if it is not due; otherwise the refreshed tokens, stored in {@code session} as well. Throws a
     * 401 {@link GatewayException} when the provider refused the refresh (the tokens are then removed from the
     * session), and a 502/503/504 one when the provider or Redis could not be used.
     */
    public TokenSet fresh(HttpSession session, TokenSet current) {
        if (!due(current)) {
            return current;
        }
        TokenEndpoint provider = providers.get(current.provider());
        Optional<TokenSet> refreshed;
        try {
            refreshed = coordinated(session.getId(), provider, current);
        } catch (GatewayException e) {
            metrics.refresh(provider.id(), "failed");
            if (e.kind().status() < 500) {
                throw e;
            }
            if (current.expiresAt().map(at -> at.isAfter(clock.instant())).orElse(false)) {
                LOG.log(System.Logger.Level.WARNING, "Renewing a session's '" + provider.id() + "' login failed ("
                        + e.kind().status() + "); its access token stays in use until it expires");
                return current;
            }
            throw GatewayException.unavailable("Your login at '" + provider.id() + "' has to be renewed, but the "
                    + "identity provider cannot be reached. Try again shortly.", 5, e);
        } catch (RuntimeException e) {
            metrics.refresh(provider.id(), "failed");
            throw e;
        }
        metrics.refresh(provider.id(), refreshed.isPresent() ? "renewed" : "refused");
        if (refreshed.isEmpty()) {
            forget(session, provider.id());
            throw new GatewayException(ErrorKind.UNAUTHORIZED, "Your login at '" + provider.id() + "' has expired or "
                    + "was ended, so the gateway could not renew it. Log in again.");
        }
        tokens.store(session, refreshed.get());
        return refreshed.get();
    }

    /** The refresh outcome for {@code current}: one replica asks the provider, the others adopt what it published. */
    private Optional<TokenSet> coordinated(String sessionId, TokenEndpoint provider, TokenSet current) {
        String lock = "refresh:" + sessionId + ":" + provider.id();
        String slot = "refreshed:" + sessionId + ":" + provider.id();
        String replaces = fingerprint(current.refreshToken().orElseThrow());
        for (int round = 0; round < 2; round++) {
            Optional<Optional<TokenSet>> known = published(slot, replaces, current.provider());
            if (known.isPresent()) {
                return known.get();
            }
            Optional<Locks.Lease> lease = locks.tryAcquire(lock, LOCK_TTL);
            if (lease.isPresent()) {
                try (Locks.Lease held = lease.get()) {
                    known = published(slot, replaces, current.provider());
                    if (known.isPresent()) {
                        return known.get();
                    }
                    Optional<TokenSet> outcome = grant.refresh(provider, current);
                    handoff.put(slot, cipher.encrypt(Secret.of(encode(replaces, outcome)), slot), HANDOFF_TTL);
                    return outcome;
                }
            }
            awaitRelease(lock);
            // Released: the holder published an outcome, or failed (provider down) and we try once ourselves.
        }
        return published(slot, replaces, current.provider()).orElseThrow(() -> GatewayException.unavailable(
                "Your login at '" + provider.id() + "' is being renewed by another request that did not finish. "
                        + "Try again in a moment.", 1, null));
    }

    private void awaitRelease(String lock) {
        try {
            if (!locks.awaitRelease(lock, wait)) {
                throw GatewayException.unavailable("Renewing your login takes longer than expected. Try again in a "
                        + "moment.", 2, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.unavailable("Renewing your login was interrupted. Try again.", 1, e);
        }
    }

    private void forget(HttpSession session, String provider) {
        if (provider.equals(userProvider)) {
            for (String id : tokens.providers(session)) {
                tokens.remove(session, id);
            }
            SessionUser.forget(session);
        } else {
            tokens.remove(session, provider);
        }
    }

    /** The published outcome that replaced refresh token {@code replaces}: present-empty means refused. */
    private Optional<Optional<TokenSet>> published(String slot, String replaces, String provider) {
        return handoff.get(slot).flatMap(text -> cipher.decrypt(text, slot))
                .flatMap(plain -> decode(plain.reveal(), replaces, provider));
    }

    // Hand-off format (inside the ciphertext): fields joined by '.', tokens base64url, '-' for absent:
    // R.<replaces>            the refresh was refused
    // T.<replaces>.<expiresAt epoch s>.<access>.<refresh>.<id>
    static String encode(String replaces, Optional<TokenSet> outcome) {
        if (outcome.isEmpty()) {
            return "R." + replaces;
        }
        TokenSet set = outcome.get();
        return String.join(".", "T", replaces,
                set.expiresAt().map(at -> Long.toString(at.getEpochSecond())).orElse("-"),
                b64(Optional.of(set.accessToken())), b64(set.refreshToken()), b64(set.idToken()));
    }

    static Optional<Optional<TokenSet>> decode(String text, String replaces, String provider) {
        String[] parts = text.split("\\.", -1);
        if (parts.length < 2 || !parts[1].equals(replaces)) {
            return Optional.empty();
        }
        if (parts[0].equals("R") && parts.length == 2) {
            return Optional.of(Optional.empty());
        }
        if (!parts[0].equals("T") || parts.length != 6 || parts[3].equals("-")) {
            return Optional.empty();
        }
        try {
            Optional<Instant> expiresAt = parts[2].equals("-") ? Optional.empty()
                    : Optional.of(Instant.ofEpochSecond(Long.parseLong(parts[2])));
            return Optional.of(Optional.of(new TokenSet(provider, unb64(parts[3]).orElseThrow(), unb64(parts[4]),
                    unb64(parts[5]), expiresAt)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String b64(Optional<Secret> secret) {
        return secret.map(s -> Base64.getUrlEncoder().withoutPadding()
                .encodeToString(s.reveal().getBytes(StandardCharsets.UTF_8))).orElse("-");
    }

    private static Optional<Secret> unb64(String text) {
        return text.equals("-") ? Optional.empty()
                : Optional.of(Secret.of(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8)));
    }

    /** SHA-256 of a refresh token: names it in the hand-off without storing it a second time. */
    static String fingerprint(Secret token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.reveal().getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
