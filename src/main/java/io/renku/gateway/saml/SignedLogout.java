package io.renku.gateway.saml;

import com.onelogin.saml2.logout.LogoutResponse;
import com.onelogin.saml2.logout.LogoutResponseParams;
import com.onelogin.saml2.settings.Saml2Settings;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.xml.xpath.XPathExpressionException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.w3c.dom.Document;

/**
 * The enveloped XML signature of a single-logout message in the HTTP-POST binding, which java-saml's
 * {@code LogoutRequest} does not check (it knows only the Redirect binding's query signature).
 *
 * <p>Security notes. Exactly one {@code ds:Signature} in the whole document, a child of the root {@code LogoutRequest};
 * exactly one {@code Reference}, naming the root's own {@code ID}, which no other element carries: so the signed
 * element is the one whose NameID and SessionIndex are read, and no wrapped copy can be slipped beside it. The signature must verify with a certificate
 * of the IdP's metadata (a certificate inside the message is never trusted on its own), SHA-1 refused.
 */
final class SignedLogout {
    private SignedLogout() {
    }

    /** Null when {@code document} is a LogoutRequest signed as a whole by the IdP; else why not, in words. */
    static String check(Document document, Saml2Settings saml) {
        Element root = document.getDocumentElement();
        if (!"LogoutRequest".equals(root.getLocalName()) || !Constants.NS_SAMLP.equals(root.getNamespaceURI())) {
            return "it is not a LogoutRequest";
        }
        String id = root.getAttribute("ID");
        try {
            NodeList all = Util.query(document, "//ds:Signature");
            NodeList own = Util.query(document, "/samlp:LogoutRequest/ds:Signature");
            if (all.getLength() == 0) {
                return "it is not signed; a LogoutRequest must be, or anyone could log users out";
            }
            if (all.getLength() != 1 || own.getLength() != 1) {
                return "its signature does not cover the whole LogoutRequest (signature wrapping is refused)";
            }
            NodeList withIds = Util.query(document, "//*[@ID]");
            int sameId = 0;
            for (int i = 0; i < withIds.getLength(); i++) {
                if (id.equals(((Element) withIds.item(i)).getAttribute("ID"))) {
                    sameId++;
                }
            }
            if (sameId != 1) {
                return "its ID is not unique in the document (signature wrapping is refused)";
            }
            Node signature = own.item(0);
            NodeList references = Util.query(null, "ds:SignedInfo/ds:Reference", signature);
            if (id.isEmpty() || references.getLength() != 1
                    || !("#" + id).equals(((Element) references.item(0)).getAttribute("URI"))) {
                return "its signature does not cover the whole LogoutRequest (signature wrapping is refused)";
            }
        } catch (XPathExpressionException e) {
            return "its signature cannot be read";
        }
        List<X509Certificate> certificates = new ArrayList<>();
        if (saml.getIdpx509certMulti() != null) {
            certificates.addAll(saml.getIdpx509certMulti());
        }
        if (saml.getIdpx509cert() != null && !certificates.contains(saml.getIdpx509cert())) {
            certificates.add(saml.getIdpx509cert());
        }
        if (certificates.isEmpty() || !Util.validateSign(document, certificates, null, "sha256",
                "/samlp:LogoutRequest/ds:Signature", true)) {
            return "its signature is invalid or not made with the IdP's certificate from its metadata";
        }
        return null;
    }

    /**
     * The base64 {@code LogoutResponse} (Success) to the request {@code inResponseTo}, for the POST binding: signed
     * as a whole with the SP key when the provider has one.
     */
    static String response(Saml2Settings saml, boolean sign, String inResponseTo) {
        String xml = new LogoutResponse(saml, new LogoutResponseParams(inResponseTo)).getLogoutResponseXml();
        if (sign) {
            try {
                xml = Util.addSign(Util.loadXML(xml), saml.getSPkey(), saml.getSPcert(), saml.getSignatureAlgorithm(),
                        saml.getDigestAlgorithm());
            } catch (org.apache.xml.security.exceptions.XMLSecurityException | XPathExpressionException e) {
                throw new IllegalStateException("signing a LogoutResponse with the SP key", e);
            }
        }
        return Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
    }
}
