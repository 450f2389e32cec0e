package io.renku.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Fuzzes {@link CredentialParser} with {@code Authorization} values: a scheme the fuzzer picks or writes, then
 * fuzzed credentials, sometimes base64 of fuzzed {@code user:token} text. Properties: the only exception is the
 * gateway's own 400; a Bearer token is one {@code b64token}; a Basic token is the non-empty printable-ASCII password
 * of the decoded text.
 */
class CredentialParserFuzzTest {
    private static final String[] SCHEMES = {"Bearer ", "bearer ", "BASIC ", "Basic ", "Basic  ", "Digest ", "", " "};

    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({"Bearer", "Basic", " ", "=", ":", ".", "\t", "\u0000", "==", "+/", "-_"})
    void onlyTheGatewaysOwn400EscapesAndWhatIsReturnedIsWellFormed(FuzzedDataProvider data) {
        String scheme = data.pickValue(SCHEMES);
        boolean encode = data.consumeBoolean();
        String rest = data.consumeRemainingAsString();
        String header = scheme + (encode ? Base64.getEncoder().encodeToString(rest.getBytes(StandardCharsets.UTF_8))
                : rest);
        Optional<Credential> credential;
        try {
            credential = CredentialParser.parse(header);
        } catch (GatewayException refused) {
            assertEquals(ErrorKind.BAD_REQUEST, refused.kind(), refused.getMessage());
            return;
        }
        assertTrue(credential.isPresent(), "a header that is present gives a credential or a 400");
        String token = credential.get().token().reveal();
        assertTrue(!token.isEmpty(), header);
        if (credential.get().method() == AuthMethod.BEARER) {
            assertTrue(CredentialParser.isB64Token(token), "not a b64token: " + token);
            assertTrue(header.strip().endsWith(token), header);
        } else {
            assertEquals(AuthMethod.BASIC, credential.get().method());
            assertTrue(token.chars().allMatch(c -> c > 0x20 && c < 0x7f), "not printable ASCII: " + token);
        }
    }
}
