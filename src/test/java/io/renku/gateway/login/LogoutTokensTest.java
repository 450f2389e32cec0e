package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.session.InMemorySessionIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Back-channel logout tokens against a provider of our own ({@link TestOidcProvider}: real discovery and JWKS), one row
 * per rule of OpenID Connect Back-Channel Logout 1.0 §2.6. Every refused token gets a reason that names the rule and
 * never quotes the token.
 */
class LogoutTokensTest {
    private static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";
    private static TestOidcProvider idp;
    private static RSAKey stranger;

    private LogoutTokens tokens;

    @BeforeAll
    static void startProvider() throws Exception {
        idp = new TestOidcProvider();
        stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    }

    @AfterAll
    static void stopProvider() {
        idp.close();
    }

    @BeforeEach
    void setUp() {
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                Map.of("login.renkuBaseURL", "https://renku.example.org", "login.providers", "renku",
                        "login.providers.renku.issuer", idp.issuer(),
                        "login.providers.renku.clientID", TestOidcProvider.CLIENT_ID)::get)));
        OidcProvider provider = new OidcProvider(settings.providers().get("renku"), Set.of("RS256"),
                Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC());
        tokens = new LogoutTokens(List.of(provider), new InMemorySessionIndex(Duration.ofHours(1), Clock.systemUTC()),
                Clock.systemUTC());
    }

    static JWTClaimsSet.Builder valid() {
        return new JWTClaimsSet.Builder().issuer(idp.issuer()).audience(TestOidcProvider.CLIENT_ID)
                .subject("user-1").claim("sid", "kc-session-1").issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(120)))
                .jwtID(UUID.randomUUID().toString()).claim("events", Map.of(EVENT, Map.of()));
    }

    @Test
    void aValidTokenNamesTheProviderSessionAndUser() throws Exception {
        LogoutTokens.Verified verified = tokens.verify(idp.sign(valid().build()));
        assertEquals(idp.issuer(), verified.issuer());
        assertEquals(Optional.of("kc-session-1"), verified.sid());
        assertEquals(Optional.of("user-1"), verified.sub());
    }

    @Test
    void aTokenWithOnlySubIsAccepted() throws Exception {
        LogoutTokens.Verified verified = tokens.verify(idp.sign(valid().claim("sid", null).build()));
        assertEquals(Optional.empty(), verified.sid());
        assertEquals(Optional.of("user-1"), verified.sub());
    }

    @Test
    void aReplayedJtiIsRefused() throws Exception {
        String token = idp.sign(valid().build());
        tokens.verify(token);
        LogoutTokens.Invalid replay = assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(token));
        assertTrue(replay.getMessage().contains("jti"), replay.getMessage());
    }

    @Test
    void anInvalidTokenDoesNotBurnItsJti() throws Exception {
        String jti = UUID.randomUUID().toString();
        assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(idp.sign(valid().jwtID(jti).claim("nonce", "n")
                .build())));
        tokens.verify(idp.sign(valid().jwtID(jti).build()));
    }

    static Stream<Arguments> refused() {
        Instant now = Instant.now();
        return Stream.of(
                row("wrong issuer", b -> b.issuer("https://evil.example/realm"), "issuer"),
                row("wrong audience", b -> b.audience("other-app"), "aud"),
                row("no events claim", b -> b.claim("events", null), "event"),
                row("events without the logout event", b -> b.claim("events", Map.of("http://other/event",
                        Map.of())), "event"),
                row("nonce present", b -> b.claim("nonce", "abc"), "nonce"),
                row("neither sid nor sub", b -> b.subject(null).claim("sid", null), "sid"),
                row("no jti", b -> b.jwtID(null), "jti"),
                row("no iat", b -> b.issueTime(null), "iat"),
                row("iat too old", b -> b.issueTime(Date.from(now.minus(Duration.ofMinutes(10)))), "too old"),
                row("iat in the future", b -> b.issueTime(Date.from(now.plus(Duration.ofMinutes(10)))), "future"),
                row("expired", b -> b.expirationTime(Date.from(now.minus(Duration.ofMinutes(2)))), "exp"),
                row("no exp", b -> b.expirationTime(null), "exp"));
    }

    private static Arguments row(String name, UnaryOperator<JWTClaimsSet.Builder> change, String reason) {
        return Arguments.of(name, change, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aTokenBreakingARuleIsRefused(String name, UnaryOperator<JWTClaimsSet.Builder> change, String reason)
            throws Exception {
        String token = idp.sign(change.apply(valid()).build());
        LogoutTokens.Invalid invalid = assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(token));
        assertTrue(invalid.getMessage().contains(reason), name + ": " + invalid.getMessage());
        assertFalse(invalid.getMessage().contains(token.substring(0, 20)), "the token is not quoted");
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .type(new JOSEObjectType("logout+jwt")).build(), valid().build());
        jwt.sign(new RSASSASigner(stranger));
        LogoutTokens.Invalid invalid = assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(jwt.serialize()));
        assertTrue(invalid.getMessage().contains("signature"), invalid.getMessage());
    }

    @Test
    void unsignedAndHmacTokensAreRefused() throws Exception {
        assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(new PlainJWT(valid().build()).serialize()));
        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), valid().build());
        hmac.sign(new MACSigner(new byte[32]));
        assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(hmac.serialize()));
        assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify("not-a-jwt"));
        assertThrows(LogoutTokens.Invalid.class, () -> tokens.verify(null));
    }
}
