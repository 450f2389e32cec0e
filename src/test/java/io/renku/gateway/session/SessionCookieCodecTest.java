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
}
