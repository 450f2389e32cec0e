package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How sessions live and how their cookie looks. The TTL names follow the Go gateway; the cookie and key settings are
 * ours. A session ends after {@code idleSessionTTLSeconds} without a request or {@code maxSessionTTLSeconds} after it
 * began, whichever comes first.
 *
 * <p>Keys are lists so they can be rotated without logging everyone out: the first key signs (or encrypts), every key
 * verifies (or decrypts). Add the new key in front, wait one {@code maxSessionTTLSeconds}, then drop the old one.
 */
public record SessionSettings(long idleSessionTtlSeconds, long maxSessionTtlSeconds, String cookieName,
        boolean cookieSecure, boolean cookieHostPrefix, long cookieMaxAgeSeconds, List<Secret> cookieSigningKeys,
        List<Secret> tokenEncryptionKeys) {

    public static final String IDLE_SESSION_TTL_SECONDS = "sessions.idleSessionTTLSeconds";
    public static final String MAX_SESSION_TTL_SECONDS = "sessions.maxSessionTTLSeconds";
    public static final String COOKIE_NAME = "sessions.cookieName";
    public static final String COOKIE_SECURE = "sessions.cookieSecure";
    public static final String COOKIE_HOST_PREFIX = "sessions.cookieHostPrefix";
    public static final String COOKIE_MAX_AGE_SECONDS = "sessions.cookieMaxAgeSeconds";
    public static final String COOKIE_SIGNING_KEYS = "sessions.cookieSigningKeys";
    public static final String TOKEN_ENCRYPTION_KEYS = "login.tokenEncryption.secretKey";

    public static final long DEFAULT_IDLE_SECONDS = 4 * 3600;
    public static final long DEFAULT_MAX_SECONDS = 24 * 3600;
    public static final String DEFAULT_COOKIE_NAME = "_renku_session";
    public static final int MIN_SIGNING_KEY_BYTES = 32;
    public static final int ENCRYPTION_KEY_BYTES = 32;

    /** The prefix that makes browsers insist on Secure, Path=/ and no Domain, so a sibling host cannot plant it. */
    public static final String HOST_PREFIX = "__Host-";

    // RFC 6265 cookie-name = token (RFC 7230 tchar).
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final long MAX_SECONDS = 10L * 365 * 24 * 3600;

    public SessionSettings {
        Objects.requireNonNull(cookieName, "cookieName");
        cookieSigningKeys = List.copyOf(cookieSigningKeys);
        tokenEncryptionKeys = List.copyOf(tokenEncryptionKeys);
        if (idleSessionTtlSeconds <= 0 || maxSessionTtlSeconds < idleSessionTtlSeconds) {
            throw new IllegalArgumentException("need 0 < idle <= max session TTL");
        }
        if (cookieSigningKeys.isEmpty() || tokenEncryptionKeys.isEmpty()) {
            throw new IllegalArgumentException("need at least one signing and one encryption key");
        }
        if (cookieHostPrefix && !cookieSecure) {
            throw new IllegalArgumentException("a __Host- cookie must be Secure");
        }
    }

    /** The name the cookie really has: with {@code __Host-} in front when {@link #cookieHostPrefix()} is on. */
    public String effectiveCookieName() {
        return cookieHostPrefix ? HOST_PREFIX + cookieName : cookieName;
    }

    public static SessionSettings read(SettingReader reader) {
        long idle = reader.number(IDLE_SESSION_TTL_SECONDS, DEFAULT_IDLE_SECONDS, 1, MAX_SECONDS);
        long max = reader.number(MAX_SESSION_TTL_SECONDS, Math.max(DEFAULT_MAX_SECONDS, idle), 1, MAX_SECONDS);
        if (max < idle) {
            throw SettingReader.invalid(MAX_SESSION_TTL_SECONDS, Long.toString(max),
                    "at least " + IDLE_SESSION_TTL_SECONDS + " (" + idle + ") and at most " + MAX_SECONDS);
        }
        String name = reader.string(COOKIE_NAME, DEFAULT_COOKIE_NAME);
        boolean secure = reader.bool(COOKIE_SECURE, true);
        boolean hostPrefix = reader.bool(COOKIE_HOST_PREFIX, false);
        checkCookieName(name, secure);
        if (hostPrefix && !secure) {
            throw new InvalidSettingException(COOKIE_HOST_PREFIX, COOKIE_HOST_PREFIX + " must be false when "
                    + COOKIE_SECURE + " is false: browsers drop a __Host- cookie that is not Secure");
        }
        long maxAge = reader.number(COOKIE_MAX_AGE_SECONDS, -1, -1, max);
        if (maxAge == 0) {
            throw SettingReader.invalid(COOKIE_MAX_AGE_SECONDS, "0",
                    "-1 (a browser-session cookie) or from 1 to " + MAX_SESSION_TTL_SECONDS + " (" + max + ")");
        }
        List<Secret> signing = keys(reader, COOKIE_SIGNING_KEYS, MIN_SIGNING_KEY_BYTES, false);
        List<Secret> encryption = keys(reader, TOKEN_ENCRYPTION_KEYS, ENCRYPTION_KEY_BYTES, true);
        return new SessionSettings(idle, max, name, secure, hostPrefix, maxAge, signing, encryption);
    }

    private static void checkCookieName(String name, boolean secure) {
        if (!TOKEN.matcher(name).matches()) {
            throw SettingReader.invalid(COOKIE_NAME, name,
                    "a cookie name made of letters, digits and !#$%&'*+-.^_`|~ (no spaces, '=', ';' or ',')");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("__host-")) {
            throw SettingReader.invalid(COOKIE_NAME, name,
                    "a name without the __Host- prefix (set " + COOKIE_HOST_PREFIX + "=true to add it)");
        }
        if (lower.startsWith("__secure-") && !secure) {
            throw SettingReader.invalid(COOKIE_NAME, name,
                    "a name without the __Secure- prefix while " + COOKIE_SECURE + " is false");
        }
    }

    /** Reads a required list of base64 keys; a message names the entry by position, never by its text. */
    private static List<Secret> keys(SettingReader reader, String name, int bytes, boolean exact) {
        reader.required(name);
        List<Secret> keys = new ArrayList<>();
        List<String> entries = reader.list(name, List.of());
        String allowed = exact
                ? "a comma-separated list of base64 keys of exactly " + bytes + " bytes (AES-256)"
                : "a comma-separated list of base64 keys of at least " + bytes + " bytes";
        for (int i = 0; i < entries.size(); i++) {
            Secret key = Secret.of(entries.get(i));
            int length = KeyMaterial.decode(key).map(b -> b.length).orElse(-1);
            if (length < 0 || (exact ? length != bytes : length < bytes)) {
                String what = length < 0 ? "not base64" : length + " bytes";
                throw new InvalidSettingException(name, name + " must be " + allowed + ", but entry " + (i + 1)
                        + " of " + entries.size() + " is " + what + " (value " + key + ")");
            }
            keys.add(key);
        }
        return keys;
    }
}
