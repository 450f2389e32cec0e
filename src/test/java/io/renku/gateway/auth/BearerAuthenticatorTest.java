package io.renku.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.Base64URL;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.config.TokenVerificationSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BearerAuthenticatorTest {
    private static TestIdp idp;
    private static BearerAuthenticator authenticator;

    @BeforeAll
    static void start() throws Exception {
        idp = new TestIdp();
        Map<String, String> values = new HashMap<>();
        values.put(TokenVerificationSettings.AUTHORIZATION_VERIFIERS, idp.issuer() + "|renku");
        values.put(TokenVerificationSettings.INTROSPECTION, "gitlab");
        values.put("sessions.introspection.gitlab.issuer", "https://gitlab.example");
        values.put("sessions.introspection.gitlab.endpoint", idp.introspectionEndpoint("gitlab").toString());
        values.put("sessions.introspection.gitlab.clientID", TestIdp.CLIENT_ID);
        values.put("sessions.introspection.gitlab.clientSecret", TestIdp.CLIENT_SECRET);
        TokenVerificationSettings settings = TokenVerificationSettings.read(
                new SettingReader(new SettingsSource(k -> null, k -> null, values::get)));
        authenticator = BearerAuthenticator.fromSettings(settings, Duration.ofSeconds(2));
        idp.introspection.get("gitlab").put("glpat-xyz",
                "{\"active\":true,\"sub\":\"9\",\"username\":\"gl-user\",\"exp\":"
                        + (System.currentTimeMillis() / 1000 + 3600) + "}");
    }

    @AfterAll
    static void stop() {
        authenticator.close();
        idp.close();
    }

    private static String basic(String user, String token) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noHeaderIsNoIdentity() {
        assertTrue(authenticator.authenticate((String) null).isEmpty());
    }

    @Test
    void bearerJwtIsVerifiedLocally() throws Exception {
        int introspected = introspectionHits();
        Identity identity = authenticator.authenticate("Bearer " + idp.rs256(idp.claims().build())).orElseThrow();
        assertEquals(AuthMethod.BEARER, identity.method());
        assertEquals(idp.issuer(), identity.issuer());
        assertEquals(introspected, introspectionHits(), "a JWT is never shown to an introspection provider");
    }

    private static int introspectionHits() {
        return idp.introspectionHits.getOrDefault("gitlab", new java.util.concurrent.atomic.AtomicInteger()).get();
    }

    @Test
    void jwtAsBasicPasswordIsVerifiedAsBasic() throws Exception {
        Identity identity = authenticator.authenticate(basic("anyone", idp.rs256(idp.claims().build()))).orElseThrow();
        assertEquals(AuthMethod.BASIC, identity.method());
        assertEquals("user-1", identity.subject());
    }

    @Test
    void opaqueTokenGoesToIntrospection() {
        Identity bearer = authenticator.authenticate("Bearer glpat-xyz").orElseThrow();
        assertEquals("9", bearer.subject());
        assertEquals("https://gitlab.example", bearer.issuer());
        Identity basic = authenticator.authenticate(basic("oauth2", "glpat-xyz")).orElseThrow();
        assertEquals(AuthMethod.BASIC, basic.method());
    }

    @Test
    void unsignedJwtTakesTheJwtPathAndIsRefused() throws Exception {
        String none = Base64URL.encode("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + Base64URL.encode(idp.claims().build().toString().getBytes(StandardCharsets.UTF_8)) + ".";
        GatewayException e = assertThrows(GatewayException.class, () -> authenticator.authenticate("Bearer " + none));
        assertEquals(ErrorKind.INVALID_TOKEN, e.kind());
        assertTrue(e.getMessage().contains("alg none"), e.getMessage());
    }

    @Test
    void malformedHeaderIsBadRequestAndUnknownTokenIsUnauthorized() {
        assertEquals(400, assertThrows(GatewayException.class,
                () -> authenticator.authenticate("Bearer a b")).kind().status());
        assertEquals(401, assertThrows(GatewayException.class,
                () -> authenticator.authenticate("Bearer not-a-known-token")).kind().status());
    }
}
