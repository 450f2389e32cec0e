package io.renku.gateway.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.login.LoginProvider;
import io.renku.gateway.session.InMemorySessionIndex;
import io.renku.gateway.session.SessionIndex;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SP's outgoing messages (AuthnRequest, LogoutRequest), the IdP's single logout, and the SP metadata. */
class SamlProviderTest {
    private static final SamlForge IDP = new SamlForge("idp");
    private static final SamlForge STRANGER = new SamlForge("other");

    @TempDir
    Path dir;

    private SamlProvider provider(boolean withKey) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", "https://renku.example.org");
        values.put("login.providers", "uni");
        values.put("login.providers.uni.type", "saml");
        values.put("login.providers.uni.idpMetadataFile", IDP.metadataFile(dir).toString());
        if (withKey) {
            values.put("login.providers.uni.spPrivateKey", SamlForge.resource("sp-key.pem"));
            values.put("login.providers.uni.spCertificate", SamlForge.resource("sp-cert.pem"));
        }
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                values::get)));
        return new SamlProvider(settings.samlProviders().get("uni"), Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Clock.systemUTC());
    }

    private SamlProvider fromUrl(String url) {
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", "https://renku.example.org");
        values.put("login.providers", "uni");
        values.put("login.providers.uni.type", "saml");
        values.put("login.providers.uni.idpMetadataURL", url);
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                values::get)));
        return new SamlProvider(settings.samlProviders().get("uni"), Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Clock.systemUTC());
    }

    @Test
    void anIdpThatIsDownOrServesBadMetadataIsA502AndNotReadyWhileTheDeploymentStands() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicReference<String> metadata = new java.util.concurrent.atomic
                .AtomicReference<>("<html>oops</html>");
        server.createContext("/md", exchange -> {
            byte[] body = metadata.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            SamlProvider bad = fromUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/md");
            assertTrue(bad.name().contains("saml metadata http://127.0.0.1:"), bad.name());
            GatewayException e = assertThrows(GatewayException.class, () -> bad.begin(List.of("uni"), 0,
                    URI.create("https://r/"), Instant.now().plusSeconds(60), new SecureRandom()));
            assertEquals(502, e.kind().status());
            assertTrue(e.getMessage().contains("'uni'"), e.getMessage());
            assertThrows(GatewayException.class, bad::probe, "/ready names it as down");

            metadata.set(java.nio.file.Files.readString(IDP.metadataFile(dir)));
            SamlProvider good = fromUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/md");
            good.probe();
            assertTrue(good.begin(List.of("uni"), 0, URI.create("https://r/"), Instant.now().plusSeconds(60),
                    new SecureRandom()).location().toString().startsWith("https://idp.test.example/sso?"));
        } finally {
            server.stop(0);
        }
        SamlProvider down = fromUrl("http://127.0.0.1:1/md");
        assertEquals(502, assertThrows(GatewayException.class, down::probe).kind().status());
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return q;
    }

    @Test
    void anAuthnRequestGoesByRedirectWithItsIdAsTheStepsStateAndIsSignedWithTheSpKey() throws Exception {
        LoginProvider.Begun begun = provider(true).begin(List.of("uni"), 0, URI.create("https://renku.example.org/"),
                Instant.now().plusSeconds(600), new SecureRandom());
        URI location = begun.location();
        assertTrue(location.toString().startsWith("https://idp.test.example/sso?SAMLRequest="), location.toString());
        Map<String, String> q = query(location);
        String xml = Util.base64decodedInflated(q.get("SAMLRequest"));
        assertTrue(xml.contains("ID=\"" + begun.pending().state().reveal() + "\""), "the id is the step's state");
        assertTrue(xml.contains("AssertionConsumerServiceURL=\"" + SamlForge.ACS + "\""), xml);
        assertEquals(Constants.RSA_SHA256, q.get("SigAlg"));
        String signed = location.getRawQuery().substring(0, location.getRawQuery().indexOf("&Signature="));
        assertTrue(Util.validateBinarySignature(signed, Base64.getDecoder().decode(q.get("Signature")),
                Util.loadCert(SamlForge.resource("sp-cert.pem")), Constants.RSA_SHA256));

        Map<String, String> unsigned = query(provider(false).begin(List.of("uni"), 0, URI.create("https://r/"),
                Instant.now().plusSeconds(600), new SecureRandom()).location());
        assertFalse(unsigned.containsKey("Signature"), "no SP key, no signature");
    }

    @Test
    void theSpMetadataNamesTheEntityIdTheAcsAndTheCertificate() throws Exception {
        String metadata = provider(true).spMetadata();
        assertTrue(metadata.contains("entityID=\"" + SamlForge.SP + "\"".replace("&", "&amp;")), metadata);
        assertTrue(metadata.contains(SamlForge.ACS), metadata);
        assertTrue(metadata.contains("https://renku.example.org/api/auth/saml/slo"), metadata);
        assertTrue(metadata.contains("X509Certificate"), metadata);
    }

    @Test
    void logoutSendsALogoutRequestForTheSessionsNameIdWithTheTargetAsRelayState() throws Exception {
        SamlProvider provider = provider(false);
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(SamlProvider.LOGOUT_FACTS, "demo\nurn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\n"
                + "idp-session-1");
        HttpSession session = (HttpSession) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpSession.class}, (p, m, a) -> m.getName().equals("getAttribute")
                        ? attributes.get((String) a[0]) : null);
        URI logout = provider.singleLogout(session, URI.create("https://renku.example.org/bye")).orElseThrow();
        Map<String, String> q = query(logout);
        assertTrue(logout.toString().startsWith("https://idp.test.example/slo?"), logout.toString());
        assertEquals("https://renku.example.org/bye", q.get("RelayState"));
        String xml = Util.base64decodedInflated(q.get("SAMLRequest"));
        assertTrue(xml.contains(">demo</saml:NameID>"), xml);
        assertTrue(xml.contains("idp-session-1"), xml);
    }

    private HttpServletRequest sloRequest(SamlForge signer, boolean sign) throws Exception {
        String xml = "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                + "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_lr1\" Version=\"2.0\" IssueInstant=\""
                + Instant.now() + "\" Destination=\"https://renku.example.org/api/auth/saml/slo\"><saml:Issuer>"
                + SamlForge.IDP + "</saml:Issuer><saml:NameID>demo</saml:NameID>"
                + "<samlp:SessionIndex>idp-session-1</samlp:SessionIndex></samlp:LogoutRequest>";
        String raw = "SAMLRequest=" + URLEncoder.encode(Util.deflatedBase64encoded(xml), StandardCharsets.UTF_8)
                + "&SigAlg=" + URLEncoder.encode(Constants.RSA_SHA256, StandardCharsets.UTF_8);
        if (sign) {
            raw += "&Signature=" + URLEncoder.encode(Base64.getEncoder().encodeToString(Util.sign(raw, signer.key,
                    Constants.RSA_SHA256)), StandardCharsets.UTF_8);
        }
        Map<String, String[]> params = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(kv[0], new String[] {URLDecoder.decode(kv[1], StandardCharsets.UTF_8)});
        }
        String query = raw;
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "getParameter" -> params.containsKey((String) a[0]) ? params.get((String) a[0])[0] : null;
                    case "getParameterMap" -> params;
                    case "getQueryString" -> query;
                    default -> null;
                });
    }

    @Test
    void aSignedLogoutRequestOfTheIdpEndsTheSessionsOfItsSessionIndexAndIsAnswered() throws Exception {
        SamlProvider provider = provider(false);
        SessionIndex index = new InMemorySessionIndex(Duration.ofHours(1), Clock.systemUTC());
        index.add(Set.of(SessionIndex.sidKey(SamlForge.IDP, "idp-session-1")), "gateway-session-1");
        index.add(Set.of(SessionIndex.sidKey(SamlForge.IDP, "idp-session-2")), "gateway-session-2");
        List<String> deleted = new ArrayList<>();
        IdpLogouts logouts = new IdpLogouts(List.of(provider), index, deleted::add);

        for (HttpServletRequest bad : List.of(sloRequest(IDP, false), sloRequest(STRANGER, true))) {
            GatewayException refused = assertThrows(GatewayException.class, () -> logouts.answer(bad,
                    bad.getParameter("SAMLRequest"), null));
            assertEquals(400, refused.kind().status());
        }
        assertTrue(deleted.isEmpty(), "a refused request ends nothing");

        HttpServletRequest good = sloRequest(IDP, true);
        Response answer = logouts.answer(good, good.getParameter("SAMLRequest"), "state-1");
        assertEquals(List.of("gateway-session-1"), deleted);
        assertEquals(302, answer.getStatus());
        Map<String, String> q = query(answer.getLocation());
        assertTrue(answer.getLocation().toString().startsWith("https://idp.test.example/slo?SAMLResponse="));
        assertEquals("state-1", q.get("RelayState"));
        String xml = Util.base64decodedInflated(q.get("SAMLResponse"));
        assertTrue(xml.contains("InResponseTo=\"_lr1\""), xml);
        assertTrue(xml.contains("urn:oasis:names:tc:SAML:2.0:status:Success"), xml);
    }

    private static String postedRequest(String id, String sessionIndex) {
        return "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                + "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" + id + "\" Version=\"2.0\" IssueInstant=\""
                + Instant.now() + "\" Destination=\"https://renku.example.org/api/auth/saml/slo\"><saml:Issuer>"
                + SamlForge.IDP + "</saml:Issuer><saml:NameID>demo</saml:NameID>"
                + "<samlp:SessionIndex>" + sessionIndex + "</samlp:SessionIndex></samlp:LogoutRequest>";
    }

    /** {@code signed}'s signature on a forged request of the same ID (another session), the original inside it. */
    private static String duplicateId(String signed) {
        java.util.regex.Matcher signature = java.util.regex.Pattern.compile("(?s)<ds:Signature.*</ds:Signature>")
                .matcher(signed);
        assertTrue(signature.find(), signed);
        String original = signed.replace(signature.group(), "");
        return postedRequest("_lr2", "idp-session-1").replace("</saml:Issuer>", "</saml:Issuer>" + signature.group()
                + "<samlp:Extensions>" + original + "</samlp:Extensions>");
    }

    @Test
    void aPostedLogoutRequestMustBeSignedAsAWholeByTheIdpAndIsAnsweredWithAPostedLogoutResponse() throws Exception {
        SamlProvider provider = provider(true);
        SessionIndex index = new InMemorySessionIndex(Duration.ofHours(1), Clock.systemUTC());
        index.add(Set.of(SessionIndex.sidKey(SamlForge.IDP, "idp-session-1")), "gateway-session-1");
        index.add(Set.of(SessionIndex.sidKey(SamlForge.IDP, "idp-session-2")), "gateway-session-2");
        List<String> deleted = new ArrayList<>();
        IdpLogouts logouts = new IdpLogouts(List.of(provider), index, deleted::add);

        String signedOther = IDP.sign(postedRequest("_lr2", "idp-session-2")).replaceFirst("^<\\?xml[^>]*\\?>", "");
        List<String> bad = List.of(
                postedRequest("_lr1", "idp-session-1"),
                STRANGER.sign(postedRequest("_lr1", "idp-session-1")),
                signedOther.replace("idp-session-2", "idp-session-1"),
                // the IdP's signed request wrapped inside an unsigned one that names another session
                postedRequest("_lr3", "idp-session-1").replace("<saml:NameID>", "<samlp:Extensions>" + signedOther
                        + "</samlp:Extensions><saml:NameID>"),
                // the IdP's signature moved onto a forged root with the same ID, the signed original tucked inside
                duplicateId(signedOther));
        for (String xml : bad) {
            GatewayException refused = assertThrows(GatewayException.class, () -> logouts.answerPosted(
                    SamlForge.encode(xml), null), xml);
            assertEquals(400, refused.kind().status());
        }
        assertTrue(deleted.isEmpty(), "a refused request ends nothing");

        Response answer = logouts.answerPosted(SamlForge.encode(IDP.sign(postedRequest("_lr1", "idp-session-1"))),
                "state-1");
        assertEquals(List.of("gateway-session-1"), deleted);
        assertEquals(200, answer.getStatus());
        String page = (String) answer.getEntity();
        assertTrue(page.contains("action=\"https://idp.test.example/slo\""), page);
        assertTrue(page.contains("name=\"RelayState\" value=\"state-1\""), page);
        assertTrue(answer.getHeaderString("Content-Security-Policy").contains("form-action https://idp.test.example"));
        java.util.regex.Matcher field = java.util.regex.Pattern.compile("name=\"SAMLResponse\" value=\"([^\"]+)\"")
                .matcher(page);
        assertTrue(field.find(), page);
        String xml = new String(Base64.getDecoder().decode(field.group(1)), StandardCharsets.UTF_8);
        assertTrue(xml.contains("InResponseTo=\"_lr1\""), xml);
        assertTrue(xml.contains("urn:oasis:names:tc:SAML:2.0:status:Success"), xml);
        assertTrue(com.onelogin.saml2.util.Util.validateSign(Util.loadXML(xml), List.of(java.security.cert.CertificateFactory
                .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(SamlForge.resource(
                        "sp-cert.pem").getBytes(StandardCharsets.UTF_8)))).stream()
                .map(c -> (java.security.cert.X509Certificate) c).toList(), null, null,
                "/samlp:LogoutResponse/ds:Signature"), "signed with the SP key");
    }
}
