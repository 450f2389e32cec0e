package io.renku.gateway.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.renku.gateway.config.KeyMaterial;
import io.renku.gateway.config.SessionSettings;
import io.renku.gateway.model.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the tokens a session holds, so that a Redis dump, a replica or a backup shows no usable token.
 * AES-256-GCM with a fresh random 96-bit nonce per message, bound to associated data chosen by the caller
 * ({@link SessionTokens} binds each token to its session and attribute), so a ciphertext copied elsewhere does not
 * decrypt there.
 *
 * <p>Output (base64): version byte {@code 1}, key-id byte (first byte of SHA-256 of the key, stable when keys are
 * reordered), 12-byte nonce, ciphertext with its 16-byte tag. The first key encrypts; every key whose id matches is
 * tried to decrypt, so rotation is: add the new key in front, drop the old one after the longest session lifetime.
 */
public final class TokenCipher {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int HEADER_BYTES = 2 + NONCE_BYTES;

    private record Key(byte id, SecretKeySpec spec) {
    }

    /** What a remembered plaintext is found by; a pair, so a lookup does not copy the ciphertext into a new string. */
    private record Memo(String associatedData, String ciphertext) {
    }

    /** Decrypted tokens by (associated data, ciphertext): only in memory, bounded, forgotten when idle. */
    private static final int REMEMBERED = 50_000;
    private static final Duration REMEMBER_IDLE = Duration.ofMinutes(10);

    private final List<Key> keys;
    private final SecureRandom random;
    private final Cache<Memo, Secret> decrypted = Caffeine.newBuilder().maximumSize(REMEMBERED)
            .expireAfterAccess(REMEMBER_IDLE).build();

    public TokenCipher(List<byte[]> keys, SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one encryption key is needed");
        }
        List<Key> built = new ArrayList<>();
        for (byte[] key : keys) {
            if (key.length != SessionSettings.ENCRYPTION_KEY_BYTES) {
                throw new IllegalArgumentException("encryption keys must be 32 bytes (AES-256)");
            }
            built.add(new Key(keyId(key), new SecretKeySpec(key, "AES")));
        }
        this.keys = List.copyOf(built);
    }

    public static TokenCipher of(SessionSettings settings) {
        return new TokenCipher(settings.tokenEncryptionKeys().stream().map(KeyMaterial::bytes).toList(),
                new SecureRandom());
    }

    public String encrypt(Secret plaintext, String associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(associatedData, "associatedData");
        Key key = keys.get(0);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.reveal().getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + sealed.length);
            out.put(VERSION).put(key.id()).put(nonce).put(sealed);
            return Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * The plaintext, or empty when the text is malformed, was tampered with, or has other associated data or key.
     * A ciphertext that decrypted once is remembered with its plaintext, in memory only: a hot session's tokens are
     * read on every proxied request, and AES-GCM's key schedule per decryption was the largest cost in the profile.
     * A remembered answer is exactly what decrypting would give (same key, nonce, associated data and ciphertext).
     */
    public Optional<Secret> decrypt(String ciphertext, String associatedData) {
        if (ciphertext == null || associatedData == null) {
            return Optional.empty();
        }
        Memo memo = new Memo(associatedData, ciphertext);
        Secret known = decrypted.getIfPresent(memo);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Secret> plain = decryptNow(ciphertext, associatedData);
        plain.ifPresent(p -> decrypted.put(memo, p));
        return plain;
    }

    private Optional<Secret> decryptNow(String ciphertext, String associatedData) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(ciphertext);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (raw.length < HEADER_BYTES + TAG_BITS / 8 || raw[0] != VERSION) {
            return Optional.empty();
        }
        for (Key key : keys) {
            if (key.id() != raw[1]) {
                continue;
            }
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, raw, 2, NONCE_BYTES));
                cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
                byte[] plain = cipher.doFinal(raw, HEADER_BYTES, raw.length - HEADER_BYTES);
                return Optional.of(Secret.of(new String(plain, StandardCharsets.UTF_8)));
            } catch (AEADBadTagException wrongKeyOrTampered) {
                // Two keys can share an id byte; try the next one.
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM decryption failed", e);
            }
        }
        return Optional.empty();
    }

    /** The same plaintext bound to {@code newSessionId}, for a session whose id changed; empty if it did not decrypt. */
    public Optional<String> reencrypt(String ciphertext, String oldSessionId, String newSessionId) {
        return decrypt(ciphertext, oldSessionId).map(plain -> encrypt(plain, newSessionId));
    }

    private static byte keyId(byte[] key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key)[0];
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
