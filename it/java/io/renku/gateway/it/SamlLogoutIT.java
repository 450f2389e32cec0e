package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakAdmin;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.PasswordGrant;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SAML single logout through the real Keycloak acting as the IdP (client {@code renku-gateway-saml}, whose logout
 * service URL is set to the gateway's {@code /api/auth/saml/slo} through the admin API, since only now is the port
 * known, and whose front-channel logout is off, so Keycloak calls the gateway itself). Gateway-initiated: the
 * gateway's LogoutRequest goes to Keycloak by HTTP-Redirect, Keycloak ends its SSO session and posts its
 * LogoutResponse back. IdP-initiated: an administrator's logout of the user makes Keycloak post a signed
 * LogoutRequest to the gateway server-to-server (POST binding), which ends the gateway session.
 */
@GatewayIT
class SamlLogoutIT {
    private static final Pattern SESSION_INDEX = Pattern.compile("SessionIndex=\"([^\"]+)\"");

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @BeforeEach
    void keycloakKnowsTheGatewaysLogoutService() {
        new KeycloakAdmin().setSamlLogoutUrl("renku", "renku-gateway-saml", base + "api/auth/saml/slo");
    }

    /** A SAML login of the demo user; the gateway session cookie and Keycloak's SessionIndex. */
    private record LoggedIn(String cookie, String sessionIndex) {
        /** Keycloak's SAML SessionIndex is {@code <user session id>::<client session id>}. */
        String keycloakSession() {
            return sessionIndex.split("::")[0];
        }
    }

    private LoggedIn logIn(Http http, KeycloakBrowser keycloak) throws Exception {
        HttpResponse<String> started = http.get("api/auth/saml/new?provider_id=saml");
        assertEquals(302, started.statusCode(), started.body());
        String cookie = KeycloakBrowser.cookie(started, null);
        HttpResponse<String> form = keycloak.postCredentials(KeycloakBrowser.location(started));
        assertEquals(200, form.statusCode(), "Keycloak answers with its POST-binding form");
        String samlResponse = KeycloakBrowser.hiddenFields(form.body()).get("SAMLResponse");
        HttpResponse<String> done = http.postForm("api/auth/saml/assertions", KeycloakBrowser.form(
                Map.of("SAMLResponse", samlResponse)), "Cookie", cookie, "Accept", "text/html");
        assertEquals(302, done.statusCode(), done.body());
        String session = KeycloakBrowser.cookie(done, cookie);
        assertEquals(200, http.get("api/auth/user", "Cookie", session).statusCode());
        Matcher index = SESSION_INDEX.matcher(new String(Base64.getDecoder().decode(samlResponse),
                StandardCharsets.UTF_8));
        assertTrue(index.find(), "Keycloak's assertion names its SessionIndex");
        return new LoggedIn(session, index.group(1));
    }

    @Test
    void gatewayLogoutEndsTheKeycloakSessionThroughALogoutRequestAndComesBackToTheTarget() throws Exception {
        Http http = new Http(base);
        KeycloakBrowser keycloak = new KeycloakBrowser();
        LoggedIn in = logIn(http, keycloak);
        KeycloakAdmin admin = new KeycloakAdmin();
        assertTrue(admin.sessionIds("renku", "demo").contains(in.keycloakSession()), "Keycloak has the session");

        String target = base + "after-logout";
        HttpResponse<String> logout = http.get("api/auth/logout?redirect_url=" + enc(target), "Cookie", in.cookie());
        assertEquals(302, logout.statusCode(), logout.body());
        String slo = KeycloakBrowser.location(logout);
        assertTrue(slo.startsWith(PasswordGrant.issuer("renku") + "/protocol/saml?SAMLRequest="), slo);
        assertEquals(401, http.get("api/auth/user", "Cookie", in.cookie()).statusCode(), "the gateway session is gone");

        // Keycloak ends its session and answers with its LogoutResponse, by the POST binding (the client forces it).
        HttpResponse<String> atKeycloak = keycloak.followAtKeycloak(keycloak.get(slo));
        HttpResponse<String> back;
        if (atKeycloak.statusCode() == 200) {
            String action = KeycloakBrowser.formAction(atKeycloak.body());
            assertEquals(base + "api/auth/saml/slo", action, atKeycloak.body());
            Map<String, String> fields = KeycloakBrowser.hiddenFields(atKeycloak.body());
            assertTrue(fields.containsKey("SAMLResponse"), atKeycloak.body());
            String response = new String(Base64.getDecoder().decode(fields.get("SAMLResponse")),
                    StandardCharsets.UTF_8);
            assertTrue(response.contains("urn:oasis:names:tc:SAML:2.0:status:Success"), response);
            back = http.postForm("api/auth/saml/slo", KeycloakBrowser.form(fields), "Accept", "text/html");
        } else {
            assertEquals(302, atKeycloak.statusCode(), atKeycloak.body());
            back = http.get(KeycloakBrowser.relative(base, KeycloakBrowser.location(atKeycloak)), "Accept",
                    "text/html");
        }
        assertEquals(302, back.statusCode(), back.body());
        assertEquals(target, KeycloakBrowser.location(back), "the browser ends at the validated target");

        assertFalse(admin.sessionIds("renku", "demo").contains(in.keycloakSession()), "Keycloak's session ended");
        HttpResponse<String> again = http.get("api/auth/saml/new?provider_id=saml");
        HttpResponse<String> page = keycloak.followAtKeycloak(keycloak.get(KeycloakBrowser.location(again)));
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains("SAMLResponse"), "no silent login: the SSO session is over");
        assertTrue(page.body().contains("name=\"password\""), "Keycloak asks for the credentials again");
    }

    @Test
    void anAdministratorsLogoutAtKeycloakEndsTheGatewaySessionThroughABackChannelLogoutRequest() throws Exception {
        Http http = new Http(base);
        LoggedIn in = logIn(http, new KeycloakBrowser());
        LoggedIn other = logIn(new Http(base), new KeycloakBrowser());

        new KeycloakAdmin().logOutUser("renku", "demo");

        int status = 200;
        for (int i = 0; i < 50 && status == 200; i++) {
            status = http.get("api/auth/user", "Cookie", in.cookie()).statusCode();
            if (status == 200) {
                Thread.sleep(100);
            }
        }
        assertEquals(401, status, "the gateway session ended with the Keycloak session");
        assertEquals(401, http.get("api/auth/user", "Cookie", other.cookie()).statusCode(),
                "every session of the user ended, each by its own SessionIndex");
    }

    @Test
    void anUnsignedOrForgedPostedLogoutRequestIsRefusedAndEndsNothing() throws Exception {
        Http http = new Http(base);
        LoggedIn in = logIn(http, new KeycloakBrowser());
        String xml = "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                + "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_forged\" Version=\"2.0\" IssueInstant=\""
                + java.time.Instant.now() + "\" Destination=\"" + base + "api/auth/saml/slo\"><saml:Issuer>"
                + PasswordGrant.issuer("renku") + "</saml:Issuer><saml:NameID>demo</saml:NameID><samlp:SessionIndex>"
                + in.sessionIndex() + "</samlp:SessionIndex></samlp:LogoutRequest>";
        HttpResponse<String> refused = http.postForm("api/auth/saml/slo", KeycloakBrowser.form(Map.of("SAMLRequest",
                Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8)))), "Accept", "text/html");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("not signed"), refused.body());
        assertEquals(200, http.get("api/auth/user", "Cookie", in.cookie()).statusCode(), "the session stands");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
