package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.renku.gateway.model.CookiePairs;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes the two readers of the session cookie, {@link CookiePairs} (the {@code Cookie} header) and
 * {@link SessionCookieCodec} (its value), on headers built around real signed cookies. Properties: neither throws; a
 * value yields a session id only when it is exactly the signed spelling of that id, whatever the fuzzer changed around
 * or inside it; and every pair the header reader returns is a piece of the header between separators.
 */
class SessionCookieFuzzTest {
    private static final byte[] KEY = filled(7);
    private static final byte[] OLD_KEY = filled(9);
    private static final SessionCookieCodec CODEC = new SessionCookieCodec(List.of(KEY, OLD_KEY));
    private static final SessionCookieCodec SIGNER = new SessionCookieCodec(List.of(KEY));
    private static final SessionCookieCodec OLD_SIGNER = new SessionCookieCodec(List.of(OLD_KEY));
    private static final String ID = new SessionIds().generate();

    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({"_renku_session=", ";", "=", ",", "\"", " ", ".", "%2E", "-", "_", "=="})
    void onlyAnExactlySignedValueYieldsASessionId(FuzzedDataProvider data) {
        String real = data.consumeBoolean() ? SIGNER.encode(ID) : OLD_SIGNER.encode(ID);
        String before = data.consumeString(40);
        int cut = data.consumeInt(0, real.length());
        String inside = data.consumeString(8);
        int drop = data.consumeInt(0, real.length() - cut);
        String after = data.consumeRemainingAsString();
        String value = real.substring(0, cut) + inside + real.substring(cut + drop);
        String header = before + "_renku_session=" + value + after;

        List<CookiePairs.Pair> pairs = CookiePairs.of(header);
        for (CookiePairs.Pair pair : pairs) {
            assertTrue(header.contains(pair.text()), "a pair that is not in the header: " + pair);
            assertTrue(pair.text().indexOf(';') < 0, "a pair that spans a separator: " + pair);
            Optional<String> id = CODEC.decode(pair.value());
            id.ifPresent(found -> assertTrue(pair.value().equals(SIGNER.encode(found))
                    || pair.value().equals(OLD_SIGNER.encode(found)), "a value that is not a signed cookie gave "
                    + "a session: " + pair.value()));
        }
        Optional<String> direct = CODEC.decode(value);
        if (direct.isPresent()) {
            assertEquals(ID, direct.get());
            assertTrue(value.equals(SIGNER.encode(ID)) || value.equals(OLD_SIGNER.encode(ID)), value);
        }
    }

    private static byte[] filled(int value) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) value);
        return key;
    }
}
