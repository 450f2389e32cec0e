package io.renku.gateway.session;

import java.time.Duration;
import java.util.Set;

/**
 * What back-channel logout needs to find and to remember: which gateway sessions belong to an identity provider's
 * session ({@code sid}) or user ({@code sub}), and which logout tokens ({@code jti}) were already used. A logout token
 * names the provider's session, not ours, so without this index the gateway could not end the right sessions.
 *
 * <p>Keys are built by the caller ({@link #sidKey}, {@link #subKey}) and always carry the issuer, so two providers
 * that happen to use the same {@code sid} or {@code sub} values can never end each other's sessions. Entries expire
 * with the longest a session can live; a stale entry only names a session id that no longer exists, which is harmless.
 */
public interface SessionIndex {

    /** Adds {@code sessionId} under each of {@code keys}. */
    void add(Set<String> keys, String sessionId);

    /** Removes {@code sessionId} from each of {@code keys} (a logout, or the old id after a rename). */
    void remove(Set<String> keys, String sessionId);

    /** The session ids under {@code key}, and forgets them. */
    Set<String> take(String key);

    /** True the first time {@code marker} is presented within {@code ttl}, false for a repeat (replay). */
    boolean firstUse(String marker, Duration ttl);

    static String sidKey(String issuer, String sid) {
        return "sid:" + issuer + "|" + sid;
    }

    static String subKey(String issuer, String sub) {
        return "sub:" + issuer + "|" + sub;
    }
}
