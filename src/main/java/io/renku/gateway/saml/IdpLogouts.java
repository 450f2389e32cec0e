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

/**
 * An IdP's single-logout request (HTTP-Redirect binding): it must be signed by the IdP (java-saml checks the
 * signature over the query as received, the {@code Destination}, the issuer and {@code NotOnOrAfter}); then the
 * gateway sessions of its {@code SessionIndex} (or, without one, of its NameID) are found through the session index
 * kept at login and deleted, and the browser goes back to the IdP with a {@code LogoutResponse}. A request that is not
 * accepted is a 400 naming why, and ends nothing.
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

    Response answer(HttpServletRequest request, String samlRequest, String relayState) {
        String xml;
        try {
            xml = Util.base64decodedInflated(samlRequest);
        } catch (RuntimeException e) {
            throw refused("it is not a deflated, base64-encoded LogoutRequest");
        }
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
        SamlProvider provider = providers.stream().filter(p -> Objects.equals(issuer, entityId(p))).findFirst()
                .orElseThrow(() -> refused("it comes from no configured SAML IdP"));
        String signature = request.getParameter("Signature");
        if (signature == null || signature.isEmpty()) {
            throw refused("it is not signed; a LogoutRequest must be, or anyone could log users out");
        }
        Saml2Settings saml = provider.resolved();
        Map<String, List<String>> params = new LinkedHashMap<>();
        request.getParameterMap().forEach((k, v) -> params.put(k, List.of(v)));
        LogoutRequest logout = new LogoutRequest(saml, new HttpRequest(provider.settings().sloUrl().toString(),
                params, request.getQueryString()));
        if (!logout.isValid()) {
            throw refused("its signature, Destination, Issuer or NotOnOrAfter does not hold");
        }
        String nameId;
        List<String> sessionIndexes;
        try {
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
        LogoutResponse answer = new LogoutResponse(saml, new LogoutResponseParams(logout.getId()));
        String endpoint = saml.getIdpSingleLogoutServiceResponseUrl() != null
                ? saml.getIdpSingleLogoutServiceResponseUrl().toString()
                : saml.getIdpSingleLogoutServiceUrl() != null ? saml.getIdpSingleLogoutServiceUrl().toString() : null;
        if (endpoint == null) {
            return Response.ok().header("Cache-Control", "no-store").build();
        }
        URI back;
        try {
            back = provider.redirectBinding(endpoint, "SAMLResponse", answer.getEncodedLogoutResponse(true),
                    relayState, saml);
        } catch (IOException e) {
            throw new IllegalStateException("deflating a LogoutResponse in memory", e);
        }
        return Response.status(Response.Status.FOUND).location(back).header("Cache-Control", "no-store").build();
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
