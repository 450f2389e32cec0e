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
 *
 * <p>The same keys sign the anonymous-id cookie ({@link #forAnonymousIds}), with a purpose prefix in the MAC input, so
 * that neither cookie's value is ever accepted as the other's. Each key's {@link Mac} is initialised once and cloned
 * per use: {@code Mac.getInstance} and {@code init} on every request showed in the profile.
 */
public final class SessionCookieCodec {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MAC_LENGTH = 32;
    private static final int MAC_TEXT_LENGTH = 43;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** Anonymous ids: 128 random bits, base64url (22 characters, the last one carrying 2 bits). */
    static final int ANONYMOUS_ID_LENGTH = 22;
    private static final String ANONYMOUS_PURPOSE = "renku-anonymous-id\n";

    private final List<Mac> keys;
    private final byte[] purpose;
    private final int idLength;
    private final java.util.function.Predicate<String> wellFormed;

    public SessionCookieCodec(List<byte[]> keys) {
        this(keys, "", SessionIds.LENGTH, SessionIds::isWellFormed);
    }

    private SessionCookieCodec(List<byte[]> keys, String purpose, int idLength,
            java.util.function.Predicate<String> wellFormed) {
        this.purpose = purpose.getBytes(StandardCharsets.US_ASCII);
        this.idLength = idLength;
        this.wellFormed = wellFormed;
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is needed");
        }
        List<Mac> macs = new ArrayList<>();
        for (byte[] key : keys) {
            if (key.length < SessionSettings.MIN_SIGNING_KEY_BYTES) {
                throw new IllegalArgumentException("signing keys need at least "
                        + SessionSettings.MIN_SIGNING_KEY_BYTES + " bytes");
            }
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(new SecretKeySpec(key, ALGORITHM));
                macs.add(mac);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        }
        this.keys = List.copyOf(macs);
    }

    public static SessionCookieCodec of(SessionSettings settings) {
        return new SessionCookieCodec(settings.cookieSigningKeys().stream().map(KeyMaterial::bytes).toList());
    }

    /** The codec of the anonymous-id cookie: same keys, its own purpose, ids of {@link #ANONYMOUS_ID_LENGTH}. */
    public static SessionCookieCodec forAnonymousIds(SessionSettings settings) {
        return forAnonymousIds(settings.cookieSigningKeys().stream().map(KeyMaterial::bytes).toList());
    }

    static SessionCookieCodec forAnonymousIds(List<byte[]> keys) {
        return new SessionCookieCodec(keys, ANONYMOUS_PURPOSE, ANONYMOUS_ID_LENGTH, SessionCookieCodec::isAnonymousId);
    }

    /** Whether {@code id} has the shape of 16 random bytes in base64url without padding. */
    static boolean isAnonymousId(String id) {
        if (id == null || id.length() != ANONYMOUS_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < ANONYMOUS_ID_LENGTH; i++) {
            char c = id.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_')) {
                return false;
            }
        }
        return "AQgw".indexOf(id.charAt(ANONYMOUS_ID_LENGTH - 1)) >= 0;
    }

    /** The cookie value for a well-formed session id, signed with the first key. */
    public String encode(String sessionId) {
        if (!wellFormed.test(sessionId)) {
            throw new IllegalArgumentException("not a session id");
        }
        return sessionId + '.' + ENCODER.encodeToString(mac(keys.get(0), sessionId));
    }

    /** The session id the value carries, or empty when it is malformed or no configured key signed it. */
    public Optional<String> decode(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != idLength + 1 + MAC_TEXT_LENGTH
                || cookieValue.charAt(idLength) != '.') {
            return Optional.empty();
        }
        String id = cookieValue.substring(0, idLength);
        if (!wellFormed.test(id)) {
            return Optional.empty();
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(cookieValue.substring(idLength + 1));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        // Re-encoding must give back the same text, so there is exactly one valid spelling of each cookie.
        if (presented.length != MAC_LENGTH
                || !ENCODER.encodeToString(presented).equals(cookieValue.substring(idLength + 1))) {
            return Optional.empty();
        }
        boolean valid = false;
        for (Mac key : keys) {
            valid |= MessageDigest.isEqual(mac(key, id), presented);
        }
        return valid ? Optional.of(id) : Optional.empty();
    }

    private byte[] mac(Mac key, String id) {
        Mac mac;
        try {
            mac = (Mac) key.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JVM's HmacSHA256 cannot be cloned", e);
        }
        mac.update(purpose);
        return mac.doFinal(id.getBytes(StandardCharsets.US_ASCII));
    }
}
