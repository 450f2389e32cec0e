package io.renku.gateway.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.SamlProviderSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.session.InMemorySessionIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The assertion consumer's checks on forged responses with real XML signatures (Santuario, through java-saml). Every
 * negative must be refused with a 400 that names the failed check and never quotes the response; the accepted ones
 * yield the NameID and the attributes, duplicated attribute names (one per role, as Keycloak sends them) merged.
 */
class AssertionCheckTest {
    private static final SamlForge IDP = new SamlForge("idp");
    private static final SamlForge STRANGER = new SamlForge("other");
    private static final Optional<String> PENDING = Optional.of("_gwrequest1");

    @TempDir
    Path dir;

    private AssertionCheck check;

    @BeforeEach
    void setUp() {
        check = new AssertionCheck(new InMemorySessionIndex(Duration.ofHours(1), Clock.systemUTC()));
    }

    private SamlProvider provider(Map<String, String> extra) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("login.renkuBaseURL", "https://renku.example.org");
        values.put("login.providers", "uni");
        values.put("login.providers.uni.type", "saml");
        values.put("login.providers.uni.idpMetadataFile", IDP.metadataFile(dir).toString());
        values.putAll(extra);
        LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                values::get)));
        SamlProviderSettings uni = settings.samlProviders().get("uni");
        return new SamlProvider(uni, Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(5),
                Clock.systemUTC());
    }

    private static SamlForge.Spec spec(Consumer<SamlForge.Spec> change) {
        SamlForge.Spec s = new SamlForge.Spec();
        change.accept(s);
        return s;
    }

    @Test
    void aSignedAssertionNamesTheUserWithDuplicatedAttributesMerged() throws Exception {
        AssertionCheck.Verified v = check.check(provider(Map.of()), IDP.response(new SamlForge.Spec()), PENDING);
        assertEquals("demo", v.nameId());
        assertEquals(SamlForge.IDP, v.issuer());
        assertEquals(List.of("admin", "user"), v.attributes().get("Role"));
        assertEquals(Optional.of("idp-session-1"), v.sessionIndex());
        assertFalse(v.toString().contains("demo"), "the verified assertion prints without its content");
    }

    @Test
    void aSignedResponseWithAnUnsignedAssertionPassesUnlessAssertionsMustBeSigned() throws Exception {
        SamlForge.Spec documentSigned = spec(s -> {
            s.signAssertion = false;
            s.signResponse = true;
        });
        assertEquals("demo", check.check(provider(Map.of()), IDP.response(documentSigned), PENDING).nameId());
        GatewayException refused = assertThrows(GatewayException.class, () -> check.check(provider(Map.of(
                "login.providers.uni.wantAssertionsSigned", "true")), IDP.response(spec(s -> {
                    s.signAssertion = false;
                    s.signResponse = true;
                })), PENDING));
        assertTrue(refused.getMessage().contains("assertion is not signed"), refused.getMessage());
    }

    @Test
    void anEncryptedAssertionIsDecryptedWithTheSpKey() throws Exception {
        SamlForge sp = new SamlForge("sp");
        org.w3c.dom.Document doc = com.onelogin.saml2.util.Util.loadXML(IDP.responseXml(new SamlForge.Spec()));
        org.w3c.dom.Element assertion = (org.w3c.dom.Element) doc.getElementsByTagNameNS(
                "urn:oasis:names:tc:SAML:2.0:assertion", "Assertion").item(0);
        org.apache.xml.security.Init.init();
        javax.crypto.KeyGenerator generator = javax.crypto.KeyGenerator.getInstance("AES");
        generator.init(128);
        javax.crypto.SecretKey aes = generator.generateKey();
        org.apache.xml.security.encryption.XMLCipher wrap = org.apache.xml.security.encryption.XMLCipher.getInstance(
                org.apache.xml.security.encryption.XMLCipher.RSA_OAEP);
        wrap.init(org.apache.xml.security.encryption.XMLCipher.WRAP_MODE, sp.cert.getPublicKey());
        org.apache.xml.security.encryption.EncryptedKey key = wrap.encryptKey(doc, aes);
        org.apache.xml.security.encryption.XMLCipher cipher = org.apache.xml.security.encryption.XMLCipher
                .getInstance(org.apache.xml.security.encryption.XMLCipher.AES_128);
        cipher.init(org.apache.xml.security.encryption.XMLCipher.ENCRYPT_MODE, aes);
        org.apache.xml.security.keys.KeyInfo info = new org.apache.xml.security.keys.KeyInfo(doc);
        info.add(key);
        cipher.getEncryptedData().setKeyInfo(info);
        org.w3c.dom.Element wrapper = doc.createElementNS("urn:oasis:names:tc:SAML:2.0:assertion",
                "saml:EncryptedAssertion");
        assertion.getParentNode().replaceChild(wrapper, assertion);
        wrapper.appendChild(assertion);
        cipher.doFinal(doc, assertion, false);
        String encrypted = com.onelogin.saml2.util.Util.convertDocumentToString(doc);
        assertFalse(encrypted.contains(">demo<"), "the NameID is encrypted");

        SamlProvider withKey = provider(Map.of("login.providers.uni.spPrivateKey", SamlForge.resource("sp-key.pem"),
                "login.providers.uni.spCertificate", SamlForge.resource("sp-cert.pem")));
        assertEquals("demo", check.check(withKey, SamlForge.encode(encrypted), PENDING).nameId());
        GatewayException withoutKey = assertThrows(GatewayException.class,
                () -> check.check(provider(Map.of()), SamlForge.encode(encrypted), PENDING));
        assertEquals(ErrorKind.BAD_REQUEST, withoutKey.kind());
    }

    @Test
    void aReplayedResponseIsRefused() throws Exception {
        SamlProvider provider = provider(Map.of());
        String response = IDP.response(new SamlForge.Spec());
        check.check(provider, response, PENDING);
        GatewayException replay = assertThrows(GatewayException.class, () -> check.check(provider, response,
                PENDING));
        assertTrue(replay.getMessage().contains("replay"), replay.getMessage());
    }

    @Test
    void unsolicitedResponsesPassOnlyWhenAllowedAndWithoutInResponseTo() throws Exception {
        SamlForge.Spec unsolicited = spec(s -> s.inResponseTo = null);
        GatewayException refused = assertThrows(GatewayException.class,
                () -> check.check(provider(Map.of()), IDP.response(unsolicited), Optional.empty()));
        assertTrue(refused.getMessage().contains("unsolicited"), refused.getMessage());
        SamlProvider open = provider(Map.of("login.providers.uni.allowUnsolicited", "true"));
        assertEquals("demo", check.check(open, IDP.response(spec(s -> s.inResponseTo = null)), Optional.empty())
                .nameId());
        GatewayException foreign = assertThrows(GatewayException.class,
                () -> check.check(open, IDP.response(new SamlForge.Spec()), Optional.empty()));
        assertTrue(foreign.getMessage().contains("InResponseTo"), foreign.getMessage());
    }

    static Stream<Arguments> refusals() {
        String signedAssertion = IDP.assertion(new SamlForge.Spec());
        return Stream.of(
                Arguments.of("unsigned", (Forgery) () -> IDP.response(spec(s -> s.signAssertion = false)),
                        "not signed"),
                Arguments.of("signed by another key", (Forgery) () -> STRANGER.response(new SamlForge.Spec()),
                        "signature is invalid"),
                Arguments.of("altered signature value", (Forgery) () -> SamlForge.encode(alterSignatureValue(
                        IDP.responseXml(new SamlForge.Spec()))), "signature"),
                Arguments.of("altered signed content", (Forgery) () -> SamlForge.encode(IDP.responseXml(
                        new SamlForge.Spec()).replace(">demo</saml:NameID>", ">admin</saml:NameID>")), "signature"),
                Arguments.of("wrapping: a second assertion beside the signed one", (Forgery) () -> IDP.response(
                        spec(s -> s.extraAssertionBeside = signedAssertion.replace(">demo<", ">admin<")
                                .replaceFirst("ID=\"[^\"]+\"", "ID=\"_evil\""))), "exactly one assertion"),
                Arguments.of("wrapping: a second assertion inside the signed one", (Forgery) () -> IDP.response(
                        spec(s -> s.extraAssertionInside = signedAssertion.replace(">demo<", ">admin<")
                                .replaceFirst("ID=\"[^\"]+\"", "ID=\"_evil\""))), "exactly one assertion"),
                Arguments.of("wrong audience", (Forgery) () -> IDP.response(spec(s -> s.audience = "https://other")),
                        "Audience"),
                Arguments.of("wrong destination", (Forgery) () -> IDP.response(spec(s -> s.destination =
                        "https://evil.example/acs")), "Destination"),
                Arguments.of("no destination", (Forgery) () -> IDP.response(spec(s -> s.destination = null)),
                        "Destination"),
                Arguments.of("wrong recipient", (Forgery) () -> IDP.response(spec(s -> s.recipient =
                        "https://evil.example/acs")), "Recipient"),
                Arguments.of("expired long ago", (Forgery) () -> IDP.response(spec(s -> {
                    s.notBefore = Instant.now().minusSeconds(3600);
                    s.notOnOrAfter = Instant.now().minusSeconds(1800);
                })), "expired"),
                Arguments.of("expired within java-saml's drift but beyond the gateway's skew", (Forgery) () ->
                        IDP.response(spec(s -> s.notOnOrAfter = Instant.now().minusSeconds(90))), "expired"),
                Arguments.of("not yet valid", (Forgery) () -> IDP.response(spec(s -> s.notBefore =
                        Instant.now().plusSeconds(90))), "not valid yet"),
                Arguments.of("InResponseTo of another session", (Forgery) () -> IDP.response(spec(s ->
                        s.inResponseTo = "_gwsomeoneelse")), "InResponseTo"),
                Arguments.of("status other than Success", (Forgery) () -> IDP.response(spec(s -> s.status =
                        "urn:oasis:names:tc:SAML:2.0:status:Responder")), "status is not Success"),
                Arguments.of("wrong issuer", (Forgery) () -> IDP.response(spec(s -> s.issuer =
                        "https://evil.example")), "Issuer"),
                Arguments.of("DOCTYPE with an external entity", (Forgery) () -> SamlForge.encode(
                        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                        + IDP.responseXml(new SamlForge.Spec()).replace(">demo<", ">&x;<")), "DOCTYPE"),
                Arguments.of("DOCTYPE without entities", (Forgery) () -> SamlForge.encode("<!doctype Response>"
                        + IDP.responseXml(new SamlForge.Spec())), "DOCTYPE"),
                Arguments.of("UTF-16", (Forgery) () -> java.util.Base64.getEncoder().encodeToString(
                        IDP.responseXml(new SamlForge.Spec()).getBytes(java.nio.charset.StandardCharsets.UTF_16)),
                        "UTF-8"),
                Arguments.of("not base64", (Forgery) () -> "%%%", "base64"),
                Arguments.of("not XML", (Forgery) () -> SamlForge.encode("hello"), "not a valid SAML 2.0 Response"));
    }

    /** The first character of the first SignatureValue replaced by another one (never by itself). */
    static String alterSignatureValue(String xml) {
        String marker = "<ds:SignatureValue>";
        int at = xml.indexOf(marker) + marker.length();
        char first = xml.charAt(at);
        return xml.substring(0, at) + (first == 'A' ? 'B' : 'A') + xml.substring(at + 1);
    }

    interface Forgery {
        String make();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void forgedResponsesAreRefusedNamingTheCheck(String name, Forgery forgery, String check) throws Exception {
        SamlProvider provider = provider(Map.of());
        GatewayException refused = assertThrows(GatewayException.class,
                () -> this.check.check(provider, forgery.make(), PENDING), name);
        assertEquals(ErrorKind.BAD_REQUEST, refused.kind(), name);
        assertTrue(refused.getMessage().contains(check), name + ": " + refused.getMessage());
        assertFalse(refused.getMessage().contains("demo"), "the response's content is not quoted");
    }

    @Test
    void aBadMetadataFileStopsTheDeploymentNamingTheSetting() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.xml"), "<html>not metadata</html>");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> provider(Map.of(
                "login.providers.uni.idpMetadataFile", bad.toString())));
        assertEquals("login.providers.uni.idpMetadataFile", e.setting());
        InvalidSettingException missing = assertThrows(InvalidSettingException.class, () -> provider(Map.of(
                "login.providers.uni.idpMetadataFile", dir.resolve("nope.xml").toString())));
        assertTrue(missing.getMessage().contains("login.providers.uni.idpMetadataFile"), missing.getMessage());
        Path doctype = Files.writeString(dir.resolve("doctype.xml"), "<!DOCTYPE x>" + Files.readString(
                IDP.metadataFile(dir)));
        assertThrows(InvalidSettingException.class, () -> provider(Map.of(
                "login.providers.uni.idpMetadataFile", doctype.toString())));
    }
}
