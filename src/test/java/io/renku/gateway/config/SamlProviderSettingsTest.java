package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SamlProviderSettingsTest {
    private static final Map<String, String> SAML = Map.of(
            "login.additionalProviders", "uni,consent",
            "login.providers.uni.type", "saml",
            "login.providers.uni.idpMetadataURL", "https://idp.uni.example/metadata",
            "login.providers.consent.issuer", "https://kc.example.org/realms/renku",
            "login.providers.consent.clientID", "consent");

    private static LoginSettings read(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(SAML);
        values.putAll(extra);
        return LoginSettingsTest.read(values);
    }

    @Test
    void additionalProvidersAreConfiguredBesideTheDefaultChainAndIdentifyTheUser() {
        LoginSettings s = read(Map.of());
        assertEquals(List.of("renku", "gitlab"), s.defaultChain());
        assertEquals(List.of("renku", "gitlab", "uni", "consent"), s.allProviders());
        assertTrue(s.providers().containsKey("consent"), "type defaults to oidc");
        assertFalse(s.providers().containsKey("uni"));
        assertTrue(s.identifiesUser("renku"));
        assertTrue(s.identifiesUser("uni"));
        assertTrue(s.identifiesUser("consent"));
        assertFalse(s.identifiesUser("gitlab"), "gitlab only adds its tokens");
    }

    @Test
    void samlDefaultsNameTheGatewaysOwnEndpoints() {
        SamlProviderSettings uni = read(Map.of()).samlProviders().get("uni");
        assertEquals(Optional.of(URI.create("https://idp.uni.example/metadata")), uni.idpMetadataUrl());
        assertEquals("https://renku.example.org/api/auth/saml/metadata?provider_id=uni", uni.spEntityId());
        assertEquals(URI.create("https://renku.example.org/api/auth/saml/assertions"), uni.acsUrl());
        assertEquals(URI.create("https://renku.example.org/api/auth/saml/slo"), uni.sloUrl());
        assertFalse(uni.allowUnsolicited());
        assertFalse(uni.wantAssertionsSigned());
        assertFalse(uni.hasSpKey());
        assertEquals("", uni.nameIdAttribute());
        assertEquals("login.providers.uni.idpMetadataURL", uni.metadataSetting());
    }

    @Test
    void aSamlProviderMayBeTheFirstStepOfTheDefaultChain() {
        LoginSettings s = LoginSettingsTest.read(Map.of("login.providers", "uni,gitlab",
                "login.providers.uni.type", "saml", "login.providers.uni.idpMetadataFile", "/etc/idp.xml",
                "login.providers.uni.attributes", "Role,eduPersonEntitlement"));
        assertEquals(List.of("uni", "gitlab"), s.defaultChain());
        assertTrue(s.identifiesUser("uni"));
        assertEquals(List.of("Role", "eduPersonEntitlement"), s.samlProviders().get("uni").attributes());
        assertEquals("login.providers.uni.idpMetadataFile", s.samlProviders().get("uni").metadataSetting());
    }

    @Test
    void badSamlSettingsStopTheDeploymentNamingTheSetting() {
        assertEquals("login.providers.uni.type", assertThrows(InvalidSettingException.class,
                () -> read(Map.of("login.providers.uni.type", "ldap"))).setting());
        assertEquals("login.providers.uni.idpMetadataURL", assertThrows(InvalidSettingException.class,
                () -> read(Map.of("login.providers.uni.idpMetadataFile", "/etc/idp.xml"))).setting());
        assertEquals("login.providers.uni.spPrivateKey", assertThrows(InvalidSettingException.class,
                () -> read(Map.of("login.providers.uni.spPrivateKey", "-----BEGIN PRIVATE KEY-----"))).setting());
        assertEquals("login.providers.uni.clientID", assertThrows(InvalidSettingException.class,
                () -> read(Map.of("login.providers.uni.tokenEndpoint", "https://as.example/token"))).setting());
        assertEquals("login.additionalProviders", assertThrows(InvalidSettingException.class,
                () -> read(Map.of("login.additionalProviders", "gitlab"))).setting());
        InvalidSettingException secret = assertThrows(InvalidSettingException.class,
                () -> read(Map.of("login.providers.uni.spPrivateKey", "very-secret-key")));
        assertFalse(secret.getMessage().contains("very-secret-key"), secret.getMessage());
    }
}
