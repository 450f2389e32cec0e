package io.renku.gateway.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.GrantSet;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Scopes;
import io.renku.gateway.model.Secret;
import io.renku.gateway.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where grants come from: the configured claims of a token (parsed once), an opaque token's scopes, the policy. */
class TokenGrantsTest {
    private static RSAKey key;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeAll
    static void signingKey() throws Exception {
        key = new RSAKeyGenerator(2048).generate();
    }

    private Secret token(Map<String, Object> claims, Instant expiry) throws Exception {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject("u1").expirationTime(Date.from(expiry));
        claims.forEach(builder::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), builder.build());
        jwt.sign(new RSASSASigner(key));
        return Secret.of(jwt.serialize());
    }

    private static Identity holder(Set<String> scopes) {
        return new Identity("u1", "", "", "", "iss", AuthMethod.BEARER, Optional.empty(), scopes, Optional.empty());
    }

    @Test
    void grantsOfAllConfiguredClaimsAddUpAndAreParsedOncePerToken() throws Exception {
        Secret token = token(Map.of("scope", "openid read:project:1",
                "authz", Map.of("write", List.of("gid://app/Project/2")), "other", "read:project:3"),
                clock.instant().plusSeconds(300));
        TokenGrants grants = new TokenGrants(List.of("scope", "authz"), 100, clock);
        GrantSet first = grants.of(token, holder(Set.of()));
        assertTrue(first.allows("read", Scopes.resource("project:1")));
        assertTrue(first.allows("write", Scopes.resource("project:2")));
        assertFalse(first.allows("read", Scopes.resource("project:3")), "only the configured claims count");
        assertSame(first, grants.of(token, holder(Set.of())), "cached, not parsed again");
        clock.advance(Duration.ofSeconds(301));
        assertNotEquals(System.identityHashCode(first), System.identityHashCode(grants.of(token, holder(Set.of()))),
                "not kept past the token's expiry");
    }

    @Test
    void anotherSignatureIsAnotherCacheEntry() throws Exception {
        Secret a = token(Map.of("scope", "read:project:1"), clock.instant().plusSeconds(300));
        Secret b = token(Map.of("scope", "read:project:2"), clock.instant().plusSeconds(300));
        assertNotEquals(TokenGrants.cacheKey(a), TokenGrants.cacheKey(b));
        TokenGrants grants = new TokenGrants(List.of("scope"), 100, clock);
        assertTrue(grants.of(a, holder(Set.of())).allows("read", Scopes.resource("project:1")));
        assertFalse(grants.of(b, holder(Set.of())).allows("read", Scopes.resource("project:1")));
        assertFalse(TokenGrants.cacheKey(a).contains(a.reveal().substring(a.reveal().lastIndexOf('.') + 1)),
                "the key is a hash, not the signature");
    }

    @Test
    void anOpaqueTokenHasTheScopesItsIntrospectionGave() {
        GrantSet grants = new TokenGrants(List.of("scope"), 100, clock)
                .of(Secret.of("opaque-token"), holder(Set.of("openid", "read:project:9")));
        assertEquals(1, grants.size());
        assertTrue(grants.allows("read", Scopes.resource("gid://app/Project/9")));
    }

    @Test
    void thePolicyAddsGrantsByIdAndNamesDeciders(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{\"subjects\": {\"u1\": [\"read:project:5\"]}, \"deciders\": [\"svc\"]}");
        Authorizer authorizer = new Authorizer(new TokenGrants(List.of("scope"), 100, clock),
                PolicyFile.load(file, Duration.ofSeconds(5), clock));
        Secret token = token(Map.of("scope", "read:project:1 decide:ability"), clock.instant().plusSeconds(300));
        GrantSet grants = authorizer.grantsOf(holder(Set.of()), Optional.of(token));
        assertTrue(grants.allows("read", Scopes.resource("project:1")) && grants.allows("read",
                Scopes.resource("project:5")), "token and policy grants add up");
        assertTrue(authorizer.isDecider(holder(Set.of()), grants), "decide on gid://app/Ability");
        Identity service = new Identity("svc", "", "", "", "iss", AuthMethod.BEARER, Optional.empty(), Set.of(),
                Optional.empty());
        assertTrue(authorizer.isDecider(service, GrantSet.empty()), "listed under deciders");
        assertFalse(authorizer.isDecider(holder(Set.of()), GrantSet.empty()));
        assertFalse(authorizer.isDecider(Identity.anonymous("svc"), GrantSet.empty()), "never an anonymous caller");
        assertTrue(authorizer.grantsOf(Identity.anonymous("u1"), Optional.empty()).isEmpty());
        assertEquals("u1", authorizer.loggable("u1"));
        assertTrue(authorizer.loggable("maybe-a-token").startsWith("unknown#"), "unknown strings are hashed in logs");
    }
}
