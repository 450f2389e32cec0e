package io.renku.gateway.session;

import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.session.SessionIdGenerator;

/**
 * Session ids: 256 bits from {@link SecureRandom}, base64url without padding (43 characters). Guessing one is
 * hopeless, and the fixed shape lets the cookie codec and the repositories reject anything else before it reaches
 * Redis.
 */
public final class SessionIds implements SessionIdGenerator {
    public static final int LENGTH = 43;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom TOKENS = new SecureRandom();

    private final SecureRandom random;

    public SessionIds() {
        this(new SecureRandom());
    }

    public SessionIds(SecureRandom random) {
        this.random = java.util.Objects.requireNonNull(random, "random");
    }

    @Override
    public String generate() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** A random base64url value of {@code bytes} random bytes, for the session's other unguessable values. */
    static String randomToken(int bytes) {
        byte[] value = new byte[bytes];
        TOKENS.nextBytes(value);
        return ENCODER.encodeToString(value);
    }

    /** Whether {@code id} has the shape {@link #generate()} produces (no decoding, no allocation). */
    public static boolean isWellFormed(String id) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        // 43 characters carry 258 bits; the last one may only use the 4 bits that remain of 256.
        return "AEIMQUYcgkosw048".indexOf(id.charAt(LENGTH - 1)) >= 0;
    }
}
