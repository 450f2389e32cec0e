package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.EchoUpstream;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.RawHttp;
import java.net.URL;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regressions for the defects that hostile requests found against the demo (issue "Hardening"), each on the deployed
 * WAR with a logged-in session: the deny rule walked around with {@code ;params}, {@code %2F} or letter case; the
 * session cookie smuggled to the upstream inside a comma-joined Cookie header; 500s from Jersey on odd content types;
 * a junk authorization code answered as the gateway's own failure (502); underscore twins of credential headers; a
 * WebSocket handshake with a list in {@code Upgrade}. The secrets in the container's log are SecretsInLogsIT's.
 */
@GatewayIT
class HardeningIT {
    /** One login for the class: every row uses the same live session. */
    private static String session;

    private final ObjectMapper json = new ObjectMapper();
    private EchoUpstream echo;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    private String session() throws Exception {
        if (session == null) {
            session = new KeycloakBrowser().logInThroughGateway(new Http(base), base, base + "projects");
        }
        return session;
    }

    @ParameterizedTest(name = "{0} never reaches the data service")
    @ValueSource(strings = {"/api/data/user/secret_key;x", "/api/data/user/secret_key;", "/api/data/user;x/secret_key",
        "/api/data/user%2fsecret_key", "/api/data/user%2Fsecret_key", "/api/data/user/secret_key%2f",
        "/ui-server/api/data/user/secret_key;a", "/api/data/user/secret%5Fkey;x", "/api/data/user/SECRET_KEY",
        "/API/DATA/USER/SECRET_KEY", "/api/data/user/secret_key%3bx", "/api/data/user/secret_key%3B",
        "/api;x/data/user/secret_key", "/api/data;x/user/secret_key", "/api/data/user/secret_key;x/sub",
        "/ui-server/api/data/user%2Fsecret_key", "/api/data/user/./secret_key", "/api/data/user//secret_key;x"})
    void deniedPathCannotBeWalkedAroundWithALoggedInSession(String path) throws Exception {
        long before = echo.requestCount();
        RawHttp.Response response = RawHttp.get(base, path, "Cookie: " + session(), "Accept: application/json");
        assertTrue(response.status() == 404 || response.status() == 400, response.text());
        assertTrue(response.text().contains("application/problem+json"), response.text());
        assertEquals(before, echo.requestCount(), "the data service was reached");
    }

    @ParameterizedTest(name = "{0} is 400: the route prefix itself carries ; or %2F")
    @ValueSource(strings = {"/api;x/data/projects", "/api%2Fdata/projects", "/api/data;x/projects",
        "/ui-server;a/api/data/projects"})
    void parametersOrEncodedSlashesInsideARoutePrefixAreRefused(String path) throws Exception {
        long before = echo.requestCount();
        RawHttp.Response response = RawHttp.get(base, path, "Cookie: " + session(), "Accept: application/json");
        assertEquals(400, response.status(), response.text());
        assertTrue(response.text().contains("route prefix"), response.text());
        assertEquals(before, echo.requestCount(), "the data service was reached");
    }

    @Test
    void allowedPathsWithParametersAndEncodedSlashesStillReachTheUpstreamByteForByte() throws Exception {
        RawHttp.Response response = RawHttp.get(base, "/api/data/projects;v=1/group%2Fproject/files%2Fa.txt?q=%2F",
                "Cookie: " + session());
        assertEquals(200, response.status(), response.text());
        JsonNode echoed = json.readTree(response.body());
        assertEquals("/api/data/projects;v=1/group%2Fproject/files%2Fa.txt", echoed.path("path").asText());
        assertTrue(echoed.path("headers").path("authorization").asText().startsWith("Bearer "),
                "the session's token is injected on an allowed path");
    }

    @ParameterizedTest(name = "Cookie: {0}")
    @ValueSource(strings = {"a=b, SESSION", "a=b,SESSION", "c=d; a=b, SESSION; e=f", "a=\"SESSION\"",
        "x=1; a=b, __Host-SESSION", "a=b, SESSION, c=d"})
    void theSessionCookieNeverReachesTheUpstreamInsideAnotherCookie(String shape) throws Exception {
        String value = session();
        String header = shape.replace("SESSION", value);
        RawHttp.Response response = RawHttp.get(base, "/api/data/cookies", "Cookie: " + header);
        assertEquals(200, response.status(), response.text());
        JsonNode headers = json.readTree(response.body()).path("headers");
        String sessionId = value.substring(value.indexOf('=') + 1, value.indexOf('.'));
        assertFalse(headers.toString().contains(sessionId), "the session cookie reached the upstream: " + headers);
        assertFalse(headers.path("cookie").asText().toLowerCase(Locale.ROOT).contains("_renku_session"),
                headers.toString());
        // One reading for lookup and stripping: a comma is no separator, so this is no session (anonymous).
        assertTrue(headers.path("authorization").isMissingNode(), "a comma-joined cookie was read as the session");
    }

    @Test
    void otherCookiesAreForwardedUnchangedNextToTheSessionCookie() throws Exception {
        RawHttp.Response response = RawHttp.get(base, "/api/data/cookies", "Cookie: a=1, b=2; " + session()
                + "; c=3");
        assertEquals(200, response.status(), response.text());
        JsonNode headers = json.readTree(response.body()).path("headers");
        assertEquals("a=1, b=2; c=3", headers.path("cookie").asText());
        assertTrue(headers.path("authorization").asText().startsWith("Bearer "), "the session was found");
    }

    @Test
    void underscoreTwinsOfCredentialHeadersAreNotForwarded() throws Exception {
        RawHttp.Response response = RawHttp.get(base, "/api/data/twins", "Gitlab_Access_Token: forged",
                "Renku_Auth_Anon_Id: anon-forged", "X_Forwarded_For: 6.6.6.6", "Authorization_: kept");
        assertEquals(200, response.status(), response.text());
        JsonNode headers = json.readTree(response.body()).path("headers");
        assertFalse(headers.toString().contains("forged"), headers.toString());
        assertFalse(headers.toString().contains("6.6.6.6"), headers.toString());
    }

    @Test
    void anonymousWebSocketHandshakeWithAnUpgradeListIs401NotAnUpgrade() throws Exception {
        RawHttp.Response response = RawHttp.get(base, "/ui-server/ws", "Upgrade: websocket, h2c",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "Accept: application/json");
        assertEquals(401, response.status(), response.text());
    }

    @ParameterizedTest(name = "back-channel logout with {0}")
    @ValueSource(strings = {"", "Content-Type: application/x-www-form-urlencoded; charset=evil",
        "Content-Type: application/x-www-form-urlencoded; charset=\"", "Content-Type: text/plain",
        "Content-Type: application/json", "Content-Type: multipart/form-data", "Content-Type: ;;;",
        "Content-Type: application/x-www-form-urlencoded; charset=utf-16",
        "Content-Type: application/x-www-form-urlencoded", "Accept: garbage/;;q=x"})
    void backchannelLogoutAnswersInvalidRequestToEveryMalformedBody(String contentType) throws Exception {
        for (String body : new String[] {"", "logout_token=", "a=%zz", "logout_token=x&logout_token=y",
            "logout_token=not.a.jwt"}) {
            StringBuilder request = new StringBuilder("POST /api/auth/backchannel-logout HTTP/1.1\r\nHost: localhost\r\n");
            if (!contentType.isEmpty()) {
                request.append(contentType).append("\r\n");
            }
            request.append("Content-Length: ").append(body.length()).append("\r\nConnection: close\r\n\r\n")
                    .append(body);
            RawHttp.Response response = RawHttp.send(base, request.toString());
            assertEquals(400, response.status(), contentType + " / " + body + ": " + response.text());
            assertEquals("invalid_request", json.readTree(response.body()).path("error").asText(), response.text());
        }
    }

    @Test
    void backchannelLogoutRefusesAnOversizedBody() throws Exception {
        String body = "logout_token=" + "a".repeat(70_000);
        RawHttp.Response response = RawHttp.send(base, "POST /api/auth/backchannel-logout HTTP/1.1\r\nHost: localhost"
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);
        assertEquals(400, response.status(), response.text());
        assertEquals("invalid_request", json.readTree(response.body()).path("error").asText());
    }

    /**
     * Every endpoint of the login resource, every method, every odd content type and charset: a client can get a
     * 4xx, never a 500. (A 2xx/3xx is fine where the request happens to be acceptable.)
     */
    @Test
    void noLoginEndpointAnswers500WhateverTheMethodContentTypeOrCharset() throws Exception {
        String[] paths = {"login", "callback?state=x&code=y", "logout", "logout/continue?state=x", "user",
            "user-profile", "gitlab/exchange", "backchannel-logout", "no-such-endpoint", "oidc/new?provider_id=consent",
            "saml/new?provider_id=saml", "saml/assertions", "saml/slo?SAMLRequest=x", "saml/metadata?provider_id=saml",
            ".well-known/jwks.json"};
        String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
        String[] contentTypes = {null, "application/x-www-form-urlencoded; charset=evil", "application/json; "
            + "charset=\"\"", "garbage", "multipart/form-data", "text/plain;;;", "application/x-www-form-urlencoded"};
        String[] accepts = {null, "garbage/;;q=x", "application/json;q=2"};
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (String path : paths) {
            for (String method : methods) {
                for (String contentType : contentTypes) {
                    for (String accept : accepts) {
                        String body = contentType == null ? "" : "a=%zz&logout_token=1";
                        // login and logout end the session they are sent with; the sweep must keep its session
                        boolean withSession = !path.startsWith("login") && !path.startsWith("logout")
                                && !path.endsWith("new") && !path.contains("/new?");
                        StringBuilder request = new StringBuilder(method + " /api/auth/" + path
                                + " HTTP/1.1\r\nHost: localhost\r\n");
                        if (withSession) {
                            request.append("Cookie: ").append(session()).append("\r\n");
                        }
                        if (contentType != null) {
                            request.append("Content-Type: ").append(contentType).append("\r\n");
                        }
                        if (accept != null) {
                            request.append("Accept: ").append(accept).append("\r\n");
                        }
                        request.append("Content-Length: ").append(body.length())
                                .append("\r\nConnection: close\r\n\r\n").append(body);
                        RawHttp.Response response = RawHttp.send(base, request.toString());
                        sent++;
                        if (response.status() >= 500) {
                            failures.add(method + " " + path + " [" + contentType + "] [" + accept + "] -> "
                                    + response.status());
                        }
                    }
                }
            }
        }
        assertTrue(sent > 300, "sent " + sent);
        assertTrue(failures.isEmpty(), failures.size() + " of " + sent + " answered 5xx: " + failures);
        assertEquals(200, new Http(base).get("api/auth/user", "Cookie", session()).statusCode(),
                "the session survived the sweep");
    }

    @Test
    void aJunkAuthorizationCodeIs400AndLeavesThePendingLoginUsable() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> start = http.get("api/auth/login?redirect_url=" + base + "projects");
        assertEquals(302, start.statusCode(), start.body());
        String authorize = KeycloakBrowser.location(start);
        String cookie = KeycloakBrowser.cookie(start, null);
        String state = queryParameter(authorize, "state");

        HttpResponse<String> junk = http.get("api/auth/callback?state=" + state + "&code=" + "c".repeat(7000),
                "Cookie", cookie, "Accept", "application/json");
        assertEquals(400, junk.statusCode(), junk.body());
        assertTrue(junk.body().contains("authorization code is malformed"), junk.body());
        HttpResponse<String> longState = http.get("api/auth/callback?state=" + "s".repeat(600) + "&code=x",
                "Cookie", cookie, "Accept", "application/json");
        assertEquals(400, longState.statusCode(), longState.body());

        // Nothing was used up: the real code from Keycloak still completes this login step.
        String callback = new KeycloakBrowser().logIn(authorize);
        HttpResponse<String> real = http.get(KeycloakBrowser.relative(base, callback), "Cookie", cookie);
        assertEquals(302, real.statusCode(), real.body());
    }

    @Test
    void aCodeTheProviderRefusesIs400NotABadGateway() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> start = http.get("api/auth/login?redirect_url=" + base + "projects");
        String state = queryParameter(KeycloakBrowser.location(start), "state");
        HttpResponse<String> refused = http.get("api/auth/callback?state=" + state + "&code=" + "c".repeat(1500),
                "Cookie", KeycloakBrowser.cookie(start, null), "Accept", "application/json");
        assertEquals(400, refused.statusCode(), refused.body());
    }

    private static String queryParameter(String url, String name) {
        Matcher m = Pattern.compile("[?&]" + name + "=([^&]+)").matcher(url);
        assertTrue(m.find(), url);
        return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    }
}
