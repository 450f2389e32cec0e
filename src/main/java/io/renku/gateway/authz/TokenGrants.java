package io.renku.gateway.authz;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.auth.TokenCache;
import io.renku.gateway.model.GrantSet;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The grants a token carries in the claims of {@code authz.scopeClaim}, parsed once per token and cached by a SHA-256
 * of the token (of its signature for a JWS: {@link #cacheKey}; never the token itself) until the token expires, at
 * most {@link #TTL}. Only ever given tokens that are
 * already validated (a Bearer or Basic caller's, a Twirp subject after validation, or a session's stored access token,
 * which came from the token endpoint), so reading the payload without checking the signature again is safe.
 *
 * <p>Session users get their grants the same way, from the access token stored in the session: no copy of the claim
 * in the session that could go stale, and a refreshed token is a new cache key, so grants follow the token.
 * An opaque (introspected) token has no payload to read; its grants are the {@code scope} the introspection answer
 * gave, as Option 2 strings.
 */
public final class TokenGrants {
    static final Duration TTL = Duration.ofMinutes(10);

    private final List<String> claims;
    private final TokenCache<GrantSet> cache;
    private final Clock clock;

    public TokenGrants(List<String> claims, int maxEntries, Clock clock) {
        this.claims = List.copyOf(claims);
        this.cache = new TokenCache<>(maxEntries, clock);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * SHA-256 of the token's JWS signature, or of the whole token when it is not a JWS. The signature binds header and
     * payload under the issuer's key and the token was verified before it got here, so no other token that reaches
     * this class can share it; hashing only it keeps a decision from costing a hash of the whole token, which with
     * 1 000 grants is 55 KB and dominated the benchmark (16 000 decisions/s instead of the figure in the README).
     */
    static String cacheKey(Secret token) {
        String raw = token.reveal();
        int dot = raw.lastIndexOf('.');
        boolean jws = dot > 0 && dot < raw.length() - 1 && raw.indexOf('.') != dot;
        return jws ? TokenCache.key("grants-sig", Secret.of(raw.substring(dot + 1))) : TokenCache.key("grants", token);
    }

    /** The grants of {@code token}, a validated token of {@code holder} (whose scopes serve for opaque tokens). */
    public GrantSet of(Secret token, Identity holder) {
        String key = cacheKey(token);
        Optional<GrantSet> hit = cache.get(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        Instant until = clock.instant().plus(TTL);
        GrantSet grants;
        try {
            JWTClaimsSet payload = SignedJWT.parse(token.reveal()).getJWTClaimsSet();
            grants = GrantSet.empty();
            for (String claim : claims) {
                grants = grants.with(GrantSet.fromClaim(payload.getClaim(claim)));
            }
            if (payload.getExpirationTime() != null && payload.getExpirationTime().toInstant().isBefore(until)) {
                until = payload.getExpirationTime().toInstant();
            }
        } catch (ParseException opaque) {
            grants = GrantSet.fromClaim(List.copyOf(holder.scopes()));
            if (holder.expiry().isPresent() && holder.expiry().get().isBefore(until)) {
                until = holder.expiry().get();
            }
        }
        cache.put(key, grants, until);
        return grants;
    }
}
