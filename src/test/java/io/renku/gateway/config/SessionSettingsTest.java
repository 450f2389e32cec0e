package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SessionSettingsTest {
    static final String SIGNING = Base64.getEncoder().encodeToString(new byte[32]);
    static final String SIGNING_LONG = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[48]);
    static final String AES = Base64.getEncoder().encodeToString(filled(32, 7));
    static final String AES_OLD = Base64.getEncoder().encodeToString(filled(32, 9));

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static SessionSettings read(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put(SessionSettings.COOKIE_SIGNING_KEYS, SIGNING);
        values.put(SessionSettings.TOKEN_ENCRYPTION_KEYS, AES);
        values.putAll(overrides);
        values.values().removeIf(v -> v == null);
        return SessionSettings.read(new SettingReader(new SettingsSource(k -> null, k -> null, values::get)));
    }

    @Test
    void defaultsMatchTheGoGatewayAndAreSafe() {
        SessionSettings s = read(Map.of());
        assertEquals(14400, s.idleSessionTtlSeconds());
        assertEquals(86400, s.maxSessionTtlSeconds());
        assertEquals("_renku_session", s.cookieName());
        assertEquals("_renku_session", s.effectiveCookieName());
        assertTrue(s.cookieSecure());
        assertFalse(s.cookieHostPrefix());
        assertEquals(-1, s.cookieMaxAgeSeconds());
        assertEquals(1, s.cookieSigningKeys().size());
        assertEquals(1, s.tokenEncryptionKeys().size());
    }

    @Test
    void hostPrefixIsAddedToTheEffectiveName() {
        SessionSettings s = read(Map.of(SessionSettings.COOKIE_HOST_PREFIX, "true"));
        assertEquals("__Host-_renku_session", s.effectiveCookieName());
    }

    @Test
    void keyListsKeepTheirOrderForRotation() {
        SessionSettings s = read(Map.of(SessionSettings.COOKIE_SIGNING_KEYS, SIGNING_LONG + ", " + SIGNING,
                SessionSettings.TOKEN_ENCRYPTION_KEYS, AES + "," + AES_OLD));
        assertEquals(2, s.cookieSigningKeys().size());
        assertEquals(SIGNING_LONG, s.cookieSigningKeys().get(0).reveal());
        assertEquals(AES_OLD, s.tokenEncryptionKeys().get(1).reveal());
    }

    @Test
    void keysNeverAppearInToString() {
        SessionSettings s = read(Map.of());
        assertFalse(s.toString().contains(SIGNING));
        assertFalse(s.toString().contains(AES));
    }

    static Stream<Arguments> invalid() {
        String shortKey = Base64.getEncoder().encodeToString(filled(16, 3));
        String aes16 = Base64.getEncoder().encodeToString(filled(16, 5));
        Map<String, String> bothMissing = new HashMap<>();
        return Stream.of(
                Arguments.of(Map.of(SessionSettings.IDLE_SESSION_TTL_SECONDS, "0"),
                        SessionSettings.IDLE_SESSION_TTL_SECONDS, new String[] {"'0'", "whole number from 1"}),
                Arguments.of(Map.of(SessionSettings.IDLE_SESSION_TTL_SECONDS, "-5"),
                        SessionSettings.IDLE_SESSION_TTL_SECONDS, new String[] {"'-5'"}),
                Arguments.of(Map.of(SessionSettings.IDLE_SESSION_TTL_SECONDS, "4h"),
                        SessionSettings.IDLE_SESSION_TTL_SECONDS, new String[] {"'4h'", "whole number"}),
                Arguments.of(Map.of(SessionSettings.IDLE_SESSION_TTL_SECONDS, "600",
                        SessionSettings.MAX_SESSION_TTL_SECONDS, "300"),
                        SessionSettings.MAX_SESSION_TTL_SECONDS, new String[] {"'300'", "at least", "(600)"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_NAME, "my session"),
                        SessionSettings.COOKIE_NAME, new String[] {"'my session'", "no spaces"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_NAME, "a=b"),
                        SessionSettings.COOKIE_NAME, new String[] {"'a=b'"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_NAME, "__Host-s"),
                        SessionSettings.COOKIE_NAME, new String[] {"'__Host-s'", SessionSettings.COOKIE_HOST_PREFIX}),
                Arguments.of(Map.of(SessionSettings.COOKIE_NAME, "__Secure-s",
                        SessionSettings.COOKIE_SECURE, "false"),
                        SessionSettings.COOKIE_NAME, new String[] {"'__Secure-s'"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_SECURE, "maybe"),
                        SessionSettings.COOKIE_SECURE, new String[] {"'maybe'", "true or false"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_HOST_PREFIX, "true",
                        SessionSettings.COOKIE_SECURE, "false"),
                        SessionSettings.COOKIE_HOST_PREFIX, new String[] {SessionSettings.COOKIE_SECURE, "Secure"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_MAX_AGE_SECONDS, "0"),
                        SessionSettings.COOKIE_MAX_AGE_SECONDS, new String[] {"'0'", "-1"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_MAX_AGE_SECONDS, "-2"),
                        SessionSettings.COOKIE_MAX_AGE_SECONDS, new String[] {"'-2'", "from -1 to 86400"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_MAX_AGE_SECONDS, "90000"),
                        SessionSettings.COOKIE_MAX_AGE_SECONDS, new String[] {"'90000'"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_SIGNING_KEYS, ""),
                        SessionSettings.COOKIE_SIGNING_KEYS, new String[] {"required", "GATEWAY_SESSIONS_COOKIESIGNINGKEYS"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_SIGNING_KEYS, SIGNING + "," + shortKey),
                        SessionSettings.COOKIE_SIGNING_KEYS, new String[] {"at least 32 bytes", "entry 2 of 2", "16 bytes", "<redacted>"}),
                Arguments.of(Map.of(SessionSettings.COOKIE_SIGNING_KEYS, "not*base64!"),
                        SessionSettings.COOKIE_SIGNING_KEYS, new String[] {"not base64", "<redacted>"}),
                Arguments.of(bothMissing(), SessionSettings.TOKEN_ENCRYPTION_KEYS, new String[] {"required"}),
                Arguments.of(Map.of(SessionSettings.TOKEN_ENCRYPTION_KEYS, aes16),
                        SessionSettings.TOKEN_ENCRYPTION_KEYS, new String[] {"exactly 32 bytes", "AES-256", "16 bytes"}),
                Arguments.of(Map.of(SessionSettings.TOKEN_ENCRYPTION_KEYS, SIGNING_LONG),
                        SessionSettings.TOKEN_ENCRYPTION_KEYS, new String[] {"48 bytes"}));
    }

    private static Map<String, String> bothMissing() {
        Map<String, String> m = new HashMap<>();
        m.put(SessionSettings.TOKEN_ENCRYPTION_KEYS, null);
        return m;
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidValueNamesSettingValueAndWhatIsAllowed(Map<String, String> values, String setting,
            String[] fragments) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> read(values));
        assertEquals(setting, e.setting());
        assertTrue(e.getMessage().startsWith(setting), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
        for (String key : values.values()) {
            if (key != null && key.length() >= 20) {
                assertFalse(e.getMessage().contains(key), "key echoed: " + e.getMessage());
            }
        }
        assertFalse(e.getMessage().contains(SIGNING) || e.getMessage().contains(AES), e.getMessage());
    }
}
