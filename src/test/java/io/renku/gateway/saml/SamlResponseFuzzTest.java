package io.renku.gateway.saml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.session.InMemorySessionIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes the assertion consumer's entry point, {@link AssertionCheck#check} (with {@link SafeXml} in front of
 * java-saml), with a real signed Response from {@link SamlForge} that the fuzzer edits (text inserted, removed or
 * replaced at a place it picks) or with fuzzed text altogether, posted as the base64 form field. Properties: the only
 * exception is the gateway's own 400; and whatever is accepted names the user the IdP signed, never another.
 */
class SamlResponseFuzzTest {
    private static final SamlForge IDP = new SamlForge("idp");
    private static final Optional<String> PENDING = Optional.of("_gwrequest1");
    private static final SamlProvider PROVIDER = provider();
    /** Re-signed every minute: the forged response is valid for five, and a long run lasts longer. */
    private static String signed = IDP.responseXml(new SamlForge.Spec());
    private static long signedAt = System.nanoTime();

    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({"<!DOCTYPE", "<!ENTITY", "&x;", "<saml:Assertion", "</saml:Assertion>", "ID=\"", "<!---->",
        "<saml:NameID>", "admin", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>", "xmlns:", "<ds:Signature", "\u0000"})
    void onlyTheGatewaysOwn400EscapesAndOnlyTheSignedUserIsAccepted(FuzzedDataProvider data) {
        if (System.nanoTime() - signedAt > 60_000_000_000L) {
            signed = IDP.responseXml(new SamlForge.Spec());
            signedAt = System.nanoTime();
        }
        String xml;
        if (data.consumeBoolean()) {
            int at = data.consumeInt(0, signed.length());
            int drop = data.consumeInt(0, Math.min(64, signed.length() - at));
            String inserted = data.consumeRemainingAsString();
            xml = signed.substring(0, at) + inserted + signed.substring(at + drop);
        } else {
            xml = data.consumeRemainingAsString();
        }
        String posted = Base64.getEncoder().encodeToString(xml.getBytes(StandardCharsets.UTF_8));
        AssertionCheck check = new AssertionCheck(new InMemorySessionIndex(Duration.ofHours(1), Clock.systemUTC()));
        AssertionCheck.Verified verified;
        try {
            verified = check.check(PROVIDER, posted, PENDING);
        } catch (GatewayException refused) {
            assertEquals(ErrorKind.BAD_REQUEST, refused.kind(), refused.getMessage());
            return;
        }
        assertEquals("demo", verified.nameId(), "an altered response was accepted for another user");
        assertTrue(verified.issuer().equals(SamlForge.IDP), verified.issuer());
    }

    private static SamlProvider provider() {
        try {
            var dir = Files.createTempDirectory("saml-fuzz");
            Map<String, String> values = Map.of("login.renkuBaseURL", "https://renku.example.org",
                    "login.providers", "uni", "login.providers.uni.type", "saml",
                    "login.providers.uni.idpMetadataFile", IDP.metadataFile(dir).toString());
            LoginSettings settings = LoginSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null,
                    values::get)));
            return new SamlProvider(settings.samlProviders().get("uni"), Duration.ofSeconds(30), Duration.ofSeconds(2),
                    Duration.ofSeconds(5), Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
