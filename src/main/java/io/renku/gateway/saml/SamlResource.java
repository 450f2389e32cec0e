package io.renku.gateway.saml;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.login.LoginChain;
import io.renku.gateway.login.PendingLogin;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.session.SessionIndex;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The SAML service provider's endpoints under {@code login.loginRoutesBasePath}: {@code GET saml/new} starts a login
 * (an alias of {@code /login}, as in the second design's flow), {@code POST saml/assertions} is the assertion consumer
 * service (HTTP-POST binding), {@code GET saml/metadata} serves the SP's metadata. A valid assertion finishes the
 * chain's step through {@link LoginChain}, exactly as an OIDC callback does.
 *
 * <p>Security notes. The pending step (the AuthnRequest id) is used up by the first response posted in this browser
 * session, whatever the outcome. Nothing is stored before every check of {@link AssertionCheck} passed. A browser
 * does not send a {@code SameSite=Lax} cookie with the IdP's cross-site POST, so a POST without the session is
 * answered once with a page that posts the same form again from the gateway's own origin (then the cookie comes
 * along); the form is only ever returned to the browser that sent it.
 */
@Path("saml")
public final class SamlResource {
    static final String RESUBMITTED = "gw_resubmitted";
    /** Base64 of the largest message {@link SafeXml} accepts, URL-encoded (at most 3 characters per character). */
    static final int MAX_FORM_BYTES = 3 * (SafeXml.MAX_MESSAGE_BYTES * 4 / 3 + 4) + 4096;

    private final LoginChain chain;
    private final Map<String, SamlProvider> providers;
    private final AssertionCheck check;
    private final AssertionExchange exchange;
    private final io.renku.gateway.login.RedirectTargets redirects;
    private final IdpLogouts logouts;

    @Context
    private HttpServletRequest request;

    SamlResource(LoginChain chain, Map<String, SamlProvider> providers, SessionIndex seen,
            java.util.function.Consumer<String> deleteSession) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.redirects = io.renku.gateway.login.RedirectTargets.of(chain.settings());
        this.logouts = new IdpLogouts(providers.values(), seen, deleteSession);
        this.providers = Map.copyOf(providers);
        this.check = new AssertionCheck(seen);
        this.exchange = new AssertionExchange(java.time.Duration.ofSeconds(5), java.time.Clock.systemUTC());
    }

    @GET
    @Path("new")
    public Response start(@QueryParam("redirect_url") String redirectUrl,
            @QueryParam("provider_id") List<String> providerIds) {
        List<String> ids = providerIds == null || providerIds.isEmpty() ? List.of(onlyProvider().id()) : providerIds;
        return chain.start(request, ids, redirectUrl);
    }

    @GET
    @Path("metadata")
    public Response metadata(@QueryParam("provider_id") String providerId) {
        SamlProvider provider = providerId == null ? onlyProvider() : providers.get(providerId);
        if (provider == null) {
            throw GatewayException.notFound("There is no SAML provider with that provider_id; use one of "
                    + String.join(", ", providers.keySet()) + ".");
        }
        return Response.ok(provider.spMetadata(), "application/samlmetadata+xml").build();
    }

    @POST
    @Path("assertions")
    @Consumes(MediaType.WILDCARD)
    public Response assertion(@HeaderParam("Content-Type") String contentType, InputStream body) {
        Map<String, List<String>> form = form(contentType, body);
        String samlResponse = single(form, "SAMLResponse");
        HttpSession session = request.getSession(false);
        Optional<PendingLogin> pending = chain.peek(session);
        if (session == null && single(form, RESUBMITTED) == null && samlResponse != null) {
            return resubmit(samlResponse, single(form, "RelayState"));
        }
        if (pending.isPresent()) {
            PendingLogin step = chain.take(session);
            SamlProvider provider = providers.get(step.provider());
            if (provider == null) {
                throw GatewayException.badRequest("The login in progress in this browser session is not waiting for a "
                        + "SAML identity provider. Start the login again.");
            }
            if (!provider.clock().instant().isBefore(step.expiresAt())) {
                throw GatewayException.badRequest("The login took too long and has expired. Start the login again.");
            }
            AssertionCheck.Verified verified = check.check(provider, samlResponse, Optional.of(step.state().reveal()));
            Response next = chain.completed(request, session, step, result(verified,
                    exchange.exchange(provider.settings(), verified.xml())));
            session.setAttribute(SamlProvider.LOGOUT_FACTS, SamlProvider.logoutFacts(verified));
            return next;
        }
        SamlProvider provider = unsolicitedProvider();
        AssertionCheck.Verified verified = check.check(provider, samlResponse, Optional.empty());
        if (session != null) {
            session.invalidate();
        }
        PendingLogin step = new PendingLogin(List.of(provider.id()), 0, io.renku.gateway.model.Secret.of("-"),
                io.renku.gateway.model.Secret.of("-"), Optional.empty(), provider.clock().instant(),
                chain.settings().renkuBaseUrl());
        HttpSession fresh = request.getSession(true);
        Response next = chain.completed(request, fresh, step, result(verified,
                exchange.exchange(provider.settings(), verified.xml())));
        fresh.setAttribute(SamlProvider.LOGOUT_FACTS, SamlProvider.logoutFacts(verified));
        return next;
    }

    /**
     * Single logout, HTTP-Redirect binding. An IdP's {@code LogoutRequest} (which must be signed: anyone could
     * otherwise log a user out) ends the gateway sessions of its SessionIndex, or of its NameID when it names none,
     * through the index kept at login, and is answered with a {@code LogoutResponse}. The IdP's
     * {@code LogoutResponse} to the gateway's own request sends the browser on to the validated RelayState.
     */
    @GET
    @Path("slo")
    public Response singleLogout(@QueryParam("SAMLRequest") String samlRequest,
            @QueryParam("SAMLResponse") String samlResponse, @QueryParam("RelayState") String relayState) {
        if (samlRequest == null) {
            if (samlResponse == null) {
                throw GatewayException.badRequest("A single logout message needs SAMLRequest or SAMLResponse.");
            }
            return Response.status(Response.Status.FOUND).location(redirects.validate(relayState))
                    .header("Cache-Control", "no-store").build();
        }
        return logouts.answer(request, samlRequest, relayState);
    }

    /**
     * Single logout, HTTP-POST binding: an IdP's {@code LogoutRequest} posted by the browser or, for back-channel
     * logout, by the IdP itself (Keycloak does so when the client's front-channel logout is off), with an enveloped
     * signature that must cover the whole request; or the IdP's {@code LogoutResponse} to the gateway's own request,
     * which sends the browser on to the validated RelayState.
     */
    @POST
    @Path("slo")
    @Consumes(MediaType.WILDCARD)
    public Response singleLogoutPosted(@HeaderParam("Content-Type") String contentType, InputStream body) {
        Map<String, List<String>> form = form(contentType, body);
        String samlRequest = single(form, "SAMLRequest");
        String relayState = single(form, "RelayState");
        if (samlRequest == null) {
            if (single(form, "SAMLResponse") == null) {
                throw GatewayException.badRequest("A single logout message needs SAMLRequest or SAMLResponse.");
            }
            return Response.status(Response.Status.FOUND).location(redirects.validate(relayState))
                    .header("Cache-Control", "no-store").build();
        }
        return logouts.answerPosted(samlRequest, relayState);
    }

    /**
     * The form body, read here rather than by the container or Jersey's form reader, which answer an odd content type
     * or charset with a 500 and may have consumed the body already; at most {@link #MAX_FORM_BYTES}.
     */
    static Map<String, List<String>> form(String contentType, InputStream body) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        if (!type.startsWith("application/x-www-form-urlencoded")) {
            throw new GatewayException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "This SAML endpoint takes an "
                    + "HTML form post (application/x-www-form-urlencoded) with a SAMLResponse or SAMLRequest field.");
        }
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(MAX_FORM_BYTES + 1);
        } catch (java.io.IOException e) {
            throw GatewayException.badRequest("The form body could not be read.");
        }
        if (bytes.length > MAX_FORM_BYTES) {
            throw new GatewayException(ErrorKind.PAYLOAD_TOO_LARGE, "The form body is larger than " + MAX_FORM_BYTES
                    + " bytes.");
        }
        try {
            return com.nimbusds.oauth2.sdk.util.URLUtils.parseParameters(new String(bytes,
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("The form body is not well-formed.");
        }
    }

    private static String single(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw GatewayException.badRequest("The form field " + name + " is repeated.");
        }
        return values.get(0);
    }

    private static LoginChain.StepResult result(AssertionCheck.Verified verified,
            Optional<io.renku.gateway.model.TokenSet> tokens) {
        Map<String, List<String>> a = verified.attributes();
        String username = first(a, "username", "uid", "urn:oid:0.9.2342.19200300.100.1.1").orElse(verified.nameId());
        String email = first(a, "email", "mail", "urn:oid:0.9.2342.19200300.100.1.3").orElse("");
        String name = first(a, "displayName", "name", "urn:oid:2.16.840.1.113730.3.1.241").orElseGet(() ->
                String.join(" ", first(a, "givenName", "firstName", "urn:oid:2.5.4.42").orElse(""),
                first(a, "surname", "sn", "lastName", "urn:oid:2.5.4.4").orElse("")).trim());
        Identity identity = new Identity(verified.nameId(), username, name, email, verified.issuer(),
                AuthMethod.SESSION, Optional.empty(), Set.of(), Optional.empty());
        Set<String> keys = new java.util.HashSet<>();
        keys.add(SessionIndex.subKey(verified.issuer(), verified.nameId()));
        verified.sessionIndex().ifPresent(index -> keys.add(SessionIndex.sidKey(verified.issuer(), index)));
        return new LoginChain.StepResult(tokens, Optional.of(identity), a, keys);
    }

    private static Optional<String> first(Map<String, List<String>> attributes, String... names) {
        for (String name : names) {
            List<String> values = attributes.get(name);
            if (values != null && !values.isEmpty() && !values.get(0).isBlank()) {
                return Optional.of(values.get(0));
            }
        }
        return Optional.empty();
    }

    private SamlProvider onlyProvider() {
        if (providers.size() != 1) {
            throw GatewayException.badRequest("Name the SAML provider with provider_id: one of "
                    + String.join(", ", providers.keySet()) + ".");
        }
        return providers.values().iterator().next();
    }

    /** An IdP-initiated response can only be taken by a provider that allows them; with several, none is guessed. */
    private SamlProvider unsolicitedProvider() {
        List<SamlProvider> open = providers.values().stream().filter(p -> p.settings().allowUnsolicited()).toList();
        if (open.size() == 1) {
            return open.get(0);
        }
        if (providers.size() == 1) {
            return providers.values().iterator().next();
        }
        throw GatewayException.badRequest("No login is in progress in this browser session (the response may have been "
                + "used already, or the session has ended). Start the login again.");
    }

    private static Response resubmit(String samlResponse, String relayState) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("SAMLResponse", samlResponse);
        if (relayState != null) {
            fields.put("RelayState", relayState);
        }
        fields.put(RESUBMITTED, "1");
        return SamlPages.page("assertions", "'self'", fields);
    }

    static GatewayException unavailable(String id) {
        return new GatewayException(ErrorKind.BAD_GATEWAY, "The SAML identity provider '" + id + "' is unavailable.");
    }
}
