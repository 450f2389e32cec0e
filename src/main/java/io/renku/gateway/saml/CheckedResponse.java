package io.renku.gateway.saml;

import com.onelogin.saml2.authn.SamlResponse;
import com.onelogin.saml2.exception.SettingsException;
import com.onelogin.saml2.exception.ValidationError;
import com.onelogin.saml2.settings.Saml2Settings;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPathExpressionException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * java-saml's {@link SamlResponse}, opened up for the few reads the gateway adds after java-saml's own validation:
 * the root's {@code Destination} and {@code InResponseTo}, and the validity window of the (validated) assertion's
 * {@code Conditions} and {@code SubjectConfirmationData}, which the gateway checks with its own clock skew.
 */
final class CheckedResponse extends SamlResponse {
    CheckedResponse(Saml2Settings settings, String acsUrl, String base64) throws XPathExpressionException,
            ParserConfigurationException, SAXException, IOException, SettingsException, ValidationError {
        super(settings, acsUrl, base64);
    }

    Optional<String> rootAttribute(String name) {
        Element root = getSAMLResponseDocument().getDocumentElement();
        return root.hasAttribute(name) ? Optional.of(root.getAttribute(name)) : Optional.empty();
    }

    /**
     * The validated assertion element on its own, as XML (the decrypted one for an encrypted assertion), with the
     * namespace declarations it inherits, so its signature still verifies: the RFC 7522 {@code assertion}.
     */
    String assertionXml() throws XPathExpressionException {
        NodeList nodes = queryAssertion("");
        if (nodes.getLength() != 1) {
            throw new XPathExpressionException("not exactly one assertion");
        }
        org.w3c.dom.ls.DOMImplementationLS ls = (org.w3c.dom.ls.DOMImplementationLS) nodes.item(0).getOwnerDocument()
                .getImplementation().getFeature("LS", "3.0");
        org.w3c.dom.ls.LSSerializer serializer = ls.createLSSerializer();
        serializer.getDomConfig().setParameter("xml-declaration", false);
        return serializer.writeToString(nodes.item(0));
    }

    /** Every {@code NotBefore} of the assertion's Conditions and SubjectConfirmationData. */
    List<Instant> notBefore() throws XPathExpressionException {
        return instants("/saml:Conditions", "NotBefore");
    }

    /** Every {@code NotOnOrAfter} of the assertion's Conditions and bearer SubjectConfirmationData. */
    List<Instant> notOnOrAfter() throws XPathExpressionException {
        List<Instant> all = instants("/saml:Conditions", "NotOnOrAfter");
        all.addAll(instants("/saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", "NotOnOrAfter"));
        return all;
    }

    private List<Instant> instants(String path, String attribute) throws XPathExpressionException {
        NodeList nodes = queryAssertion(path);
        List<Instant> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && element.hasAttribute(attribute)) {
                out.add(Instant.parse(element.getAttribute(attribute)));
            }
        }
        return out;
    }
}
