package io.renku.gateway.session;

import io.renku.gateway.config.KeyMaterial;
import io.renku.gateway.config.SessionSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a session id into the cookie value {@code <id>.<base64url HMAC-SHA256(key, id)>} and back. The MAC means a
 * forged or guessed cookie is refused here, before any Redis lookup, so cookie spraying costs the attacker a hash
 * and us no round trip. Decoding never throws: a malformed, forged or tampered value is simply no session.
 *
 * <p>Keys rotate: the first key signs, every key verifies. All keys are tried on every decode, and the MACs are
 * compared with {@link MessageDigest#isEqual}, so timing does not tell which part of a forgery was right.
 */
public final class SessionCookieCodec {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MAC_LENGTH = 32;
    private static final int MAC_TEXT_LENGTH = 43;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final List<SecretKeySpec> keys;

    public SessionCookieCodec(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is needed");
        }
        List<SecretKeySpec> specs = new ArrayList<>();
        for (byte[] key : keys) {
            if (key.length < SessionSettings.MIN_SIGNING_KEY_BYTES) {
                throw new IllegalArgumentException("signing keys need at least "
                        + SessionSettings.MIN_SIGNING_KEY_BYTES + " bytes");
            }
            specs.add(new SecretKeySpec(key, ALGORITHM));
        }
        this.keys = List.copyOf(specs);
    }

    public static SessionCookieCodec of(SessionSettings settings) {
        return new SessionCookieCodec(settings.cookieSigningKeys().stream().map(KeyMaterial::bytes).toList());
    }

    /** The cookie value for a well-formed session id, signed with the first key. */
    public String encode(String sessionId) {
        if (!SessionIds.isWellFormed(sessionId)) {
            throw new IllegalArgumentException("not a session id");
        }
        return sessionId + '.' + ENCODER.encodeToString(mac(keys.get(0), sessionId));
    }

    /** The session id the value carries, or empty when it is malformed or no configured key signed it. */
    public Optional<String> decode(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != SessionIds.LENGTH + 1 + MAC_TEXT_LENGTH
                || cookieValue.charAt(SessionIds.LENGTH) != '.') {
            return Optional.empty();
        }
        String id = cookieValue.substring(0, SessionIds.LENGTH);
        if (!SessionIds.isWellFormed(id)) {
            return Optional.empty();
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(cookieValue.substring(SessionIds.LENGTH + 1));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        // Re-encoding must give back the same text, so there is exactly one valid spelling of each cookie.
        if (presented.length != MAC_LENGTH
                || !ENCODER.encodeToString(presented).equals(cookieValue.substring(SessionIds.LENGTH + 1))) {
            return Optional.empty();
        }
        boolean valid = false;
        for (SecretKeySpec key : keys) {
            valid |= MessageDigest.isEqual(mac(key, id), presented);
        }
        return valid ? Optional.of(id) : Optional.empty();
    }

    private static byte[] mac(SecretKeySpec key, String id) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(id.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
