package io.renku.gateway.config;

import io.renku.gateway.model.Secret;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One SAML 2.0 identity provider of the login chain ({@code login.providers.<id>.type=saml}): where its metadata is
 * (a URL, read on first use like an OIDC discovery document, or a file, read at startup), who the gateway is towards
 * it (entity id, optional signing/decryption key pair), and what it takes from an assertion.
 *
 * <p>Security notes: the IdP's signing certificate comes only from its metadata, never from the response itself. The
 * private key is a {@link Secret}. {@code allowUnsolicited} is off by default: an IdP-initiated response cannot be
 * bound to a browser session, which is what makes login CSRF possible.
 */
public record SamlProviderSettings(String id, Optional<URI> idpMetadataUrl, Optional<String> idpMetadataFile,
        String spEntityId, Secret spPrivateKey, Secret spCertificate, String nameIdAttribute, List<String> attributes,
        boolean allowUnsolicited, boolean wantAssertionsSigned, Optional<URI> tokenEndpoint, String clientId,
        Secret clientSecret, URI acsUrl, URI sloUrl, URI metadataUrl) {
    public static final String TYPE_SAML = "saml";
    public static final String IDP_METADATA_URL = "idpMetadataURL";
    public static final String IDP_METADATA_FILE = "idpMetadataFile";
    public static final String SP_ENTITY_ID = "spEntityID";
    public static final String SP_PRIVATE_KEY = "spPrivateKey";
    public static final String SP_CERTIFICATE = "spCertificate";
    public static final String NAME_ID_ATTRIBUTE = "nameIDAttribute";
    public static final String ATTRIBUTES = "attributes";
    public static final String ALLOW_UNSOLICITED = "allowUnsolicited";
    public static final String WANT_ASSERTIONS_SIGNED = "wantAssertionsSigned";
    public static final String TOKEN_ENDPOINT = "tokenEndpoint";

    public SamlProviderSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(idpMetadataUrl, "idpMetadataUrl");
        Objects.requireNonNull(idpMetadataFile, "idpMetadataFile");
        Objects.requireNonNull(spEntityId, "spEntityId");
        Objects.requireNonNull(spPrivateKey, "spPrivateKey");
        Objects.requireNonNull(spCertificate, "spCertificate");
        Objects.requireNonNull(nameIdAttribute, "nameIdAttribute");
        attributes = List.copyOf(attributes);
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(acsUrl, "acsUrl");
        Objects.requireNonNull(sloUrl, "sloUrl");
        Objects.requireNonNull(metadataUrl, "metadataUrl");
        if (idpMetadataUrl.isPresent() == idpMetadataFile.isPresent()) {
            throw new IllegalArgumentException("exactly one of idpMetadataUrl and idpMetadataFile");
        }
    }

    public boolean hasSpKey() {
        return !spPrivateKey.isEmpty();
    }

    /** The name of the setting the metadata comes from, for messages. */
    public String metadataSetting() {
        return LoginSettings.providerKey(id, idpMetadataUrl.isPresent() ? IDP_METADATA_URL : IDP_METADATA_FILE);
    }

    static SamlProviderSettings read(SettingReader reader, String id, URI renku, String base) {
        String urlKey = LoginSettings.providerKey(id, IDP_METADATA_URL);
        String fileKey = LoginSettings.providerKey(id, IDP_METADATA_FILE);
        URI url = reader.httpUrl(urlKey, null);
        String file = reader.string(fileKey, "");
        if ((url == null) == file.isEmpty()) {
            throw new io.renku.gateway.errors.InvalidSettingException(urlKey, "exactly one of " + urlKey + " and "
                    + fileKey + " must be set for the SAML provider '" + id + "'");
        }
        String root = renku.toString().endsWith("/") ? renku.toString().substring(0, renku.toString().length() - 1)
                : renku.toString();
        URI metadata = URI.create(root + base + "/saml/metadata?provider_id=" + id);
        String entityId = reader.string(LoginSettings.providerKey(id, SP_ENTITY_ID), metadata.toString());
        if (entityId.isBlank() || !entityId.matches("[\\x21-\\x7e]{1,1024}")) {
            throw SettingReader.invalid(LoginSettings.providerKey(id, SP_ENTITY_ID), entityId,
                    "a URI of visible ASCII characters (default: the SP metadata URL)");
        }
        Secret key = reader.secret(LoginSettings.providerKey(id, SP_PRIVATE_KEY));
        Secret certificate = reader.secret(LoginSettings.providerKey(id, SP_CERTIFICATE));
        if (key.isEmpty() != certificate.isEmpty()) {
            throw new io.renku.gateway.errors.InvalidSettingException(LoginSettings.providerKey(id, SP_PRIVATE_KEY),
                    LoginSettings.providerKey(id, SP_PRIVATE_KEY) + " and " + LoginSettings.providerKey(id,
                    SP_CERTIFICATE) + " must be set together (a PEM private key and its PEM certificate)");
        }
        URI tokenEndpoint = reader.httpUrl(LoginSettings.providerKey(id, TOKEN_ENDPOINT), null);
        String clientId = reader.string(LoginSettings.providerKey(id, LoginSettings.CLIENT_ID), "");
        if (tokenEndpoint != null && clientId.isEmpty()) {
            throw new io.renku.gateway.errors.InvalidSettingException(LoginSettings.providerKey(id,
                    LoginSettings.CLIENT_ID), LoginSettings.providerKey(id, LoginSettings.CLIENT_ID)
                    + " is required when " + LoginSettings.providerKey(id, TOKEN_ENDPOINT) + " is set");
        }
        return new SamlProviderSettings(id, Optional.ofNullable(url), file.isEmpty() ? Optional.empty()
                : Optional.of(file), entityId, key, certificate,
                reader.string(LoginSettings.providerKey(id, NAME_ID_ATTRIBUTE), ""),
                reader.list(LoginSettings.providerKey(id, ATTRIBUTES), List.of()),
                reader.bool(LoginSettings.providerKey(id, ALLOW_UNSOLICITED), false),
                reader.bool(LoginSettings.providerKey(id, WANT_ASSERTIONS_SIGNED), false),
                Optional.ofNullable(tokenEndpoint), clientId,
                reader.secret(LoginSettings.providerKey(id, LoginSettings.CLIENT_SECRET)),
                URI.create(root + base + "/saml/assertions"), URI.create(root + base + "/saml/slo"), metadata);
    }
}
