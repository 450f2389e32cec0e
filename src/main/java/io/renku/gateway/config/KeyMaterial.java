package io.renku.gateway.config;

import io.renku.gateway.model.Secret;
import java.util.Base64;
import java.util.Optional;

/**
 * Decodes key settings written as base64 (standard or URL-safe alphabet, padding optional). Kept in one place so that
 * the settings validation and the classes that use the keys agree on what a key is. Nothing here ever puts key text
 * into a message.
 */
public final class KeyMaterial {
    private KeyMaterial() {
    }

    /** The key's bytes, or empty when the text is not base64. */
    public static Optional<byte[]> decode(Secret key) {
        String text = key.reveal().trim();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException notStandard) {
            try {
                return Optional.of(Base64.getUrlDecoder().decode(text));
            } catch (IllegalArgumentException notUrlSafe) {
                return Optional.empty();
            }
        }
    }

    /** The key's bytes; only for keys that {@link SessionSettings} has already validated. */
    public static byte[] bytes(Secret key) {
        return decode(key).orElseThrow(() -> new IllegalArgumentException("key is not base64"));
    }
}
