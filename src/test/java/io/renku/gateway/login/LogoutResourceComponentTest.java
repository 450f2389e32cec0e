package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.LogoutSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.session.InMemorySessionIndex;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The logout resource as plain Java against a provider of our own (real discovery with an {@code end_session_endpoint}),
 * with small in-memory stand-ins for the request and session: the renku-only logout, the chain through GitLab's
 * end-session with the {@code state}-bound second hop, and the cases that must end at the validated target.
 */
class LogoutResourceComponentTest {
    private static final String BASE = "https://renku.example.org";
    private static TestOidcProvider idp;

    private final SessionTokens tokens = new SessionTokens(new TokenCipher(List.of(new byte[32]), new SecureRandom()));
    private final TokenCipher cipher = new TokenCipher(List.of(new byte[32]), new SecureRandom());
    private Map<String, Object> session;
    private boolean invalidated;

    @BeforeAll
    static void startProvider() throws Exception {
        idp = new TestOidcProvider();
    }

    @AfterAll
    static void stopProvider() {
        idp.close();
    }

    @Test
    void logoutEndsTheSessionAndGoesThroughTheUserProvidersEndSession() throws Exception {
        LogoutResource resource = resource(false);
        String idToken = loggedIn("renku-id");
        Response response = resource.logoutByLink(BASE + "/projects");
        assertTrue(invalidated, "the session is deleted first");
        Map<String, String> query = endSession(response);
        assertEquals(BASE + "/projects", query.get("post_logout_redirect_uri"));
        assertEquals(idToken, query.get("id_token_hint"));
        assertEquals(TestOidcProvider.CLIENT_ID, query.get("client_id"));
        assertEquals("no-store", response.getHeaderString("Cache-Control"));
    }

    @Test
    void withGitlabLogoutKeycloakSendsTheBrowserOnToGitlabsEndSessionThenToTheTarget() throws Exception {
        LogoutResource resource = resource(true);
        loggedIn("renku-id");
        String gitlabIdToken = idp.sign(new JWTClaimsSet.Builder().subject("gitlab-id").build());
        tokens.store(proxy(), new TokenSet("gitlab", Secret.of("gitlab-access"), Optional.empty(),
                Optional.of(Secret.of(gitlabIdToken)), Optional.empty()));

        Map<String, String> first = endSession(resource.logoutByLink("https://evil.example/"));
        assertTrue(invalidated);
        assertEquals(BASE + "/api/auth/logout/continue", first.get("post_logout_redirect_uri"));
        assertNotNull(session, "a fresh session holds the second hop");
        assertFalse(session.values().stream().anyMatch(v -> String.valueOf(v).contains(gitlabIdToken)),
                "GitLab's ID token is stored encrypted");

        Map<String, Object> hop = session;
        Response wrongState = resource.continueAtGitlab("forged");
        assertEquals(URI.create(BASE + "/"), wrongState.getLocation(), "a wrong state ends at the base URL");
        session = hop;
        invalidated = false;
        Map<String, String> second = endSession(resource.continueAtGitlab(first.get("state")));
        assertTrue(invalidated, "the hop's session is deleted too");
        assertEquals(gitlabIdToken, second.get("id_token_hint"));
        assertEquals(BASE + "/", second.get("post_logout_redirect_uri"), "the refused target became the base URL");
    }

    @Test
    void withoutASessionTheBrowserGoesStraightToTheTarget() throws Exception {
        session = null;
        assertEquals(URI.create(BASE + "/x"), resource(true).logoutByLink("/x").getLocation());
        assertEquals(URI.create(BASE + "/"), resource(true).continueAtGitlab("any").getLocation());
    }

    @Test
    void userProfileIsTheAccountConsoleOfTheUserProvider() throws Exception {
        assertEquals(URI.create(idp.issuer() + "/account"), resource(false).userProfile().getLocation());
    }

    private String loggedIn(String subject) throws Exception {
        session = new HashMap<>();
        invalidated = false;
        String idToken = idp.sign(new JWTClaimsSet.Builder().issuer(idp.issuer()).subject(subject)
                .claim("sid", "kc-1").build());
        tokens.store(proxy(), new TokenSet("renku", Secret.of("access"), Optional.empty(),
                Optional.of(Secret.of(idToken)), Optional.empty()));
        return idToken;
    }

    private static Map<String, String> endSession(Response response) {
        assertEquals(302, response.getStatus());
        URI location = response.getLocation();
        assertEquals(idp.issuer() + "/logout", location.toString().replaceAll("\\?.*", ""));
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return values;
    }

    private LogoutResource resource(boolean gitlabToo) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", BASE);
        for (String id : List.of("renku", "gitlab")) {
            values.put("login.providers." + id + ".issuer", idp.issuer());
            values.put("login.providers." + id + ".clientID", TestOidcProvider.CLIENT_ID);
        }
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                values::get)));
        Map<String, OidcProvider> providers = new LinkedHashMap<>();
        for (LoginSettings.Provider p : settings.providers().values()) {
            providers.put(p.id(), new OidcProvider(p, Set.of("RS256"), Duration.ofSeconds(30), Duration.ofSeconds(2),
                    Duration.ofSeconds(5), Clock.systemUTC()));
        }
        LogoutResource resource = new LogoutResource(settings, new LogoutSettings(gitlabToo), providers, tokens,
                cipher, new SessionIndexing(new InMemorySessionIndex(Duration.ofHours(1), Clock.systemUTC()), tokens,
                        "renku"));
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, method, args) -> switch (method.getName()) {
                    case "getSession" -> {
                        if (session == null && (Boolean) args[0]) {
                            session = new HashMap<>();
                        }
                        yield session == null ? null : proxy();
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Field field = LogoutResource.class.getDeclaredField("request");
        field.setAccessible(true);
        field.set(resource, request);
        return resource;
    }

    private HttpSession proxy() {
        Map<String, Object> attributes = session;
        return (HttpSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpSession.class},
                (p, method, args) -> switch (method.getName()) {
                    case "getId" -> "session-id";
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    case "getAttributeNames" -> Collections.enumeration(List.copyOf(attributes.keySet()));
                    case "invalidate" -> {
                        invalidated = true;
                        session = null;
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
