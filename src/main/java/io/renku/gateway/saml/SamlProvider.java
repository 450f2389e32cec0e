package io.renku.gateway.saml;

import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.onelogin.saml2.authn.AuthnRequest;
import com.onelogin.saml2.authn.AuthnRequestParams;
import com.onelogin.saml2.settings.IdPMetadataParser;
import com.onelogin.saml2.settings.Saml2Settings;
import com.onelogin.saml2.settings.SettingsBuilder;
import com.onelogin.saml2.util.Constants;
import com.onelogin.saml2.util.Util;
import io.renku.gateway.config.SamlProviderSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.login.LoginProvider;
import io.renku.gateway.login.PendingLogin;
import io.renku.gateway.model.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.w3c.dom.Document;

/**
 * One SAML 2.0 identity provider of the login chain, the gateway being its service provider, on OneLogin's
 * servlet-free {@code java-saml-core}. The IdP's metadata (entity id, single sign-on and logout endpoints, signing
 * certificates) comes from {@code idpMetadataFile}, read at startup so a bad file stops the deployment, or from
 * {@code idpMetadataURL}, fetched on first use like an OIDC discovery document (a down IdP does not stop the
 * deployment; after a failure it is not asked again for {@code retryDelay}).
 *
 * <p>A login step is an {@code AuthnRequest} sent by HTTP-Redirect (signed with {@code SigAlg}/{@code Signature} when
 * the SP has a key); its id is the step's {@code state}, so the response's {@code InResponseTo} binds it to this browser
 * session exactly as an OIDC {@code state} does. Responses are checked by {@link AssertionCheck}.
 *
 * <p>Security notes: java-saml runs in strict mode with schema validation, duplicated attribute names allowed (Keycloak
 * sends one {@code Attribute} per role), unsolicited responses carrying an {@code InResponseTo} refused, and
 * deprecated algorithms (SHA-1) refused. Metadata is never parsed with a DOCTYPE.
 */
public final class SamlProvider implements LoginProvider {
    private static final System.Logger LOG = System.getLogger(SamlProvider.class.getName());
    private static final int MAX_METADATA_BYTES = 1024 * 1024;

    private final SamlProviderSettings settings;
    private final Duration clockSkew;
    private final Duration timeout;
    private final Duration retryDelay;
    private final Clock clock;
    private final Saml2Settings spOnly;
    /** Nimbus' retriever (HttpURLConnection): timeouts and a size limit, and no client thread to leak on undeploy. */
    private final DefaultResourceRetriever metadataRetriever;
    private volatile Saml2Settings resolved;
    private Instant retryAfter = Instant.MIN;
    private GatewayException lastFailure;

    public SamlProvider(SamlProviderSettings settings, Duration clockSkew, Duration timeout, Duration retryDelay,
            Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
        this.clock = Objects.requireNonNull(clock, "clock");
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.metadataRetriever = new DefaultResourceRetriever(millis, millis, MAX_METADATA_BYTES);
        this.spOnly = build(Map.of());
        if (settings.idpMetadataFile().isPresent()) {
            String file = settings.idpMetadataFile().get();
            try {
                resolved = build(parseMetadata(Files.readString(Path.of(file), StandardCharsets.UTF_8)));
            } catch (IOException | IllegalArgumentException e) {
                throw new InvalidSettingException(settings.metadataSetting(), settings.metadataSetting()
                        + " must name a readable SAML IdP metadata file, was '" + file + "': " + e.getMessage());
            }
        }
    }

    @Override
    public String id() {
        return settings.id();
    }

    public SamlProviderSettings settings() {
        return settings;
    }

    Duration clockSkew() {
        return clockSkew;
    }

    Clock clock() {
        return clock;
    }

    @Override
    public String name() {
        return "login provider " + settings.id() + " (saml metadata "
                + settings.idpMetadataUrl().map(URI::toString).orElseGet(() -> settings.idpMetadataFile().get()) + ")";
    }

    @Override
    public void probe() {
        resolved();
    }

    @Override
    public Begun begin(List<String> chain, int step, URI redirect, Instant expiresAt, SecureRandom random) {
        Saml2Settings saml = resolved();
        AuthnRequest request = new AuthnRequest(saml, new AuthnRequestParams(false, false, true));
        String encoded;
        try {
            encoded = request.getEncodedAuthnRequest(true);
        } catch (IOException e) {
            throw new IllegalStateException("deflating an AuthnRequest in memory", e);
        }
        PendingLogin pending = new PendingLogin(chain, step, Secret.of(request.getId()), randomNonce(random),
                Optional.empty(), expiresAt, redirect);
        return new Begun(pending, redirectBinding(saml.getIdpSingleSignOnServiceUrl().toString(), "SAMLRequest",
                encoded, null, saml));
    }

    /** The session attribute with what a LogoutRequest names: NameID, its format, the IdP's SessionIndex. */
    static final String LOGOUT_FACTS = "saml.logout";

    /**
     * A {@code LogoutRequest} to the IdP's single logout endpoint for the user of {@code session} (HTTP-Redirect,
     * signed with the SP key), with {@code after} as RelayState; empty when the IdP has none or is unavailable (the
     * gateway's own logout stands either way).
     */
    @Override
    public Optional<URI> singleLogout(jakarta.servlet.http.HttpSession session, URI after) {
        if (!(session.getAttribute(LOGOUT_FACTS) instanceof String facts)) {
            return Optional.empty();
        }
        String[] f = facts.split("\n", -1);
        Optional<URI> endpoint = idpLogoutEndpoint();
        if (f.length != 3 || endpoint.isEmpty()) {
            return Optional.empty();
        }
        Saml2Settings saml = resolved();
        com.onelogin.saml2.logout.LogoutRequest request = new com.onelogin.saml2.logout.LogoutRequest(saml,
                new com.onelogin.saml2.logout.LogoutRequestParams(f[2].isEmpty() ? null : f[2], f[0],
                        f[1].isEmpty() ? null : f[1]));
        try {
            return Optional.of(redirectBinding(endpoint.get().toString(), "SAMLRequest",
                    request.getEncodedLogoutRequest(true), after.toString(), saml));
        } catch (IOException e) {
            throw new IllegalStateException("deflating a LogoutRequest in memory", e);
        }
    }

    /** {@link #LOGOUT_FACTS} of a login. */
    static String logoutFacts(AssertionCheck.Verified verified) {
        return String.join("\n", verified.subjectNameId(), verified.nameIdFormat().orElse(""),
                verified.sessionIndex().orElse(""));
    }

    /** The IdP's single logout endpoint, when its metadata names one (and the metadata can be read now). */
    Optional<URI> idpLogoutEndpoint() {
        try {
            return Optional.ofNullable(resolved().getIdpSingleLogoutServiceUrl()).map(u -> URI.create(u.toString()));
        } catch (GatewayException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code <endpoint>?<name>=<message>[&RelayState=…][&SigAlg=…&Signature=…]}: the HTTP-Redirect binding (SAML
     * bindings §3.4.4.1), the signature over the query exactly as sent.
     */
    URI redirectBinding(String endpoint, String name, String deflated, String relayState, Saml2Settings saml) {
        StringBuilder query = new StringBuilder(name).append('=').append(enc(deflated));
        if (relayState != null) {
            query.append("&RelayState=").append(enc(relayState));
        }
        if (settings.hasSpKey()) {
            String alg = saml.getSignatureAlgorithm();
            query.append("&SigAlg=").append(enc(alg));
            try {
                byte[] signature = Util.sign(query.toString(), saml.getSPkey(), alg);
                query.append("&Signature=").append(enc(Base64.getEncoder().encodeToString(signature)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("signing with the SP key of provider " + settings.id(), e);
            }
        }
        return URI.create(endpoint + (endpoint.contains("?") ? "&" : "?") + query);
    }

    /** The SP's metadata document: entity id, ACS and SLO endpoints, signing certificate. Needs no IdP. */
    String spMetadata() {
        try {
            return spOnly.getSPMetadata();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("encoding the SP certificate of provider " + settings.id(), e);
        }
    }

    /** The settings with the IdP's metadata; 502/504 while it cannot be read. */
    Saml2Settings resolved() {
        Saml2Settings ready = resolved;
        return ready != null ? ready : fetch();
    }

    private synchronized Saml2Settings fetch() {
        if (resolved != null) {
            return resolved;
        }
        Instant now = clock.instant();
        if (now.isBefore(retryAfter) && lastFailure != null) {
            throw new GatewayException(lastFailure.kind(), lastFailure.getMessage());
        }
        URI url = settings.idpMetadataUrl().orElseThrow();
        try {
            String xml = metadataRetriever.retrieveResource(url.toURL()).getContent();
            resolved = build(parseMetadata(xml));
            lastFailure = null;
            return resolved;
        } catch (IOException | IllegalArgumentException e) {
            retryAfter = now.plus(retryDelay);
            LOG.log(System.Logger.Level.WARNING, "SAML metadata of login provider " + settings.id() + " (" + url
                    + ") could not be read: " + e.getMessage());
            boolean timedOut = e instanceof java.net.SocketTimeoutException;
            lastFailure = new GatewayException(timedOut ? ErrorKind.GATEWAY_TIMEOUT : ErrorKind.BAD_GATEWAY,
                    "The identity provider '" + settings.id() + "' " + (timedOut ? "did not answer in time"
                    : "could not be used") + " (SAML metadata). Try to log in again in a moment.", e);
            throw lastFailure;
        }
    }

    /** The IdP part of java-saml's settings from a metadata document; refuses DOCTYPEs before parsing. */
    static Map<String, Object> parseMetadata(String xml) {
        SafeXml.refuseDoctype(xml, "the metadata");
        Document document = Util.loadXML(xml);
        if (document == null) {
            throw new IllegalArgumentException("it is not well-formed XML");
        }
        Map<String, Object> idp;
        try {
            idp = IdPMetadataParser.parseXML(document);
        } catch (javax.xml.xpath.XPathException e) {
            throw new IllegalArgumentException("it could not be read as SAML metadata", e);
        }
        if (idp.get(SettingsBuilder.IDP_ENTITYID_PROPERTY_KEY) == null
                || idp.get(SettingsBuilder.IDP_SINGLE_SIGN_ON_SERVICE_URL_PROPERTY_KEY) == null) {
            throw new IllegalArgumentException("it has no IDPSSODescriptor with an entity id and a SingleSignOnService");
        }
        if (idp.get(SettingsBuilder.IDP_X509CERT_PROPERTY_KEY) == null
                && idp.keySet().stream().noneMatch(k -> k.startsWith(SettingsBuilder.IDP_X509CERTMULTI_PROPERTY_KEY))) {
            throw new IllegalArgumentException("it names no signing certificate of the IdP");
        }
        return idp;
    }

    private Saml2Settings build(Map<String, Object> idp) {
        Map<String, Object> values = new HashMap<>(idp);
        values.put(SettingsBuilder.STRICT_PROPERTY_KEY, true);
        values.put(SettingsBuilder.DEBUG_PROPERTY_KEY, false);
        values.put(SettingsBuilder.SP_ENTITYID_PROPERTY_KEY, settings.spEntityId());
        values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_URL_PROPERTY_KEY, settings.acsUrl().toString());
        values.put(SettingsBuilder.SP_ASSERTION_CONSUMER_SERVICE_BINDING_PROPERTY_KEY, Constants.BINDING_HTTP_POST);
        values.put(SettingsBuilder.SP_SINGLE_LOGOUT_SERVICE_URL_PROPERTY_KEY, settings.sloUrl().toString());
        values.put(SettingsBuilder.SP_SINGLE_LOGOUT_SERVICE_BINDING_PROPERTY_KEY, Constants.BINDING_HTTP_REDIRECT);
        values.put(SettingsBuilder.SP_NAMEIDFORMAT_PROPERTY_KEY, Constants.NAMEID_UNSPECIFIED);
        if (settings.hasSpKey()) {
            values.put(SettingsBuilder.SP_PRIVATEKEY_PROPERTY_KEY, settings.spPrivateKey().reveal());
            values.put(SettingsBuilder.SP_X509CERT_PROPERTY_KEY, settings.spCertificate().reveal());
        }
        values.put(SettingsBuilder.SECURITY_AUTHREQUEST_SIGNED, settings.hasSpKey());
        values.put(SettingsBuilder.SECURITY_LOGOUTREQUEST_SIGNED, settings.hasSpKey());
        values.put(SettingsBuilder.SECURITY_LOGOUTRESPONSE_SIGNED, settings.hasSpKey());
        values.put(SettingsBuilder.SECURITY_WANT_ASSERTIONS_SIGNED, settings.wantAssertionsSigned());
        values.put(SettingsBuilder.SECURITY_WANT_MESSAGES_SIGNED, false);
        values.put(SettingsBuilder.SECURITY_WANT_NAMEID, true);
        values.put(SettingsBuilder.SECURITY_WANT_XML_VALIDATION, true);
        values.put(SettingsBuilder.SECURITY_SIGNATURE_ALGORITHM, Constants.RSA_SHA256);
        values.put(SettingsBuilder.SECURITY_DIGEST_ALGORITHM, Constants.SHA256);
        values.put(SettingsBuilder.SECURITY_REJECT_DEPRECATED_ALGORITHM, true);
        values.put(SettingsBuilder.SECURITY_REJECT_UNSOLICITED_RESPONSES_WITH_INRESPONSETO, true);
        values.put(SettingsBuilder.SECURITY_ALLOW_REPEAT_ATTRIBUTE_NAME_PROPERTY_KEY, true);
        values.put(SettingsBuilder.UNIQUE_ID_PREFIX_PROPERTY_KEY, "_gw");
        Saml2Settings built = new SettingsBuilder().fromValues(values).build();
        if (settings.hasSpKey() && (built.getSPkey() == null || built.getSPcert() == null)) {
            throw new InvalidSettingException(io.renku.gateway.config.LoginSettings.providerKey(settings.id(),
                    SamlProviderSettings.SP_PRIVATE_KEY), io.renku.gateway.config.LoginSettings.providerKey(
                    settings.id(), SamlProviderSettings.SP_PRIVATE_KEY) + " and " + SamlProviderSettings.SP_CERTIFICATE
                    + " must be a PEM PKCS#8 RSA private key and its PEM X.509 certificate");
        }
        return built;
    }

    PrivateKey spKey() {
        return spOnly.getSPkey();
    }

    private static Secret randomNonce(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
