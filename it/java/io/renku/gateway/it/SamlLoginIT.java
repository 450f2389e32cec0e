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
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * SAML 2.0 login through the real Keycloak acting as the SAML IdP (realm {@code renku}, clients
 * {@code renku-gateway-saml} signing assertions and documents, {@code renku-gateway-saml-doc} signing only the
 * document), without a browser: the gateway's AuthnRequest goes to Keycloak by HTTP-Redirect, the demo user's
 * credentials are posted to its login form, and the auto-submitted {@code SAMLResponse} form Keycloak answers with is
 * posted to the gateway's assertion consumer service. Also the OIDC login of a client with "consent required".
 */
@GatewayIT
class SamlLoginIT {
    private final ObjectMapper json = new ObjectMapper();

    @ArquillianResource
    private URL base;

    private io.renku.gateway.harness.EchoUpstream echo;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    /** What the IdP's POST form carried, and the gateway cookie of the login in progress. */
    private record Posted(String samlResponse, String acs, String cookie) {
    }

    private Posted toIdpAndBack(Http http, KeycloakBrowser keycloak, String start) throws Exception {
        HttpResponse<String> started = http.get(start);
        assertEquals(302, started.statusCode(), started.body());
        String sso = KeycloakBrowser.location(started);
        assertTrue(sso.startsWith(PasswordGrant.issuer("renku") + "/protocol/saml?SAMLRequest="), sso);
        String cookie = KeycloakBrowser.cookie(started, null);
        HttpResponse<String> form = keycloak.postCredentials(sso);
        assertEquals(200, form.statusCode(), "Keycloak answers with its POST-binding form");
        String acs = KeycloakBrowser.formAction(form.body());
        Map<String, String> fields = KeycloakBrowser.hiddenFields(form.body());
        assertTrue(fields.containsKey("SAMLResponse"), form.body());
        return new Posted(fields.get("SAMLResponse"), acs, cookie);
    }

    private HttpResponse<String> post(Http http, Posted posted, String samlResponse, String cookie) {
        assertEquals(base + "api/auth/saml/assertions", posted.acs());
        return http.postForm("api/auth/saml/assertions", KeycloakBrowser.form(Map.of("SAMLResponse", samlResponse)),
                "Cookie", cookie, "Accept", "text/html");
    }

    @Test
    void samlLoginThroughKeycloakCreatesASessionForTheNameIdAndEndsAtTheRedirect() throws Exception {
        Http http = new Http(base);
        String target = base + "projects/1";
        Posted posted = toIdpAndBack(http, new KeycloakBrowser(), "api/auth/saml/new?provider_id=saml&redirect_url="
                + enc(target));
        HttpResponse<String> done = post(http, posted, posted.samlResponse(), posted.cookie());
        assertEquals(302, done.statusCode(), done.body());
        assertEquals(target, KeycloakBrowser.location(done));
        String session = KeycloakBrowser.cookie(done, posted.cookie());
        assertNotEquals(posted.cookie(), session, "the session id changes at login");

        JsonNode user = json.readTree(http.get("api/auth/user", "Cookie", session).body());
        assertEquals("demo", user.path("sub").asText());
        assertEquals("session", user.path("authenticated_by").asText());
        assertEquals("saml", user.path("login_provider").asText());
        assertEquals(PasswordGrant.issuer("renku"), user.path("issuer").asText());
        assertEquals("demo@example.org", user.path("email").asText());
        assertEquals("Demo User", user.path("name").asText());
        assertTrue(user.path("attributes").path("Role").size() >= 2, "one Attribute per role, merged: " + user);

        HttpResponse<String> replay = post(http, posted, posted.samlResponse(), session);
        assertEquals(400, replay.statusCode(), "a used response is refused: " + replay.body());
        assertFalse(replay.body().contains(posted.samlResponse()), "the response is not echoed");
    }

    @Test
    void aResponseSignedOnlyAsADocumentLogsInToo() throws Exception {
        Http http = new Http(base);
        Posted posted = toIdpAndBack(http, new KeycloakBrowser(), "api/auth/login?provider_id=saml-doc");
        String xml = new String(Base64.getDecoder().decode(posted.samlResponse()), StandardCharsets.UTF_8);
        assertEquals(1, xml.split("<(ds|dsig):Signature[ >]", -1).length - 1, "one signature: the document's");
        HttpResponse<String> done = post(http, posted, posted.samlResponse(), posted.cookie());
        assertEquals(302, done.statusCode(), done.body());
        JsonNode user = json.readTree(http.get("api/auth/user", "Cookie", KeycloakBrowser.cookie(done, null)).body());
        assertEquals("saml-doc", user.path("login_provider").asText());
        assertEquals(java.util.Set.of("Role", "email"), java.util.Set.copyOf(iterable(user.path("attributes"))),
                "only the configured attributes");
    }

    @Test
    void samlAsTheFirstStepOfAChainWithGitlabAfterIt() throws Exception {
        Http http = new Http(base);
        KeycloakBrowser keycloak = new KeycloakBrowser();
        String target = base + "done";
        Posted posted = toIdpAndBack(http, keycloak, "api/auth/login?provider_id=saml,gitlab&redirect_url="
                + enc(target));
        HttpResponse<String> afterSaml = post(http, posted, posted.samlResponse(), posted.cookie());
        assertEquals(302, afterSaml.statusCode(), afterSaml.body());
        String gitlabAuthorize = KeycloakBrowser.location(afterSaml);
        assertTrue(gitlabAuthorize.startsWith(PasswordGrant.issuer("gitlab") + "/protocol/openid-connect/auth?"),
                gitlabAuthorize);
        String cookie = KeycloakBrowser.cookie(afterSaml, posted.cookie());
        String callback = keycloak.logIn(gitlabAuthorize);
        HttpResponse<String> done = http.get(KeycloakBrowser.relative(base, callback), "Cookie", cookie);
        assertEquals(302, done.statusCode(), done.body());
        assertEquals(target, KeycloakBrowser.location(done));
        JsonNode user = json.readTree(http.get("api/auth/user", "Cookie", KeycloakBrowser.cookie(done, cookie))
                .body());
        assertEquals("demo", user.path("sub").asText());
        assertEquals("saml", user.path("login_provider").asText());
        assertEquals("[\"gitlab\"]", user.path("providers").toString());
    }

    @Test
    void realResponsesAlteredOrPostedIntoAnotherSessionAreRefusedAndStoreNothing() throws Exception {
        Http http = new Http(base);
        Posted first = toIdpAndBack(http, new KeycloakBrowser(), "api/auth/login?provider_id=saml");
        String xml = new String(Base64.getDecoder().decode(first.samlResponse()), StandardCharsets.UTF_8);
        String altered = Base64.getEncoder().encodeToString(xml.replace(">demo<", ">admin<")
                .getBytes(StandardCharsets.UTF_8));
        assertNotEquals(first.samlResponse(), altered);
        HttpResponse<String> tampered = post(http, first, altered, first.cookie());
        assertEquals(400, tampered.statusCode(), tampered.body());
        assertTrue(tampered.body().contains("signature"), tampered.body());
        assertEquals(401, http.get("api/auth/user", "Cookie", first.cookie()).statusCode(), "nothing stored");

        Posted second = toIdpAndBack(http, new KeycloakBrowser(), "api/auth/login?provider_id=saml");
        Posted other = toIdpAndBack(http, new KeycloakBrowser(), "api/auth/login?provider_id=saml");
        HttpResponse<String> foreign = post(http, second, second.samlResponse(), other.cookie());
        assertEquals(400, foreign.statusCode(), foreign.body());
        assertTrue(foreign.body().contains("InResponseTo"), foreign.body());
        assertEquals(401, http.get("api/auth/user", "Cookie", other.cookie()).statusCode(), "nothing stored");
    }

    @Test
    void aPostWithoutTheSessionCookieIsPostedAgainFromTheGatewaysOrigin() throws Exception {
        Http http = new Http(base);
        HttpResponse<String> page = http.postForm("api/auth/saml/assertions",
                KeycloakBrowser.form(Map.of("SAMLResponse", "PHNhbWxwOlJlc3BvbnNlLz4=")));
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("name=\"gw_resubmitted\""), page.body());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("form-action 'self'") && csp.contains("script-src 'sha256-"), csp);
        HttpResponse<String> again = http.postForm("api/auth/saml/assertions", KeycloakBrowser.form(Map.of(
                "SAMLResponse", "PHNhbWxwOlJlc3BvbnNlLz4=", "gw_resubmitted", "1")));
        assertEquals(400, again.statusCode(), again.body());
    }

    @Test
    void metadataNamesTheEntityIdAndTheAssertionConsumerService() throws Exception {
        HttpResponse<String> metadata = new Http(base).get("api/auth/saml/metadata?provider_id=saml");
        assertEquals(200, metadata.statusCode(), metadata.body());
        assertTrue(metadata.body().contains("entityID=\"renku-gateway-saml\""), metadata.body());
        assertTrue(metadata.body().contains("Location=\"" + base + "api/auth/saml/assertions\""), metadata.body());
    }

    @Test
    void oidcWithConsentDeniedStoresNothingAndAcceptedLogsIn() throws Exception {
        // Denied first: Keycloak remembers a granted consent, so the screen shows only until it is accepted (the
        // consent is withdrawn at the end, for a Keycloak that is reused).
        Http other = new Http(base);
        KeycloakBrowser declining = new KeycloakBrowser();
        HttpResponse<String> again = other.get("api/auth/login?provider_id=consent");
        String otherCookie = KeycloakBrowser.cookie(again, null);
        HttpResponse<String> screen = declining.postCredentials(KeycloakBrowser.location(again));
        assertEquals(200, screen.statusCode());
        HttpResponse<String> cancelled = declining.submit(screen, Map.of("cancel", "No"));
        assertEquals(302, cancelled.statusCode(), cancelled.body());
        String deniedCallback = cancelled.uri().resolve(KeycloakBrowser.location(cancelled)).toString();
        assertTrue(deniedCallback.contains("error=access_denied"), deniedCallback);
        HttpResponse<String> denied = other.get(KeycloakBrowser.relative(base, deniedCallback), "Cookie",
                otherCookie, "Accept", "text/html");
        assertEquals(400, denied.statusCode(), denied.body());
        assertTrue(denied.body().contains("declined"), denied.body());
        assertEquals(401, other.get("api/auth/user", "Cookie", otherCookie).statusCode(), "nothing was stored");

        Http http = new Http(base);
        KeycloakBrowser keycloak = new KeycloakBrowser();
        HttpResponse<String> start = http.get("api/auth/oidc/new?provider_id=consent");
        assertEquals(302, start.statusCode(), start.body());
        String cookie = KeycloakBrowser.cookie(start, null);
        HttpResponse<String> consent = keycloak.postCredentials(KeycloakBrowser.location(start));
        assertEquals(200, consent.statusCode(), "Keycloak shows its consent screen");
        assertTrue(consent.body().contains("accept"), consent.body());
        HttpResponse<String> accepted = keycloak.submit(consent, Map.of("accept", "Yes"));
        assertEquals(302, accepted.statusCode(), accepted.body());
        String callback = accepted.uri().resolve(KeycloakBrowser.location(accepted)).toString();
        assertTrue(callback.contains("code="), callback);
        HttpResponse<String> done = http.get(KeycloakBrowser.relative(base, callback), "Cookie", cookie);
        assertEquals(302, done.statusCode(), done.body());
        JsonNode user = json.readTree(http.get("api/auth/user", "Cookie", KeycloakBrowser.cookie(done, cookie))
                .body());
        assertEquals("consent", user.path("login_provider").asText());
        assertEquals("[\"consent\"]", user.path("providers").toString());
        assertEquals("demo", user.path("preferred_username").asText());
        io.renku.gateway.harness.KeycloakAdmin admin = new io.renku.gateway.harness.KeycloakAdmin();
        java.util.List<String> granted = admin.consentedScopes("renku", "demo", "renku-consent");
        assertTrue(granted.containsAll(java.util.List.of("profile", "email")), "the consented scopes: " + granted);
        admin.revokeConsent("renku", "demo", "renku-consent");
    }

    @Test
    void upstreamsGetAGatewaySignedIdentityThatVerifiesAgainstTheJwksAndNeverTheClientsOwn() throws Exception {
        Http http = new Http(base);
        Posted posted = toIdpAndBack(http, new KeycloakBrowser(), "api/auth/login?provider_id=saml");
        String session = KeycloakBrowser.cookie(post(http, posted, posted.samlResponse(), posted.cookie()),
                posted.cookie());
        HttpResponse<String> proxied = http.get("api/data/identity", "Cookie", session, "Renku-Auth-Identity",
                "forged", "Renku_Auth_Identity", "forged");
        assertEquals(200, proxied.statusCode(), proxied.body());
        JsonNode headers = json.readTree(proxied.body()).path("headers");
        String jwt = headers.path("renku-auth-identity").asText();
        assertNotEquals("forged", jwt);
        assertTrue(headers.path("renku_auth_identity").isMissingNode(), "the underscore twin is dropped");
        HttpResponse<String> jwks = http.get("api/auth/.well-known/jwks.json");
        assertEquals(200, jwks.statusCode(), jwks.body());
        com.nimbusds.jwt.SignedJWT signed = com.nimbusds.jwt.SignedJWT.parse(jwt);
        com.nimbusds.jose.jwk.JWKSet keys = com.nimbusds.jose.jwk.JWKSet.parse(jwks.body());
        assertTrue(signed.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(keys.getKeyByKeyId(
                signed.getHeader().getKeyID()).toECKey())), "verifies against the published key");
        com.nimbusds.jwt.JWTClaimsSet claims = signed.getJWTClaimsSet();
        assertEquals(base.toString().replaceAll("/$", ""), claims.getIssuer());
        assertEquals(echo.url().replaceAll("/$", ""), claims.getAudience().get(0));
        assertEquals("demo", claims.getSubject());
        assertEquals("saml", claims.getStringClaim("login_provider"));
        assertEquals("demo@example.org", claims.getStringClaim("email"));
        assertFalse(claims.getStringListClaim("roles").isEmpty(), claims.toString());
        assertTrue(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() <= 60_000);

        JsonNode anonymous = json.readTree(http.get("api/data/identity", "Renku-Auth-Identity", "forged").body())
                .path("headers");
        assertTrue(anonymous.path("renku-auth-identity").isMissingNode(), "a spoofed header never arrives");
    }

    private static java.util.List<String> iterable(JsonNode node) {
        java.util.List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
