package io.renku.gateway.login;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import io.renku.gateway.session.SessionIndex;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Validates a back-channel logout token as OpenID Connect Back-Channel Logout 1.0 §2.6 asks, as plain Java so the
 * rules can be tested without a container: the token is a JWS (never {@code alg: none}) signed by a key of the
 * provider's JWKS with an allowed algorithm; {@code iss} is a configured login provider; {@code aud} contains that
 * provider's client id; {@code iat} is present, not in the future and at most {@link #MAX_AGE} old; {@code jti} is
 * present and not seen before; the {@code events} claim holds the back-channel-logout event; {@code sid} or
 * {@code sub} is present; and there is no {@code nonce} (so an ID token cannot be passed off as a logout token).
 * Nimbus' {@link LogoutTokenValidator} does the signature and claim checks; age and replay are ours.
 *
 * <p>Security notes: the provider is chosen by the token's unverified {@code iss} only to pick the keys; the signature
 * over those keys is what proves it. A {@code jti} is remembered (in Redis, shared by every replica) for as long as a
 * token carrying it could still be accepted, so a captured token cannot be replayed to log a user out again later.
 * The replay mark is written last, so an invalid token cannot burn a {@code jti}. Reasons never quote a token.
 */
public final class LogoutTokens {
    /** The oldest logout token accepted; the provider sends it right away, so minutes are plenty. */
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    private final Collection<OidcProvider> providers;
    private final SessionIndex seen;
    private final Clock clock;

    /** Who a valid token logs out: the provider's session ({@code sid}) and/or user ({@code sub}). */
    public record Verified(String issuer, Optional<String> sid, Optional<String> sub) {
    }

    /** A token the gateway refuses; the message is safe to send back to the provider. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    public LogoutTokens(Collection<OidcProvider> providers, SessionIndex seen, Clock clock) {
        this.providers = List.copyOf(providers);
        this.seen = Objects.requireNonNull(seen, "seen");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Verified verify(String token) throws Invalid {
        if (token == null || token.isEmpty()) {
            throw new Invalid("the logout_token parameter is missing");
        }
        JWT jwt;
        String issuer;
        try {
            jwt = JWTParser.parse(token);
            issuer = jwt.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new Invalid("the logout_token is not a JWT");
        }
        if (!(jwt instanceof SignedJWT)) {
            throw new Invalid("the logout_token is not signed");
        }
        OidcProvider provider = providers.stream()
                .filter(p -> issuer != null && trimmed(p.settings().issuer().toString()).equals(trimmed(issuer)))
                .findFirst().orElseThrow(() -> new Invalid("the logout_token's issuer is not a configured provider"));
        OidcProvider.Discovered discovered = provider.discovered();
        LogoutTokenValidator validator = new LogoutTokenValidator(discovered.metadata().getIssuer(),
                new ClientID(provider.settings().clientId()), false,
                new JWSVerificationKeySelector<>(provider.algorithms(), discovered.keys()), null);
        validator.setMaxClockSkew((int) provider.clockSkew().toSeconds());
        LogoutTokenClaimsSet claims;
        try {
            claims = validator.validate(jwt);
        } catch (BadJOSEException e) {
            throw new Invalid("the logout_token " + reason(e));
        } catch (JOSEException e) {
            throw OidcProvider.failure(provider.id(), "signing keys", e);
        }
        Instant now = clock.instant();
        Duration skew = provider.clockSkew();
        Instant issued = claims.getIssueTime().toInstant();
        if (issued.isAfter(now.plus(skew))) {
            throw new Invalid("the logout_token was issued in the future (iat)");
        }
        if (issued.isBefore(now.minus(MAX_AGE).minus(skew))) {
            throw new Invalid("the logout_token is too old (iat)");
        }
        if (claims.getJWTID() == null || claims.getJWTID().getValue().isEmpty()) {
            throw new Invalid("the logout_token has no jti");
        }
        Optional<String> sid = Optional.ofNullable(claims.getSessionID()).map(s -> s.getValue());
        Optional<String> sub = Optional.ofNullable(claims.getSubject()).map(s -> s.getValue());
        if (sid.isEmpty() && sub.isEmpty()) {
            throw new Invalid("the logout_token has neither sid nor sub");
        }
        String iss = discovered.metadata().getIssuer().getValue();
        if (!seen.firstUse("jti:" + iss + "|" + claims.getJWTID().getValue(), MAX_AGE.plus(skew).plus(skew))) {
            throw new Invalid("the logout_token was used already (jti)");
        }
        return new Verified(iss, sid, sub);
    }

    /** Nimbus' reasons in our words. */
    private static String reason(BadJOSEException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        int missing = message.indexOf("missing required claims: ");
        if (missing >= 0 && message.matches(".*missing required claims: \\[[a-z_, ]{1,80}\\]$")) {
            return "lacks a required claim " + message.substring(missing + "missing required claims: ".length());
        } else if (message.contains("nonce")) {
            return "must not have a nonce";
        } else if (message.contains("event")) {
            return "lacks the back-channel logout event (events)";
        } else if (message.contains("sid") || message.contains("session ID") || message.contains("subject")) {
            return "has neither sid nor sub";
        } else if (message.contains("issuer")) {
            return "was issued by someone else (iss)";
        } else if (message.contains("aud")) {
            return "is meant for another client (aud)";
        } else if (message.contains("signature")) {
            return "has an invalid signature";
        } else if (message.contains("no matching key") || message.contains("key")) {
            return "is signed with an algorithm or key the provider does not publish";
        } else if (message.contains("expired")) {
            return "has expired (exp)";
        } else if (message.contains("iat") || message.contains("issue time")) {
            return "has no iat";
        } else if (message.contains("jti") || message.contains("JWT ID")) {
            return "has no jti";
        }
        return "failed validation";
    }

    private static String trimmed(String issuer) {
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }
}
