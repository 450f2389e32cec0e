package io.renku.gateway.saml;

import com.onelogin.saml2.http.HttpRequest;
import com.onelogin.saml2.logout.LogoutRequest;
import com.onelogin.saml2.logout.LogoutResponse;
import com.onelogin.saml2.logout.LogoutResponseParams;
import com.onelogin.saml2.settings.Saml2Settings;
import com.onelogin.saml2.util.Util;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.session.SessionIndex;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.w3c.dom.Document;

/**
 * An IdP's single-logout request, in either binding. HTTP-Redirect (a browser sent by the IdP): java-saml checks the
 * signature over the query as received. HTTP-POST (a browser's auto-submitted form, or the IdP's own server-to-server
 * call, which is how Keycloak does back-channel SAML logout): the enveloped XML signature of the request must cover
 * the whole {@code LogoutRequest} and verify with a certificate from the IdP's metadata ({@link SignedLogout}). Either
 * way java-saml then checks the schema, {@code Destination}, the issuer and {@code NotOnOrAfter}; the gateway
 * sessions of its {@code SessionIndex} (or, without one, of its NameID) are found through the session index kept at
 * login and deleted; and the IdP gets a {@code LogoutResponse} in the binding the request came in. A request that is not
 * accepted is a 400 naming why, and ends nothing. An unsigned request is always refused: anyone could otherwise log
 * users out.
 */
final class IdpLogouts {
    private static final System.Logger LOG = System.getLogger(IdpLogouts.class.getName());

    private final Collection<SamlProvider> providers;
    private final SessionIndex index;
    private final Consumer<String> deleteSession;

    IdpLogouts(Collection<SamlProvider> providers, SessionIndex index, Consumer<String> deleteSession) {
        this.providers = List.copyOf(providers);
        this.index = Objects.requireNonNull(index, "index");
        this.deleteSession = Objects.requireNonNull(deleteSession, "deleteSession");
    }

    /** A LogoutRequest in the HTTP-Redirect binding (deflated, signature over the query). */
    Response answer(HttpServletRequest request, String samlRequest, String relayState) {
        String xml;
        try {
            xml = Util.base64decodedInflated(samlRequest);
        } catch (RuntimeException e) {
            throw refused("it is not a deflated, base64-encoded LogoutRequest");
        }
        SamlProvider provider = provider(xml);
        String signature = request.getParameter("Signature");
        if (signature == null || signature.isEmpty()) {
            throw refused("it is not signed; a LogoutRequest must be, or anyone could log users out");
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        request.getParameterMap().forEach((k, v) -> params.put(k, List.of(v)));
        LogoutRequest logout = validated(provider, params, request.getQueryString());
        end(provider, xml);
        Saml2Settings saml = provider.resolved();
        LogoutResponse answer = new LogoutResponse(saml, new LogoutResponseParams(logout.getId()));
        String endpoint = responseEndpoint(saml);
        if (endpoint == null) {
            return Response.ok().header("Cache-Control", "no-store").build();
        }
        URI back;
        try {
            back = provider.redirectBinding(endpoint, "SAMLResponse", answer.getEncodedLogoutResponse(true),
                    relayState, saml);
        } catch (IOException e) {
            throw new IllegalStateException("deflating a LogoutRequest in memory", e);
        }
        return Response.status(Response.Status.FOUND).location(back).header("Cache-Control", "no-store").build();
    }

    /**
     * A LogoutRequest in the HTTP-POST binding (base64, not deflated, with an enveloped XML signature). Answered with
     * the POST binding's page: a form that posts the {@code LogoutResponse} (signed with the SP key when one is set)
     * to the IdP's logout endpoint, submitted by the browser when one sent the request; a server-to-server caller
     * reads the same {@code LogoutResponse} from the form and the 200 status.
     */
    Response answerPosted(String samlRequest, String relayState) {
        String xml = SafeXml.decodePosted(samlRequest, "LogoutRequest");
        SamlProvider provider = provider(xml);
        Saml2Settings saml = provider.resolved();
        Document document = Util.loadXML(xml);
        if (document == null) {
            throw refused("it is not well-formed XML");
        }
        String unsigned = SignedLogout.check(document, saml);
        if (unsigned != null) {
            throw refused(unsigned);
        }
        LogoutRequest logout = validated(provider, Map.of("SAMLRequest", List.of(samlRequest.trim())), null);
        end(provider, xml);
        String endpoint = responseEndpoint(saml);
        if (endpoint == null) {
            return Response.ok().header("Cache-Control", "no-store").build();
        }
        String response = SignedLogout.response(saml, provider.settings().hasSpKey(), logout.getId());
        return SamlPages.autoPost(URI.create(endpoint), "SAMLResponse", response, relayState);
    }

    private SamlProvider provider(String xml) {
        try {
            SafeXml.refuseDoctype(xml, "the LogoutRequest");
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
        }
        String issuer;
        try {
            issuer = LogoutRequest.getIssuer(xml);
        } catch (Exception e) {
            throw refused("its Issuer cannot be read");
        }
        return providers.stream().filter(p -> Objects.equals(issuer, entityId(p))).findFirst()
                .orElseThrow(() -> refused("it comes from no configured SAML IdP"));
    }

    private static LogoutRequest validated(SamlProvider provider, Map<String, List<String>> params, String query) {
        LogoutRequest logout = new LogoutRequest(provider.resolved(), new HttpRequest(
                provider.settings().sloUrl().toString(), params, query));
        if (!logout.isValid()) {
            throw refused("its signature, Destination, Issuer or NotOnOrAfter does not hold");
        }
        return logout;
    }

    /** Ends the gateway sessions the (validated) request names. */
    private void end(SamlProvider provider, String xml) {
        String issuer;
        String nameId;
        List<String> sessionIndexes;
        try {
            issuer = LogoutRequest.getIssuer(xml);
            nameId = LogoutRequest.getNameId(xml, provider.spKey());
            sessionIndexes = LogoutRequest.getSessionIndexes(xml);
        } catch (Exception e) {
            throw refused("its NameID or SessionIndex cannot be read");
        }
        Set<String> sessions = new HashSet<>();
        if (sessionIndexes.isEmpty()) {
            sessions.addAll(index.take(SessionIndex.subKey(issuer, nameId)));
        } else {
            sessionIndexes.forEach(i -> sessions.addAll(index.take(SessionIndex.sidKey(issuer, i))));
        }
        sessions.forEach(deleteSession);
        LOG.log(System.Logger.Level.INFO, "SAML single logout from provider " + provider.id() + " ended "
                + sessions.size() + " session(s)");
    }

    private static String responseEndpoint(Saml2Settings saml) {
        return saml.getIdpSingleLogoutServiceResponseUrl() != null
                ? saml.getIdpSingleLogoutServiceResponseUrl().toString()
                : saml.getIdpSingleLogoutServiceUrl() != null ? saml.getIdpSingleLogoutServiceUrl().toString() : null;
    }

    private static String entityId(SamlProvider provider) {
        try {
            return provider.resolved().getIdpEntityId();
        } catch (GatewayException e) {
            return null;
        }
    }

    private static GatewayException refused(String why) {
        LOG.log(System.Logger.Level.WARNING, "SAML single logout refused: " + why);
        return GatewayException.badRequest("The single logout request was refused: " + why + ".");
    }
}
