package io.renku.gateway.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.onelogin.saml2.util.Util;
import com.sun.net.httpserver.HttpServer;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.login.TokenEndpoint;
import io.renku.gateway.login.TokenRefresher;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.redis.LocalLocks;
import io.renku.gateway.redis.ShortLivedValues;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpSession;
import io.renku.gateway.session.InMemorySessionIndex;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * RFC 7522 against a small token endpoint of our own (Keycloak does not offer the saml2-bearer grant): the assertion
 * the ACS validated goes out base64url-encoded with the grant type and client authentication, its signature still
 * verifying on its own, and the tokens come back as the provider's token set; a refusal stores nothing.
 */
class AssertionExchangeComponentTest {
    private static final SamlForge IDP = new SamlForge("idp");

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<Map<String, List<String>>> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicReference<String> refreshAnswer = new AtomicReference<>();
    private final AtomicReference<Integer> status = new AtomicReference<>(200);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", exchange -> {
            Map<String, List<String>> form = URLUtils.parseParameters(new String(
                    exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(form);
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            boolean refresh = List.of("refresh_token").equals(form.get("grant_type")) && refreshAnswer.get() != null;
            byte[] body = (refresh ? refreshAnswer.get() : answer.get()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private SamlProvider provider() throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", "https://renku.example.org");
        values.put("login.providers", "uni");
        values.put("login.providers.uni.type", "saml");
        values.put("login.providers.uni.idpMetadataFile", IDP.metadataFile(dir).toString());
        values.put("login.providers.uni.tokenEndpoint", "http://127.0.0.1:" + server.getAddress().getPort()
                + "/token");
        values.put("login.providers.uni.clientID", "gateway");
        values.put("login.providers.uni.clientSecret", "s3cret");
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                values::get)));
        return new SamlProvider(settings.samlProviders().get("uni"), Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Clock.systemUTC());
    }

    @Test
    void theValidatedAssertionIsExchangedForTokens() throws Exception {
        answer.set("{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                + "\"refresh_token\":\"rt-1\"}");
        SamlProvider provider = provider();
        AssertionCheck.Verified verified = new AssertionCheck(new InMemorySessionIndex(Duration.ofHours(1),
                Clock.systemUTC())).check(provider, IDP.response(new SamlForge.Spec()), Optional.of("_gwrequest1"));
        TokenSet tokens = new AssertionExchange(Duration.ofSeconds(2), Clock.systemUTC())
                .exchange(provider.settings(), verified.xml()).orElseThrow();
        assertEquals("uni", tokens.provider());
        assertEquals("at-1", tokens.accessToken().reveal());
        assertEquals("rt-1", tokens.refreshToken().orElseThrow().reveal());
        assertTrue(tokens.expiresAt().isPresent());

        Map<String, List<String>> sent = requests.get(0);
        assertEquals(List.of("urn:ietf:params:oauth:grant-type:saml2-bearer"), sent.get("grant_type"));
        assertTrue(authorizations.get(0).startsWith("Basic "), "client_secret_basic");
        String assertion = new String(java.util.Base64.getUrlDecoder().decode(sent.get("assertion").get(0)),
                StandardCharsets.UTF_8);
        assertTrue(assertion.startsWith("<saml:Assertion"), assertion);
        Document alone = Util.loadXML(assertion);
        assertTrue(Util.validateSign(alone, List.of(IDP.cert), null, null, "/saml:Assertion/ds:Signature"),
                "the assertion still verifies on its own at the authorization server");
    }

    @Test
    void aRefusedAssertionIsA400AndAnUnreachableEndpointA502() throws Exception {
        answer.set("{\"error\":\"invalid_grant\"}");
        status.set(400);
        SamlProvider provider = provider();
        GatewayException refused = assertThrows(GatewayException.class, () -> new AssertionExchange(
                Duration.ofSeconds(2), Clock.systemUTC()).exchange(provider.settings(), "<saml:Assertion/>"));
        assertEquals(ErrorKind.BAD_REQUEST, refused.kind());
        assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
        server.stop(0);
        GatewayException down = assertThrows(GatewayException.class, () -> new AssertionExchange(
                Duration.ofSeconds(2), Clock.systemUTC()).exchange(provider.settings(), "<saml:Assertion/>"));
        assertEquals(ErrorKind.BAD_GATEWAY, down.kind());
    }

    @Test
    void exchangedTokensAreRefreshedWithTheRefreshTokenAtTheSameTokenEndpoint() throws Exception {
        answer.set("{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":30,"
                + "\"refresh_token\":\"rt-1\"}");
        refreshAnswer.set("{\"access_token\":\"at-2\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                + "\"refresh_token\":\"rt-2\"}");
        SamlProvider provider = provider();
        AssertionCheck.Verified verified = new AssertionCheck(new InMemorySessionIndex(Duration.ofHours(1),
                Clock.systemUTC())).check(provider, IDP.response(new SamlForge.Spec()), Optional.of("_gwrequest1"));
        TokenSet exchanged = new AssertionExchange(Duration.ofSeconds(2), Clock.systemUTC())
                .exchange(provider.settings(), verified.xml()).orElseThrow();

        TokenCipher cipher = new TokenCipher(List.of(new byte[32]), new java.security.SecureRandom());
        SessionTokens tokens = new SessionTokens(cipher);
        Map<String, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();
        HttpSession session = session(attributes);
        tokens.store(session, exchanged);
        var settings = provider.settings();
        try (LocalLocks locks = new LocalLocks()) {
            TokenRefresher refresher = new TokenRefresher(Map.of(), List.of(new TokenEndpoint(settings.id(),
                    () -> settings.tokenEndpoint().orElseThrow(), settings.clientId(), settings.clientSecret(),
                    Duration.ofSeconds(2))), "uni", tokens, locks, ShortLivedValues.local(), cipher,
                    Duration.ofSeconds(60), Duration.ofSeconds(5), Clock.systemUTC(),
                    io.renku.gateway.metrics.GatewayMetrics.inMemory());
            assertTrue(refresher.due(exchanged), "30 s left is within the 60 s skew");
            TokenSet fresh = refresher.fresh(session, exchanged);
            assertEquals("at-2", fresh.accessToken().reveal());
            assertEquals("rt-2", fresh.refreshToken().orElseThrow().reveal());
            assertEquals("at-2", tokens.load(session, "uni").orElseThrow().accessToken().reveal(), "stored");
            assertFalse(refresher.due(fresh));
        }
        Map<String, List<String>> sent = requests.get(1);
        assertEquals(List.of("refresh_token"), sent.get("grant_type"));
        assertEquals(List.of("rt-1"), sent.get("refresh_token"));
        assertTrue(authorizations.get(1).startsWith("Basic "), "the same client authentication");

        refreshAnswer.set("{\"error\":\"invalid_grant\"}");
        status.set(400);
        try (LocalLocks locks = new LocalLocks()) {
            TokenRefresher refresher = new TokenRefresher(Map.of(), List.of(new TokenEndpoint(settings.id(),
                    () -> settings.tokenEndpoint().orElseThrow(), settings.clientId(), settings.clientSecret(),
                    Duration.ofSeconds(2))), "uni", tokens, locks, ShortLivedValues.local(), cipher,
                    Duration.ofSeconds(60), Duration.ofSeconds(5), Clock.systemUTC(),
                    io.renku.gateway.metrics.GatewayMetrics.inMemory());
            GatewayException refused = assertThrows(GatewayException.class, () -> refresher.fresh(session,
                    new TokenSet("uni", Secret.of("at-2"), Optional.of(Secret.of("rt-2")), Optional.empty(),
                    exchanged.expiresAt())));
            assertEquals(ErrorKind.UNAUTHORIZED, refused.kind());
            assertTrue(tokens.load(session, "uni").isEmpty(), "a refused refresh ends that login");
        }
    }

    private static HttpSession session(Map<String, Object> attributes) {
        return (HttpSession) java.lang.reflect.Proxy.newProxyInstance(AssertionExchangeComponentTest.class
                .getClassLoader(), new Class<?>[] {HttpSession.class}, (p, method, args) -> switch (method.getName()) {
                    case "getId" -> "s-1";
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    case "getAttributeNames" -> java.util.Collections.enumeration(List.copyOf(attributes.keySet()));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
