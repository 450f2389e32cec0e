package io.renku.gateway.auth;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import io.renku.gateway.config.TokenVerificationSettings.Verifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The claim rules for an access token from one issuer, run by Nimbus after the signature has been verified. Written
 * by hand rather than with {@code DefaultJWTClaimsVerifier} because the audience rule is "{@code aud} or {@code azp}"
 * (Keycloak puts the client in {@code azp} and often only {@code account} in {@code aud}), and because each message
 * is shown to the client as the RFC 6750 {@code error_description}.
 */
final class AccessTokenClaims implements JWTClaimsSetVerifier<SecurityContext> {
    private final Verifier verifier;
    private final Duration clockSkew;
    private final Clock clock;

    AccessTokenClaims(Verifier verifier, Duration clockSkew, Clock clock) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        Instant now = clock.instant();
        if (!verifier.issuer().equals(claims.getIssuer())) {
            throw new BadJWTException("unknown issuer");
        }
        if (claims.getExpirationTime() == null) {
            throw new BadJWTException("token has no expiry (exp)");
        }
        if (now.minus(clockSkew).isAfter(claims.getExpirationTime().toInstant())) {
            throw new BadJWTException("token expired");
        }
        if (claims.getNotBeforeTime() != null && now.plus(clockSkew).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw new BadJWTException("token not yet valid (nbf)");
        }
        if (claims.getIssueTime() != null && now.plus(clockSkew).isBefore(claims.getIssueTime().toInstant())) {
            throw new BadJWTException("token issued in the future (iat)");
        }
        if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw new BadJWTException("token has no subject (sub)");
        }
        List<String> audiences = claims.getAudience();
        boolean accepted = audiences.stream().anyMatch(verifier.audiences()::contains)
                || verifier.audiences().contains(string(claims, "azp"));
        if (!accepted) {
            throw new BadJWTException("wrong audience: neither aud nor azp is accepted for this issuer");
        }
        // Security: Keycloak marks its tokens with typ (Bearer, ID, Refresh, Logout). An ID token carries the client
        // as its audience but is not meant to authorize API calls, so only access tokens pass.
        String typ = string(claims, "typ");
        if (!typ.isEmpty() && !typ.equalsIgnoreCase("Bearer")) {
            throw new BadJWTException("not an access token (typ " + typ + ")");
        }
    }

    /** A string claim, or "" when it is absent or not a string. */
    static String string(JWTClaimsSet claims, String name) {
        try {
            String value = claims.getStringClaim(name);
            return value == null ? "" : value;
        } catch (ParseException e) {
            return "";
        }
    }
}
