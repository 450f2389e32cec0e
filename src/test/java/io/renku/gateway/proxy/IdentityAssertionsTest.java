package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.config.IdentityAssertionSettings;
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IdentityAssertionsTest {
    private static final Identity DEMO = new Identity("demo", "demo", "Demo User", "demo@example.org",
            "https://kc.example.org/realms/renku", AuthMethod.SESSION, Optional.empty(), Set.of("read:project:1"),
            Optional.empty());

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private static IdentityAssertionSettings settings(String keys) {
        return new IdentityAssertionSettings(true, Secret.of(keys));
    }

    @Test
    void theAssertionVerifiesAgainstThePublishedKeysWithTheExpectedClaims() throws Exception {
        ECKey signing = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        ECKey previous = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        IdentityAssertions assertions = new IdentityAssertions(settings(new JWKSet(List.of(signing, previous))
                .toString(false)), URI.create("https://renku.example.org/"), clock);
        JWKSet published = JWKSet.parse(assertions.publicKeys().toString());
        assertEquals(2, published.getKeys().size(), "the previous key stays published while it rotates out");
        assertFalse(published.getKeys().stream().anyMatch(k -> k.isPrivate()), "only public parts");

        SignedJWT jwt = SignedJWT.parse(assertions.assertion(new IdentityAssertions.Caller(DEMO, "saml",
                List.of("admin", "user")), "http://data-service:8000"));
        assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
        assertEquals("k2", jwt.getHeader().getKeyID());
        assertTrue(jwt.verify(new ECDSAVerifier(published.getKeyByKeyId("k2").toECKey())));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("https://renku.example.org", claims.getIssuer());
        assertEquals(List.of("http://data-service:8000"), claims.getAudience());
        assertEquals("demo", claims.getSubject());
        assertEquals("Demo User", claims.getStringClaim("name"));
        assertEquals("demo@example.org", claims.getStringClaim("email"));
        assertEquals("saml", claims.getStringClaim("login_provider"));
        assertEquals("read:project:1", claims.getStringClaim("scope"));
        assertEquals(List.of("admin", "user"), claims.getStringListClaim("roles"));
        assertEquals(Duration.ofSeconds(60), Duration.between(claims.getIssueTime().toInstant(),
                claims.getExpirationTime().toInstant()));
    }

    @Test
    void anAssertionIsReusedUntilShortlyBeforeItExpiresAndIsPerAudience() throws Exception {
        IdentityAssertions assertions = new IdentityAssertions(settings(new RSAKeyGenerator(2048).keyID("r")
                .generate().toJSONString()), URI.create("https://renku.example.org"), clock);
        IdentityAssertions.Caller caller = new IdentityAssertions.Caller(DEMO, "renku", List.of());
        String first = assertions.assertion(caller, "http://a");
        now.set(now.get().plusSeconds(40));
        assertSame(first, assertions.assertion(caller, "http://a"), "cached: no signature per request");
        assertNotEquals(first, assertions.assertion(caller, "http://b"), "another upstream, another audience");
        now.set(now.get().plusSeconds(6));
        String renewed = assertions.assertion(caller, "http://a");
        assertNotEquals(first, renewed, "renewed 15 s before it expires");
        assertEquals(JWSAlgorithm.RS256, SignedJWT.parse(renewed).getHeader().getAlgorithm());
    }

    @Test
    void unusableKeysStopTheDeploymentNamingTheSetting() throws Exception {
        String publicOnly = new ECKeyGenerator(Curve.P_256).keyID("p").generate().toPublicJWK().toJSONString();
        String noKid = new ECKeyGenerator(Curve.P_256).generate().toJSONString();
        String weak = new RSAKeyGenerator(1024, true).keyID("w").generate().toJSONString();
        for (String bad : List.of("not json", publicOnly, noKid, weak)) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> new IdentityAssertions(settings(bad), URI.create("https://r.example"), clock), bad);
            assertEquals(IdentityAssertionSettings.SIGNING_KEY, e.setting());
            assertFalse(e.getMessage().contains("\"d\""), "no key material in the message");
        }
    }
}
