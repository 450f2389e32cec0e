package io.renku.gateway.auth;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JwtVerifierTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static TestIdp idp;
    private static JwtVerifier shared;

    @FunctionalInterface
    interface Mint {
        String token(TestIdp idp) throws Exception;
    }

    @BeforeAll
    static void start() throws Exception {
        idp = new TestIdp();
        shared = new JwtVerifier(settings(idp, Map.of()), TIMEOUT);
    }

    @AfterAll
    static void stop() {
        shared.close();
        idp.close();
    }

    static TokenVerificationSettings settings(TestIdp idp, Map<String, String> extra) {
        Map<String, String> values = new java.util.HashMap<>(extra);
        values.putIfAbsent(TokenVerificationSettings.AUTHORIZATION_VERIFIERS,
                idp.issuer() + "|renku," + idp.issuer() + "|renku-cli");
        return TokenVerificationSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null, values::get)));
    }

    static Stream<Arguments> acceptedTokens() {
        return Stream.of(
                Arguments.of("RS256 with aud", (Mint) i -> i.rs256(i.claims().build())),
                Arguments.of("ES256", (Mint) i -> TestIdp.sign(i.claims().build(), i.ecKey(), JWSAlgorithm.ES256)),
                Arguments.of("PS256", (Mint) i -> TestIdp.sign(i.claims().build(), i.rsaKey(), JWSAlgorithm.PS256)),
                Arguments.of("azp only", (Mint) i -> i.rs256(i.claims().audience("account")
                        .claim("azp", "renku-cli").build())),
                Arguments.of("one of several audiences", (Mint) i -> i.rs256(i.claims()
                        .audience(java.util.List.of("account", "renku")).build())),
                Arguments.of("expired within clock skew", (Mint) i -> i.rs256(i.claims()
                        .expirationTime(new Date(System.currentTimeMillis() - 10_000)).build())),
                Arguments.of("no typ claim (non-Keycloak issuer)", (Mint) i -> i.rs256(i.claims()
                        .claim("typ", null).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedTokens")
    void acceptedTokensGiveTheirIdentity(String name, Mint mint) throws Exception {
        String token = mint.token(idp);
        Identity identity = shared.verify(Secret.of(token), AuthMethod.BEARER);
        assertEquals("user-1", identity.subject());
        assertEquals("demo", identity.preferredUsername());
        assertEquals("Demo User", identity.name());
        assertEquals("demo@example.org", identity.email());
        assertEquals(idp.issuer(), identity.issuer());
        assertEquals(AuthMethod.BEARER, identity.method());
        assertEquals(Set.of("openid", "profile", "email"), identity.scopes());
        assertTrue(identity.expiry().isPresent());
        assertEquals(Secret.of(token), identity.token().orElseThrow());
    }

    static Stream<Arguments> refusedTokens() {
        long now = System.currentTimeMillis();
        return Stream.of(
                Arguments.of("expired", (Mint) i -> i.rs256(i.claims().expirationTime(new Date(now - 120_000)).build()),
                        "token expired"),
                Arguments.of("nbf in the future", (Mint) i -> i.rs256(i.claims()
                        .notBeforeTime(new Date(now + 120_000)).build()), "not yet valid"),
                Arguments.of("wrong audience", (Mint) i -> i.rs256(i.claims().audience("other")
                        .claim("azp", "other-client").build()), "wrong audience"),
                Arguments.of("no audience at all", (Mint) i -> i.rs256(i.claims().audience((String) null).build()),
                        "wrong audience"),
                Arguments.of("unknown issuer", (Mint) i -> i.rs256(i.claims().issuer("https://evil.example/realms/x")
                        .build()), "unknown issuer"),
                Arguments.of("issuer with trailing slash", (Mint) i -> i.rs256(i.claims().issuer(i.issuer() + "/")
                        .build()), "unknown issuer"),
                Arguments.of("no issuer", (Mint) i -> i.rs256(i.claims().issuer(null).build()), "no issuer"),
                Arguments.of("altered signature", (Mint) i -> alterSignature(i.rs256(i.claims().build())),
                        "bad signature"),
                Arguments.of("altered payload", (Mint) i -> alterPayload(i.rs256(i.claims().build()), i),
                        "bad signature"),
                Arguments.of("signed by another key with the same kid", (Mint) i -> TestIdp.sign(i.claims().build(),
                        new RSAKeyGenerator(2048).keyID(i.rsaKey().getKeyID()).generate(), JWSAlgorithm.RS256),
                        "bad signature"),
                Arguments.of("alg none", (Mint) i -> unsigned(i.claims().build()), "alg none"),
                Arguments.of("HS256 keyed with the public key (alg confusion)", (Mint) JwtVerifierTest::hs256WithPublicKey,
                        "algorithm HS256 is not allowed"),
                Arguments.of("RS384 not in the allowed list", (Mint) i -> TestIdp.sign(i.claims().build(),
                        i.rsaKey(), JWSAlgorithm.RS384), "algorithm RS384 is not allowed"),
                Arguments.of("kid never published", (Mint) i -> TestIdp.sign(i.claims().build(),
                        new RSAKeyGenerator(2048).keyID("nobody").generate(), JWSAlgorithm.RS256), "unknown kid"),
                Arguments.of("no expiry", (Mint) i -> i.rs256(i.claims().expirationTime(null).build()), "no expiry"),
                Arguments.of("no subject", (Mint) i -> i.rs256(i.claims().subject(null).build()), "no subject"),
                Arguments.of("Keycloak ID token", (Mint) i -> i.rs256(i.claims().claim("typ", "ID").build()),
                        "not an access token"),
                Arguments.of("issued in the future", (Mint) i -> i.rs256(i.claims()
                        .issueTime(new Date(now + 600_000)).build()), "issued in the future"),
                Arguments.of("three parts of garbage", (Mint) i -> "abc.def.ghi", "not a well-formed JWT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refusedTokensAreInvalidTokenWithAChallenge(String name, Mint mint, String why) throws Exception {
        String token = mint.token(idp);
        GatewayException e = assertThrows(GatewayException.class,
                () -> shared.verify(Secret.of(token), AuthMethod.BEARER));
        assertEquals(ErrorKind.INVALID_TOKEN, e.kind());
        assertEquals(401, e.kind().status());
        String challenge = e.headers().get("WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer error=\"invalid_token\", error_description=\""), challenge);
        assertTrue(challenge.contains(why), challenge);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertNoTokenIn(e, token);
    }

    @Test
    void constructionContactsNoIdentityProvider() throws Exception {
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()), TIMEOUT)) {
            assertTrue(verifier.hasIssuers());
            assertEquals(0, fresh.discoveryHits.get());
            assertEquals(0, fresh.jwksHits.get());
        }
    }

    @Test
    void unknownKidAfterKeyRotationRefetchesTheJwks() throws Exception {
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()), TIMEOUT)) {
            verifier.verify(Secret.of(fresh.rs256(fresh.claims().build())), AuthMethod.BEARER);
            verifier.verify(Secret.of(fresh.rs256(fresh.claims().subject("other").build())), AuthMethod.BEARER);
            assertEquals(1, fresh.jwksHits.get(), "keys are cached between tokens");

            RSAKey rotated = fresh.rotate("rsa-2");
            Identity identity = verifier.verify(Secret.of(TestIdp.sign(fresh.claims().build(), rotated,
                    JWSAlgorithm.RS256)), AuthMethod.BEARER);
            assertEquals("user-1", identity.subject());
            assertEquals(2, fresh.jwksHits.get(), "an unknown kid refetches the JWKS once");
            assertEquals(1, fresh.discoveryHits.get());
        }
    }

    @Test
    void floodOfUnknownKidsIsRateLimitedAndStaysUnauthorized() throws Exception {
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()), TIMEOUT)) {
            verifier.verify(Secret.of(fresh.rs256(fresh.claims().build())), AuthMethod.BEARER);
            for (int i = 0; i < 5; i++) {
                String forged = TestIdp.sign(fresh.claims().build(),
                        new RSAKeyGenerator(2048).keyID("forged-" + i).generate(), JWSAlgorithm.RS256);
                GatewayException e = assertThrows(GatewayException.class,
                        () -> verifier.verify(Secret.of(forged), AuthMethod.BEARER));
                assertEquals(ErrorKind.INVALID_TOKEN, e.kind(), "attempt " + i + ": " + e.getMessage());
            }
            assertTrue(fresh.jwksHits.get() <= 3, "JWKS fetched " + fresh.jwksHits.get() + " times");
        }
    }

    @Test
    void knownKeysOutliveABriefJwksOutage() throws Exception {
        JwtVerifier.Tuning shortCache = new JwtVerifier.Tuning(Duration.ofSeconds(60), 100, Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofMinutes(15));
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()), TIMEOUT,
                java.time.Clock.systemUTC(), shortCache)) {
            verifier.verify(Secret.of(fresh.rs256(fresh.claims().build())), AuthMethod.BEARER);
            fresh.jwksDown.set(true);
            Thread.sleep(300);
            Identity identity = verifier.verify(Secret.of(fresh.rs256(fresh.claims().subject("other").build())),
                    AuthMethod.BEARER);
            assertEquals("other", identity.subject());
            assertTrue(fresh.jwksHits.get() >= 2, "the expired key cache tried a refresh");
        }
    }

    @Test
    void jwksEndpointDownIsServiceUnavailableNotInvalidToken() throws Exception {
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()), TIMEOUT)) {
            fresh.jwksDown.set(true);
            String token = fresh.rs256(fresh.claims().build());
            GatewayException e = assertThrows(GatewayException.class,
                    () -> verifier.verify(Secret.of(token), AuthMethod.BEARER));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
            assertTrue(e.headers().containsKey("Retry-After"));
            assertFalse(e.headers().containsKey("WWW-Authenticate"));
            assertNoTokenIn(e, token);

            fresh.jwksDown.set(false);
            assertEquals("user-1", verifier.verify(Secret.of(token), AuthMethod.BEARER).subject());
        }
    }

    @Test
    void discoveryDownAtFirstUseIsServiceUnavailableAndRetriedAfterAPause() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()),
                TIMEOUT, clock, JwtVerifier.Tuning.DEFAULTS)) {
            fresh.discoveryDown.set(true);
            Secret token = Secret.of(fresh.rs256(fresh.claims().build()));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, assertThrows(GatewayException.class,
                    () -> verifier.verify(token, AuthMethod.BEARER)).kind());
            fresh.discoveryDown.set(false);
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, assertThrows(GatewayException.class,
                    () -> verifier.verify(token, AuthMethod.BEARER)).kind(), "no retry storm while paused");
            assertEquals(1, fresh.discoveryHits.get());

            clock.advance(JwtVerifier.Tuning.DEFAULTS.discoveryRetryDelay());
            assertEquals("user-1", verifier.verify(token, AuthMethod.BEARER).subject());
            assertEquals(2, fresh.discoveryHits.get());
        }
    }

    @Test
    void identityProviderUnreachableIsServiceUnavailable() throws Exception {
        TestIdp gone = new TestIdp();
        String token = gone.rs256(gone.claims().build());
        gone.close();
        try (JwtVerifier verifier = new JwtVerifier(settings(gone, Map.of()), TIMEOUT)) {
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, assertThrows(GatewayException.class,
                    () -> verifier.verify(Secret.of(token), AuthMethod.BEARER)).kind());
        }
    }

    @Test
    void discoveryDocumentForAnotherIssuerIsRefused() throws Exception {
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()), TIMEOUT)) {
            fresh.discoveryIssuerOverride = "https://elsewhere.example/realms/test";
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, assertThrows(GatewayException.class,
                    () -> verifier.verify(Secret.of(fresh.rs256(fresh.claims().build())), AuthMethod.BEARER)).kind());
        }
    }

    @Test
    void validatedTokenIsServedFromCacheButNeverPastItsExpiry() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestIdp fresh = new TestIdp(); JwtVerifier verifier = new JwtVerifier(settings(fresh, Map.of()),
                TIMEOUT, clock, JwtVerifier.Tuning.DEFAULTS)) {
            Secret token = Secret.of(fresh.rs256(fresh.claims()
                    .expirationTime(new Date(clock.millis() + 20_000)).build()));
            assertEquals(AuthMethod.BEARER, verifier.verify(token, AuthMethod.BEARER).method());
            Identity again = verifier.verify(token, AuthMethod.BASIC);
            assertEquals(AuthMethod.BASIC, again.method(), "a cached result still reports how the token came");
            assertEquals(token, again.token().orElseThrow());

            clock.advance(Duration.ofSeconds(20 + 31));
            GatewayException e = assertThrows(GatewayException.class, () -> verifier.verify(token, AuthMethod.BEARER));
            assertTrue(e.getMessage().contains("token expired"), e.getMessage());
        }
    }

    @Test
    void noConfiguredIssuerRefusesEveryJwt() throws Exception {
        TokenVerificationSettings none = settings(idp, Map.of(TokenVerificationSettings.AUTHORIZATION_VERIFIERS, " "));
        try (JwtVerifier verifier = new JwtVerifier(none, TIMEOUT)) {
            assertFalse(verifier.hasIssuers());
            assertEquals(ErrorKind.INVALID_TOKEN, assertThrows(GatewayException.class,
                    () -> verifier.verify(Secret.of(idp.rs256(idp.claims().build())), AuthMethod.BEARER)).kind());
        }
    }

    static void assertNoTokenIn(GatewayException e, String token) {
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String payload = token.split("\\.")[1];
        for (String text : new String[] {e.getMessage(), e.headers().toString()}) {
            assertFalse(text.contains(token), "the token leaked into " + text);
            assertFalse(!payload.isEmpty() && text.contains(payload), "the payload leaked into " + text);
            assertFalse(!signature.isEmpty() && text.contains(signature), "the signature leaked into " + text);
        }
    }

    private static String alterSignature(String token) {
        int at = token.lastIndexOf('.') + 10;
        char c = token.charAt(at);
        return token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at + 1);
    }

    private static String alterPayload(String token, TestIdp idp) throws Exception {
        String[] parts = token.split("\\.");
        String forged = Base64URL.encode(idp.claims().subject("admin").build().toString()
                .getBytes(StandardCharsets.UTF_8)).toString();
        return parts[0] + "." + forged + "." + parts[2];
    }

    private static String unsigned(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static String hs256WithPublicKey(TestIdp idp) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(idp.rsaKey().getKeyID()).build(),
                idp.claims().build());
        jwt.sign(new MACSigner(idp.rsaKey().toRSAPublicKey().getEncoded()));
        return jwt.serialize();
    }
}
