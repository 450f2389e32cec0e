package io.renku.gateway.session;

import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import jakarta.servlet.http.HttpSession;
import java.util.Optional;
import java.util.Set;

/**
 * Who is logged in to a session, kept as plain string attributes ({@code user.sub}, ...) so an operator can read them
 * with {@code redis-cli}; tokens are not here but in {@link SessionTokens}, encrypted. Also the session's stable
 * anonymous id ({@code Renku-Auth-Anon-Id}) for callers who have not logged in.
 */
public final class SessionUser {
    static final String SUBJECT = "user.sub";
    static final String USERNAME = "user.preferredUsername";
    static final String NAME = "user.name";
    static final String EMAIL = "user.email";
    static final String ISSUER = "user.issuer";
    static final String ANONYMOUS_ID = "anon.id";

    private SessionUser() {
    }

    public static void store(HttpSession session, Identity identity) {
        session.setAttribute(SUBJECT, identity.subject());
        session.setAttribute(USERNAME, identity.preferredUsername());
        session.setAttribute(NAME, identity.name());
        session.setAttribute(EMAIL, identity.email());
        session.setAttribute(ISSUER, identity.issuer());
    }

    /** Logs the user out of the session (the anonymous id stays); the caller removes the user's tokens. */
    public static void forget(HttpSession session) {
        for (String name : new String[] {SUBJECT, USERNAME, NAME, EMAIL, ISSUER}) {
            session.removeAttribute(name);
        }
    }

    /** The logged-in identity, or empty for a session that has not completed a login. */
    public static Optional<Identity> load(HttpSession session) {
        Object subject = session.getAttribute(SUBJECT);
        if (!(subject instanceof String sub) || sub.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Identity(sub, text(session, USERNAME), text(session, NAME), text(session, EMAIL),
                text(session, ISSUER), AuthMethod.SESSION, Optional.empty(), Set.of(), Optional.empty()));
    }

    /** The session's anonymous id if it has one already; never makes one. */
    public static java.util.Optional<String> existingAnonymousId(HttpSession session) {
        return session.getAttribute(ANONYMOUS_ID) instanceof String id ? java.util.Optional.of(id)
                : java.util.Optional.empty();
    }

    /** The session's anonymous id, made on first use (128 random bits) and kept for the session's life. */
    public static String anonymousId(HttpSession session) {
        if (session.getAttribute(ANONYMOUS_ID) instanceof String id) {
            return id;
        }
        String id = SessionIds.randomToken(16);
        session.setAttribute(ANONYMOUS_ID, id);
        return id;
    }

    private static String text(HttpSession session, String name) {
        return session.getAttribute(name) instanceof String value ? value : "";
    }
}
