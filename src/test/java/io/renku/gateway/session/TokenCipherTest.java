package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.renku.gateway.model.Secret;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenCipherTest {
    static final byte[] OLD = key(1);
    static final byte[] NEW = key(2);
    static final Secret TOKEN = Secret.of("eyJhbGciOiJSUzI1NiJ9.payload.signature");
    final SessionIds ids = new SessionIds();

    static byte[] key(int value) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) value);
        return k;
    }

    static TokenCipher cipher(byte[]... keys) {
        return new TokenCipher(List.of(keys), new SecureRandom());
    }

    @Test
    void roundTripWithTheSameSession() {
        String session = ids.generate();
        String sealed = cipher(NEW).encrypt(TOKEN, session);
        assertFalse(sealed.contains("eyJ"), sealed);
        assertEquals(Optional.of(TOKEN), cipher(NEW).decrypt(sealed, session));
    }

    @Test
    void everyEncryptionUsesAFreshNonce() {
        String session = ids.generate();
        TokenCipher cipher = cipher(NEW);
        assertNotEquals(cipher.encrypt(TOKEN, session), cipher.encrypt(TOKEN, session));
    }

    @Test
    void ciphertextMovedToAnotherSessionDoesNotDecrypt() {
        String sealed = cipher(NEW).encrypt(TOKEN, ids.generate());
        assertEquals(Optional.empty(), cipher(NEW).decrypt(sealed, ids.generate()));
    }

    @Test
    void rotationDecryptsWithOldKeysAndEncryptsWithTheFirst() {
        String session = ids.generate();
        String sealedOld = cipher(OLD).encrypt(TOKEN, session);
        TokenCipher rotated = cipher(NEW, OLD);
        assertEquals(Optional.of(TOKEN), rotated.decrypt(sealedOld, session));
        String sealedNew = rotated.encrypt(TOKEN, session);
        assertEquals(Optional.of(TOKEN), cipher(NEW).decrypt(sealedNew, session));
        assertEquals(Optional.empty(), cipher(OLD).decrypt(sealedNew, session));
        // Order does not matter for decryption: the key id is derived from the key, not its position.
        assertEquals(Optional.of(TOKEN), cipher(OLD, NEW).decrypt(sealedNew, session));
    }

    @Test
    void anyTamperedByteFailsAuthentication() {
        String session = ids.generate();
        byte[] raw = Base64.getDecoder().decode(cipher(NEW).encrypt(TOKEN, session));
        for (int i = 0; i < raw.length; i++) {
            byte[] copy = raw.clone();
            copy[i] ^= 0x01;
            String tampered = Base64.getEncoder().encodeToString(copy);
            assertEquals(Optional.empty(), cipher(NEW).decrypt(tampered, session), "byte " + i);
        }
        byte[] truncated = Arrays.copyOf(raw, raw.length - 1);
        assertEquals(Optional.empty(), cipher(NEW).decrypt(Base64.getEncoder().encodeToString(truncated), session));
    }

    @Test
    void garbageDecryptsToNothing() {
        TokenCipher cipher = cipher(NEW);
        String session = ids.generate();
        for (String garbage : new String[] {null, "", "!!!", "AQ==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
            assertEquals(Optional.empty(), cipher.decrypt(garbage, session));
        }
        assertEquals(Optional.empty(), cipher.decrypt(cipher.encrypt(TOKEN, session), null));
    }

    @Test
    void reencryptMovesATokenToTheRenamedSession() {
        TokenCipher cipher = cipher(NEW);
        String before = ids.generate();
        String after = ids.generate();
        String moved = cipher.reencrypt(cipher.encrypt(TOKEN, before), before, after).orElseThrow();
        assertEquals(Optional.of(TOKEN), cipher.decrypt(moved, after));
        assertEquals(Optional.empty(), cipher.decrypt(moved, before));
    }

    @Test
    void emptyTokensAndUnicodeSurvive() {
        TokenCipher cipher = cipher(NEW);
        String session = ids.generate();
        for (String text : new String[] {"", "gr\u00fc\u00dfe \u2603"}) {
            assertEquals(text, cipher.decrypt(cipher.encrypt(Secret.of(text), session), session).orElseThrow()
                    .reveal());
        }
    }

    @Test
    void wrongKeySizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> cipher(new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> cipher(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> new TokenCipher(List.of(), new SecureRandom()));
    }
}
