package io.renku.gateway.saml;

import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.w3c.dom.Document;

/**
 * Builds SAML Responses the way an IdP does, signed with Santuario through java-saml's {@code Util.addSign}, and the
 * IdP's metadata file, so the assertion consumer's checks are tested on real XML signatures. The keys in
 * {@code src/test/resources/saml} are test fixtures made with {@code openssl req -x509 -newkey rsa:2048}.
 */
final class SamlForge {
    static final String IDP = "https://idp.test.example/realms/uni";
    static final String SP = "https://renku.example.org/api/auth/saml/metadata?provider_id=uni";
    static final String ACS = "https://renku.example.org/api/auth/saml/assertions";

    final PrivateKey key;
    final X509Certificate cert;
    final String certPem;

    SamlForge(String name) {
        try {
            certPem = resource(name + "-cert.pem");
            cert = Util.loadCert(certPem);
            key = Util.loadPrivateKey(resource(name + "-key.pem"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = SamlForge.class.getResourceAsStream("/saml/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The IdP metadata naming this forge's certificate, written to a file. */
    Path metadataFile(Path dir) throws IOException {
        String body = certPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        String xml = "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"" + IDP
                + "\"><md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
                + "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
                + "<ds:X509Data><ds:X509Certificate>" + body + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
                + "</md:KeyDescriptor>"
                + "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
                + "Location=\"https://idp.test.example/slo\"/>"
                + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
                + "Location=\"https://idp.test.example/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
        Path file = dir.resolve("idp-metadata.xml");
        Files.writeString(file, xml);
        return file;
    }

    /** What one forged Response says; each test changes one field. */
    static final class Spec {
        String inResponseTo = "_gwrequest1";
        String destination = ACS;
        String recipient = ACS;
        String audience = SP;
        String issuer = IDP;
        String status = "urn:oasis:names:tc:SAML:2.0:status:Success";
        String nameId = "demo";
        String assertionId = "_a" + UUID.randomUUID();
        Instant notBefore = Instant.now().minusSeconds(5);
        Instant notOnOrAfter = Instant.now().plusSeconds(300);
        boolean signAssertion = true;
        boolean signResponse = false;
        String extraAssertionBeside = null;
        String extraAssertionInside = null;
    }

    String assertion(Spec s) {
        String irt = s.inResponseTo == null ? "" : " InResponseTo=\"" + s.inResponseTo + "\"";
        return "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" + s.assertionId
                + "\" Version=\"2.0\" IssueInstant=\"" + Instant.now() + "\"><saml:Issuer>" + s.issuer
                + "</saml:Issuer><saml:Subject><saml:NameID Format=\""
                + "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">" + s.nameId + "</saml:NameID>"
                + "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">"
                + "<saml:SubjectConfirmationData" + irt + " NotOnOrAfter=\"" + s.notOnOrAfter + "\" Recipient=\""
                + s.recipient + "\"/></saml:SubjectConfirmation></saml:Subject>"
                + "<saml:Conditions NotBefore=\"" + s.notBefore + "\" NotOnOrAfter=\"" + s.notOnOrAfter + "\">"
                + "<saml:AudienceRestriction><saml:Audience>" + s.audience + "</saml:Audience>"
                + "</saml:AudienceRestriction></saml:Conditions>"
                + "<saml:AuthnStatement AuthnInstant=\"" + Instant.now() + "\" SessionIndex=\"idp-session-1\">"
                + "<saml:AuthnContext><saml:AuthnContextClassRef>"
                + "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml:AuthnContextClassRef></saml:AuthnContext>"
                + "</saml:AuthnStatement><saml:AttributeStatement>"
                + attribute("Role", "admin") + attribute("Role", "user") + attribute("email", "demo@example.org")
                + (s.extraAssertionInside == null ? "" : "")
                + "</saml:AttributeStatement></saml:Assertion>";
    }

    private static String attribute(String name, String value) {
        return "<saml:Attribute Name=\"" + name + "\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\">"
                + "<saml:AttributeValue xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\""
                + "http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"xs:string\">" + value
                + "</saml:AttributeValue></saml:Attribute>";
    }

    /** The Response XML, signed as {@code s} says. */
    String responseXml(Spec s) {
        String assertion = assertion(s);
        if (s.signAssertion) {
            assertion = strip(sign(assertion));
        }
        if (s.extraAssertionInside != null) {
            assertion = assertion.replace("</saml:Assertion>", s.extraAssertionInside + "</saml:Assertion>");
        }
        String irt = s.inResponseTo == null ? "" : " InResponseTo=\"" + s.inResponseTo + "\"";
        String dest = s.destination == null ? "" : " Destination=\"" + s.destination + "\"";
        String xml = "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                + "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r" + UUID.randomUUID()
                + "\" Version=\"2.0\" IssueInstant=\"" + Instant.now() + "\"" + dest + irt + "><saml:Issuer>"
                + s.issuer + "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"" + s.status
                + "\"/></samlp:Status>" + assertion
                + (s.extraAssertionBeside == null ? "" : s.extraAssertionBeside) + "</samlp:Response>";
        if (s.signResponse) {
            xml = strip(sign(xml));
        }
        return xml;
    }

    String response(Spec s) {
        return encode(responseXml(s));
    }

    static String encode(String xml) {
        return Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
    }

    String sign(String xml) {
        try {
            Document doc = Util.loadXML(xml);
            return Util.addSign(doc, key, cert, Constants.RSA_SHA256, Constants.SHA256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String strip(String xml) {
        return xml.replaceFirst("^<\\?xml[^>]*\\?>", "");
    }
}
