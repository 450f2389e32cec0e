package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCookieCodecTest {
    static final byte[] OLD = key(1);
    static final byte[] NEW = key(2);
    final SessionIds ids = new SessionIds();

    static byte[] key(int value) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) value);
        return k;
    }

    @Test
    void roundTripGivesBackTheId() {
        SessionCookieCodec codec = new SessionCookieCodec(List.of(NEW));
        String id = ids.generate();
        String cookie = codec.encode(id);
        assertTrue(cookie.startsWith(id + "."));
        assertTrue(cookie.matches("[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}"), cookie);
        assertEquals(Optional.of(id), codec.decode(cookie));
    }

    @Test
    void tamperedIdIsRefused() {
        SessionCookieCodec codec = new SessionCookieCodec(List.of(NEW));
        String cookie = codec.encode(ids.generate());
        char first = cookie.charAt(0);
        String tampered = (first == 'A' ? 'B' : 'A') + cookie.substring(1);
        assertEquals(Optional.empty(), codec.decode(tampered));
    }

    @Test
    void tamperedMacIsRefused() {
        SessionCookieCodec codec = new SessionCookieCodec(List.of(NEW));
        String cookie = codec.encode(ids.generate());
        int i = cookie.length() - 5;
        String tampered = cookie.substring(0, i) + (cookie.charAt(i) == 'x' ? 'y' : 'x') + cookie.substring(i + 1);
        assertEquals(Optional.empty(), codec.decode(tampered));
    }

    @Test
    void cookieSignedWithAnotherKeyIsRefused() {
        String cookie = new SessionCookieCodec(List.of(OLD)).encode(ids.generate());
        assertEquals(Optional.empty(), new SessionCookieCodec(List.of(NEW)).decode(cookie));
    }

    @Test
    void rotatedKeysStillVerifyOldCookiesAndSignWithTheNewKey() {
        String id = ids.generate();
        String oldCookie = new SessionCookieCodec(List.of(OLD)).encode(id);
        SessionCookieCodec rotated = new SessionCookieCodec(List.of(NEW, OLD));
        assertEquals(Optional.of(id), rotated.decode(oldCookie));
        String newCookie = rotated.encode(id);
        assertNotEquals(oldCookie, newCookie);
        assertEquals(newCookie, new SessionCookieCodec(List.of(NEW)).encode(id));
        assertEquals(Optional.empty(), new SessionCookieCodec(List.of(OLD)).decode(newCookie));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {".", "abc", "abc.def", "a.b.c", "%00", "\u00e9\u00e9\u00e9",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAxAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void garbageDecodesToNothingWithoutThrowing(String value) {
        SessionCookieCodec codec = new SessionCookieCodec(List.of(NEW));
        assertEquals(Optional.empty(), codec.decode(value));
    }

    @Test
    void hugeOrAlmostRightValuesDecodeToNothing() {
        SessionCookieCodec codec = new SessionCookieCodec(List.of(NEW));
        String cookie = codec.encode(ids.generate());
        assertEquals(Optional.empty(), codec.decode(cookie + "A"));
        assertEquals(Optional.empty(), codec.decode(cookie.substring(1)));
        assertEquals(Optional.empty(), codec.decode(cookie + " "));
        assertEquals(Optional.empty(), codec.decode("x".repeat(100_000)));
        // The last MAC character carries unused bits: a second spelling of the same bytes is not accepted.
        char last = cookie.charAt(cookie.length() - 1);
        char sibling = (char) (last + 1);
        assertEquals(Optional.empty(), codec.decode(cookie.substring(0, cookie.length() - 1) + sibling));
    }

    @Test
    void shortKeysAndForeignIdsAreRejectedUpFront() {
        assertThrows(IllegalArgumentException.class, () -> new SessionCookieCodec(List.of(new byte[31])));
        assertThrows(IllegalArgumentException.class, () -> new SessionCookieCodec(List.of()));
        SessionCookieCodec codec = new SessionCookieCodec(List.of(NEW));
        assertThrows(IllegalArgumentException.class, () -> codec.encode("not-an-id"));
    }

    @Test
    void anAnonymousIdCookieIsNeverASessionCookieNorTheOtherWayRound() {
        SessionCookieCodec sessions = new SessionCookieCodec(List.of(NEW));
        SessionCookieCodec anonymous = SessionCookieCodec.forAnonymousIds(List.of(NEW));
        String anonymousId = SessionIds.randomToken(16);
        String anonymousCookie = anonymous.encode(anonymousId);
        assertEquals(Optional.of(anonymousId), anonymous.decode(anonymousCookie));
        assertEquals(Optional.empty(), sessions.decode(anonymousCookie));
        String sessionId = new SessionIds().generate();
        assertEquals(Optional.empty(), anonymous.decode(sessions.encode(sessionId)));
        // the same id signed for the other purpose does not pass either: the MACs differ
        String forged = anonymousId + anonymousCookie.substring(anonymousId.length());
        assertEquals(Optional.of(anonymousId), anonymous.decode(forged));
        assertNotEquals(anonymousCookie.substring(SessionCookieCodec.ANONYMOUS_ID_LENGTH + 1),
                macOfSessionCodec(anonymousId));
    }

    @Test
    void anAnonymousIdCookieSignedWithAnotherKeyOrTamperedIsRefused() {
        SessionCookieCodec anonymous = SessionCookieCodec.forAnonymousIds(List.of(NEW));
        String cookie = SessionCookieCodec.forAnonymousIds(List.of(OLD)).encode(SessionIds.randomToken(16));
        assertEquals(Optional.empty(), anonymous.decode(cookie));
        String valid = anonymous.encode(SessionIds.randomToken(16));
        char flipped = valid.charAt(3) == 'A' ? 'B' : 'A';
        assertEquals(Optional.empty(), anonymous.decode(valid.substring(0, 3) + flipped + valid.substring(4)));
        assertEquals(Optional.empty(), anonymous.decode(valid + "x"));
    }

    /** What the session codec's MAC would be for an id of the anonymous shape (computed by hand, same key). */
    private static String macOfSessionCodec(String id) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(NEW, "HmacSHA256"));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(
                    id.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
