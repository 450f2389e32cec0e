package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.PasswordGrant;
import java.io.IOException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The login chain through the real Keycloak without a browser: the gateway sends us to the {@code renku} realm, we
 * post the demo user's credentials to its login form, Keycloak sends us back with a code, the gateway sends us on to
 * the realm playing GitLab, and finally to {@code redirect_url}. Both Keycloak's cookies and the gateway's are
 * {@code Secure}, so over these plain-http test connections they are sent by hand, as a browser on https would
 * ({@link KeycloakBrowser}).
 */
@GatewayIT
class LoginIT {
    private final ObjectMapper json = new ObjectMapper();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void wholeChainLogsInAtKeycloakThenGitlabAndEndsAtTheRedirectUrl() throws Exception {
        Http http = new Http(base);
        KeycloakBrowser keycloak = new KeycloakBrowser();
        String target = base + "projects/1?tab=files";

        HttpResponse<String> start = http.get("api/auth/login?redirect_url=" + enc(target));
        assertEquals(302, start.statusCode(), start.body());
        String renkuAuthorize = location(start);
        assertTrue(renkuAuthorize.startsWith(PasswordGrant.issuer("renku") + "/protocol/openid-connect/auth?"),
                renkuAuthorize);
        assertTrue(renkuAuthorize.contains("code_challenge_method=S256"), renkuAuthorize);
        String preLogin = cookie(start, null);

        String renkuCallback = keycloak.logIn(renkuAuthorize);
        assertTrue(renkuCallback.startsWith(base + "api/auth/callback?"), renkuCallback);
        assertTrue(renkuCallback.contains("code="), renkuCallback);
        HttpResponse<String> afterRenku = http.get(relative(renkuCallback), "Cookie", preLogin);
        assertEquals(302, afterRenku.statusCode(), afterRenku.body());
        String gitlabAuthorize = location(afterRenku);
        assertTrue(gitlabAuthorize.startsWith(PasswordGrant.issuer("gitlab") + "/protocol/openid-connect/auth?"),
                gitlabAuthorize);
        String midLogin = cookie(afterRenku, preLogin);

        String gitlabCallback = keycloak.logIn(gitlabAuthorize);
        HttpResponse<String> done = http.get(relative(gitlabCallback), "Cookie", midLogin);
        assertEquals(302, done.statusCode(), done.body());
        assertEquals(target, location(done));
        String session = cookie(done, midLogin);
        assertNotEquals(value(preLogin), value(session), "the session id changes at login (fixation)");

        HttpResponse<String> user = http.get("api/auth/user", "Cookie", session);
        assertEquals(200, user.statusCode(), user.body());
        JsonNode body = json.readTree(user.body());
        assertEquals("session", body.path("authenticated_by").asText());
        assertEquals("demo", body.path("preferred_username").asText());
        assertEquals(PasswordGrant.issuer("renku"), body.path("issuer").asText());
        assertEquals("[\"gitlab\",\"renku\"]", body.path("providers").toString());

        HttpResponse<String> proxied = http.get("api/data/x", "Cookie", session);
        assertEquals(200, proxied.statusCode(), proxied.body());
        JsonNode headers = json.readTree(proxied.body()).path("headers");
        String bearer = headers.path("authorization").asText();
        assertTrue(bearer.startsWith("Bearer "), headers.toString());
        assertEquals(PasswordGrant.issuer("renku"), claims(bearer.substring(7)).path("iss").asText());
        String gitlab = headers.path("gitlab-access-token").asText();
        assertEquals(PasswordGrant.issuer("gitlab"), claims(gitlab).path("iss").asText());
        assertFalse(headers.path("renku-auth-refresh-token").asText().isEmpty());

        HttpResponse<String> replay = http.get(relative(renkuCallback), "Cookie", session);
        assertEquals(400, replay.statusCode(), "a used state is refused: " + replay.body());
        assertEquals("application/problem+json", replay.headers().firstValue("Content-Type").orElse(""));
        assertEquals(200, http.get("api/auth/user", "Cookie", session).statusCode(), "the replay changed nothing");
    }

    @Test
    void providerIdPicksTheChainAndAForeignRedirectEndsAtTheBaseUrl() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> start = http.get("api/auth/login?provider_id=renku&redirect_url="
                + enc("https://renku@evil.example/"));
        assertEquals(302, start.statusCode(), start.body());
        String cookie = cookie(start, null);
        String callback = new KeycloakBrowser().logIn(location(start));
        HttpResponse<String> done = http.get(relative(callback), "Cookie", cookie);
        assertEquals(302, done.statusCode(), done.body());
        assertEquals(base.toString().replaceAll("/$", "") + "/", location(done));
        HttpResponse<String> user = http.get("api/auth/user", "Cookie", cookie(done, cookie));
        assertEquals("[\"renku\"]", json.readTree(user.body()).path("providers").toString());
    }

    @Test
    void callbackWithoutALoginOrWithAProviderErrorIsAClearPage() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> noLogin = http.get("api/auth/callback?state=abc&code=def", "Accept", "text/html");
        assertEquals(400, noLogin.statusCode());
        assertTrue(noLogin.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(noLogin.body().contains("No login is in progress"), noLogin.body());
        assertFalse(noLogin.body().contains("def"), "the code is not echoed");

        HttpResponse<String> start = http.get("api/auth/login");
        String cookie = cookie(start, null);
        String state = location(start).replaceAll(".*[?&]state=([^&]+).*", "$1");
        HttpResponse<String> denied = http.get("api/auth/callback?error=access_denied&state=" + state, "Cookie",
                cookie);
        assertEquals(400, denied.statusCode());
        assertTrue(json.readTree(denied.body()).path("detail").asText().contains("access_denied"), denied.body());
        assertEquals(401, http.get("api/auth/user", "Cookie", cookie).statusCode(), "nothing was stored");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String location(HttpResponse<String> response) {
        return KeycloakBrowser.location(response);
    }

    private String relative(String absolute) {
        return KeycloakBrowser.relative(base, absolute);
    }

    private static String cookie(HttpResponse<String> response, String previous) {
        return KeycloakBrowser.cookie(response, previous);
    }

    private static String value(String cookie) {
        return cookie.substring(cookie.indexOf('=') + 1);
    }

    private JsonNode claims(String jwt) throws IOException {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, "a JWT");
        return json.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }
}
