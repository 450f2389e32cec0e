package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The login resource as plain Java against a provider of our own ({@link TestOidcProvider}): the request and session
 * are small in-memory stand-ins, everything else (discovery, PKCE, the token request, Nimbus' ID-token validation) is
 * real. The ID-token rows follow the OpenID Foundation's relying-party conformance tests; each must be refused with a
 * 400 that says why, without echoing the nonce, and leave no user and no tokens in the session.
 */
class LoginCallbackComponentTest {
    private static final String ACCESS = "access-token-value-for-tests";
    private static final String BASE = "https://renku.example.org";
    private static TestOidcProvider idp;
    private static RSAKey stranger;

    private FakeSession session;
    private HttpServletRequest request;
    private LoginResource resource;
    private Map<String, OidcProvider> providers;
    private SessionTokens tokens;
    private int idChanges;

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
    void setUp() throws Exception {
        idp.discoveryDown.set(false);
        idp.tokenDelayMillis.set(0);
        idp.tokenAnswers.clear();
        idp.tokenRequests.clear();
        idp.tokenAuthorizations.clear();
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", BASE);
        for (String id : List.of("renku", "gitlab")) {
            values.put("login.providers." + id + ".issuer", idp.issuer());
            values.put("login.providers." + id + ".clientID", TestOidcProvider.CLIENT_ID);
            values.put("login.providers." + id + ".clientSecret", TestOidcProvider.CLIENT_SECRET);
        }
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                values::get)));
        providers = new LinkedHashMap<>();
        for (LoginSettings.Provider p : settings.providers().values()) {
            providers.put(p.id(), new OidcProvider(p, Set.of("RS256", "ES256"), Duration.ofSeconds(30),
                    Duration.ofMillis(1000), Duration.ofSeconds(5), Clock.systemUTC()));
        }
        TokenCipher cipher = new TokenCipher(List.of(new byte[32]), new SecureRandom());
        tokens = new SessionTokens(cipher);
        resource = new LoginResource(settings, providers, tokens, cipher, Clock.systemUTC());
        session = null;
        idChanges = 0;
        request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getSession" -> {
                        if (session != null && session.invalidated) {
                            session = null;
                        }
                        if (session == null && (args == null || (Boolean) args[0])) {
                            session = new FakeSession();
                        }
                        yield session == null ? null : session.proxy;
                    }
                    case "changeSessionId" -> {
                        idChanges++;
                        yield "id-" + idChanges;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Field field = LoginResource.class.getDeclaredField("request");
        field.setAccessible(true);
        field.set(resource, request);
    }

    @Test
    void wholeChainStoresTokensAndUserChangesTheIdAndEndsAtTheRedirect() throws Exception {
        Map<String, String> renku = start("/projects/1");
        idp.tokenAnswers.add(answer(claims(renku.get("nonce"), UnaryOperator.identity()), ACCESS));
        Response toGitlab = resource.callback(renku.get("state"), "code-1", null, null);
        assertEquals(302, toGitlab.getStatus());
        Map<String, String> gitlab = query(toGitlab.getLocation());
        assertNotEquals(renku.get("state"), gitlab.get("state"), "each step has its own state");
        assertEquals("demo", SessionUser.load(session.proxy).orElseThrow().preferredUsername());
        assertEquals(1, idChanges, "the id changes as soon as the session holds tokens");

        String body = idp.tokenRequests.peek();
        assertTrue(body.contains("grant_type=authorization_code") && body.contains("code=code-1"), body);
        String verifier = form(body).get("code_verifier");
        assertEquals(renku.get("code_challenge"), Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII))));
        assertEquals("Basic " + Base64.getEncoder().encodeToString(
                (TestOidcProvider.CLIENT_ID + ":" + TestOidcProvider.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8)),
                idp.tokenAuthorizations.peek(), "client_secret_basic");

        idp.tokenAnswers.add(answer(claims(gitlab.get("nonce"), b -> b.subject("gitlab-user")), "gitlab-access"));
        Response done = resource.callback(gitlab.get("state"), "code-2", null, idp.issuer());
        assertEquals(302, done.getStatus());
        assertEquals(URI.create(BASE + "/projects/1"), done.getLocation());
        assertEquals(2, idChanges);
        assertEquals(List.of("gitlab", "renku"), tokens.providers(session.proxy));
        TokenSet stored = tokens.load(session.proxy, "renku").orElseThrow();
        assertEquals(ACCESS, stored.accessToken().reveal());
        assertTrue(stored.refreshToken().isPresent() && stored.idToken().isPresent());
        assertTrue(stored.expiresAt().orElseThrow().isAfter(Instant.now()));
        assertEquals("user-1", SessionUser.load(session.proxy).orElseThrow().subject(), "the renku user stays");
        assertFalse(session.attributes.values().stream().anyMatch(v -> String.valueOf(v).contains(ACCESS)),
                "tokens are encrypted in the session");

        GatewayException replay = assertThrows(GatewayException.class,
                () -> resource.callback(gitlab.get("state"), "code-2", null, null));
        assertEquals(ErrorKind.BAD_REQUEST, replay.kind());
        assertTrue(replay.getMessage().contains("No login is in progress"), replay.getMessage());
    }

    @Test
    void reusedStateOfAnEarlierStepIsRefused() throws Exception {
        Map<String, String> renku = start(null);
        idp.tokenAnswers.add(answer(claims(renku.get("nonce"), UnaryOperator.identity()), ACCESS));
        resource.callback(renku.get("state"), "code-1", null, null);
        GatewayException e = assertThrows(GatewayException.class,
                () -> resource.callback(renku.get("state"), "code-1", null, null));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    }

    @Test
    void providerErrorMissingCodeAndForeignIssuerAreClearPagesThatStoreNothing() throws Exception {
        Map<String, String> q = start(null);
        GatewayException denied = assertThrows(GatewayException.class,
                () -> resource.callback(q.get("state"), null, "access_denied", null));
        assertTrue(denied.getMessage().contains("did not log you in (access_denied)"), denied.getMessage());
        assertNothingStored();

        Map<String, String> q2 = start(null);
        GatewayException odd = assertThrows(GatewayException.class,
                () -> resource.callback(q2.get("state"), null, "<script>", null));
        assertFalse(odd.getMessage().contains("<script>"));

        Map<String, String> q3 = start(null);
        assertTrue(assertThrows(GatewayException.class, () -> resource.callback(q3.get("state"), null, null, null))
                .getMessage().contains("no authorization code"));

        Map<String, String> q4 = start(null);
        assertTrue(assertThrows(GatewayException.class,
                () -> resource.callback(q4.get("state"), "c", null, "https://evil.example")).getMessage()
                .contains("another identity provider"));
        assertNothingStored();
    }

    @Test
    void unknownProviderIdIsRefusedAndProviderIdPicksTheChain() throws Exception {
        GatewayException e = assertThrows(GatewayException.class,
                () -> resource.login(null, List.of("renku,nope")));
        assertTrue(e.getMessage().contains("'nope' is not configured"), e.getMessage());
        Response only = resource.login("https://evil.example/", List.of("gitlab"));
        Map<String, String> q = query(only.getLocation());
        idp.tokenAnswers.add(answer(claims(q.get("nonce"), UnaryOperator.identity()), "gitlab-access"));
        Response done = resource.callback(q.get("state"), "c", null, null);
        assertEquals(URI.create(BASE + "/"), done.getLocation(), "a foreign redirect_url ends at the base URL");
        assertEquals(List.of("gitlab"), tokens.providers(session.proxy));
        assertTrue(SessionUser.load(session.proxy).isEmpty(), "only the renku provider says who the user is");
    }

    @Test
    void providerDownAtLoginIs502AndCreatesNoSession() {
        idp.discoveryDown.set(true);
        OidcProvider fresh = providers.get("renku");
        GatewayException e = assertThrows(GatewayException.class, () -> resource.login(null, List.of()));
        assertEquals(ErrorKind.BAD_GATEWAY, e.kind());
        assertTrue(e.getMessage().contains("'renku'"), e.getMessage());
        assertNull(session, "nothing stored");
        assertThrows(GatewayException.class, fresh::probe, "readiness names the provider as down");
        int hits = idp.discoveryHits.get();
        assertThrows(GatewayException.class, () -> resource.login(null, List.of()));
        assertEquals(hits, idp.discoveryHits.get(), "a failed discovery is not retried at once");
    }

    @Test
    void slowTokenEndpointIs504AndGarbageIs502AndARefusedCodeIs400() throws Exception {
        Map<String, String> q = start(null);
        idp.tokenDelayMillis.set(1500);
        idp.tokenAnswers.add(answer(claims(q.get("nonce"), UnaryOperator.identity()), ACCESS));
        GatewayException slow = assertThrows(GatewayException.class,
                () -> resource.callback(q.get("state"), "c", null, null));
        assertEquals(ErrorKind.GATEWAY_TIMEOUT, slow.kind(), slow.getMessage());
        assertNothingStored();
        idp.tokenDelayMillis.set(0);
        Thread.sleep(600);
        idp.tokenAnswers.clear();

        Map<String, String> q2 = start(null);
        idp.tokenAnswers.add("<html>oops</html>");
        assertEquals(ErrorKind.BAD_GATEWAY, assertThrows(GatewayException.class,
                () -> resource.callback(q2.get("state"), "c", null, null)).kind());
        assertNothingStored();

        Map<String, String> q3 = start(null);
        idp.tokenAnswers.add("{\"error\":\"invalid_grant\"}");
        GatewayException refused = assertThrows(GatewayException.class,
                () -> resource.callback(q3.get("state"), "c", null, null));
        assertEquals(ErrorKind.BAD_REQUEST, refused.kind());
        assertTrue(refused.getMessage().contains("invalid_grant"));
        assertNothingStored();
    }

    static Stream<Arguments> badIdTokens() {
        return Stream.of(
                Arguments.of("bad signature", (IdToken) (nonce, t) -> sign(claims(nonce, UnaryOperator.identity()),
                        stranger, "rsa-1"), "signature is invalid"),
                Arguments.of("alg none", (IdToken) (nonce, t) -> new PlainJWT(claims(nonce, UnaryOperator.identity()))
                        .serialize(), "not signed"),
                Arguments.of("unknown kid", (IdToken) (nonce, t) -> sign(claims(nonce, UnaryOperator.identity()),
                        stranger, "rsa-unknown"), "alg/kid"),
                Arguments.of("HS256 with the client secret", (IdToken) (nonce, t) -> {
                    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                            claims(nonce, UnaryOperator.identity()));
                    jwt.sign(new MACSigner((TestOidcProvider.CLIENT_SECRET + "-padded-to-32-bytes-or-more")
                            .getBytes(StandardCharsets.UTF_8)));
                    return jwt.serialize();
                }, "alg/kid"),
                Arguments.of("wrong iss", own(b -> b.issuer("https://evil.example/realm")), "issued by someone else"),
                Arguments.of("wrong aud", own(b -> b.audience("other-app")), "another client"),
                Arguments.of("expired", own(b -> b.issueTime(ago(900)).expirationTime(ago(600))), "expired"),
                Arguments.of("iat far in the future", own(b -> b.issueTime(ago(-3600)).expirationTime(ago(-4000))),
                        "issued in the future"),
                Arguments.of("missing nonce", (IdToken) (nonce, t) -> sign(claims(null, UnaryOperator.identity()),
                        idp.key, "rsa-1"), "no nonce"),
                Arguments.of("wrong nonce", (IdToken) (nonce, t) -> sign(claims("nonce-of-another-login",
                        UnaryOperator.identity()), idp.key, "rsa-1"), "nonce does not belong"),
                Arguments.of("at_hash mismatch", own(b -> b.claim("at_hash",
                        AccessTokenHash.compute(new BearerAccessToken("another-token"), JWSAlgorithm.RS256)
                                .getValue())), "at_hash"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIdTokens")
    void idTokenFailingAConformanceCheckIsRefusedAndLeavesNoUser(String name, IdToken token, String reason)
            throws Exception {
        Map<String, String> q = start(null);
        String nonce = q.get("nonce");
        idp.tokenAnswers.add(JSONObjectUtils.toJSONString(Map.of("access_token", ACCESS, "token_type", "Bearer",
                "expires_in", 300, "refresh_token", "refresh", "id_token", token.make(nonce, ACCESS))));
        GatewayException e = assertThrows(GatewayException.class,
                () -> resource.callback(q.get("state"), "code", null, null));
        assertEquals(ErrorKind.BAD_REQUEST, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(e.getMessage().contains(nonce) || e.getMessage().contains("nonce-of-another-login")
                || e.getMessage().contains(ACCESS), "no secret in the detail");
        assertNothingStored();
        assertThrows(GatewayException.class, () -> resource.callback(q.get("state"), "code", null, null),
                "the state is used up");
    }

    /** Builds the ID token a test row sends for the login's nonce. */
    interface IdToken {
        String make(String nonce, String accessToken) throws JOSEException;
    }

    private static IdToken own(UnaryOperator<JWTClaimsSet.Builder> change) {
        return (nonce, t) -> sign(claims(nonce, change), idp.key, "rsa-1");
    }

    private static Date ago(long seconds) {
        return Date.from(Instant.now().minusSeconds(seconds));
    }

    private static JWTClaimsSet claims(String nonce, UnaryOperator<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(idp.issuer()).subject("user-1")
                .audience(TestOidcProvider.CLIENT_ID).issueTime(ago(5)).expirationTime(ago(-300))
                .claim("preferred_username", "demo").claim("email", "demo@example.org")
                .claim("at_hash", AccessTokenHash.compute(new BearerAccessToken(ACCESS), JWSAlgorithm.RS256)
                        .getValue());
        if (nonce != null) {
            b.claim("nonce", nonce);
        }
        return change.apply(b).build();
    }

    private static String sign(JWTClaimsSet claims, RSAKey key, String kid) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String answer(JWTClaimsSet claims, String access) throws JOSEException {
        JWTClaimsSet withHash = new JWTClaimsSet.Builder(claims).claim("at_hash",
                AccessTokenHash.compute(new BearerAccessToken(access), JWSAlgorithm.RS256).getValue()).build();
        return JSONObjectUtils.toJSONString(Map.of("access_token", access, "token_type", "Bearer", "expires_in", 300,
                "refresh_token", "refresh-" + access, "id_token", sign(withHash, idp.key, "rsa-1")));
    }

    private Map<String, String> start(String redirect) {
        Response response = resource.login(redirect, List.of());
        assertEquals(302, response.getStatus());
        URI location = response.getLocation();
        assertTrue(location.toString().startsWith(idp.issuer() + "/auth?"), location.toString());
        Map<String, String> q = query(location);
        assertEquals("S256", q.get("code_challenge_method"));
        assertEquals(BASE + "/api/auth/callback", q.get("redirect_uri"));
        assertTrue(q.get("scope").contains("openid"));
        return q;
    }

    private void assertNothingStored() {
        assertTrue(SessionUser.load(session.proxy).isEmpty(), "no user stored");
        assertTrue(tokens.providers(session.proxy).isEmpty(), "no tokens stored");
        assertNull(session.attributes.get(LoginResource.PENDING), "the state is consumed");
        assertEquals(0, idChanges);
    }

    private static Map<String, String> query(URI uri) {
        return form(uri.getRawQuery());
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> out = new HashMap<>();
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** An in-memory {@link HttpSession}: attributes in a map, and whether it was invalidated. */
    private static final class FakeSession {
        final Map<String, Object> attributes = new HashMap<>();
        boolean invalidated;
        final HttpSession proxy = (HttpSession) Proxy.newProxyInstance(FakeSession.class.getClassLoader(),
                new Class<?>[] {HttpSession.class}, (p, method, args) -> switch (method.getName()) {
                    case "getId" -> "fake-session-id";
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    case "getAttributeNames" -> Collections.enumeration(List.copyOf(attributes.keySet()));
                    case "invalidate" -> {
                        invalidated = true;
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
