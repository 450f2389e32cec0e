package io.renku.gateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import jakarta.servlet.http.HttpSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    static final String PROVIDER = "user.provider";
    static final String ATTRIBUTES = "user.attributes";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, List<String>>> ATTRIBUTE_MAP = new TypeReference<>() {
    };

    private SessionUser() {
    }

    public static void store(HttpSession session, Identity identity) {
        session.setAttribute(SUBJECT, identity.subject());
        session.setAttribute(USERNAME, identity.preferredUsername());
        session.setAttribute(NAME, identity.name());
        session.setAttribute(EMAIL, identity.email());
        session.setAttribute(ISSUER, identity.issuer());
    }

    /**
     * Also records which login provider said who the user is and the attributes it asserted (a SAML IdP's roles,
     * groups, entitlements), as one JSON attribute an operator can read.
     */
    public static void store(HttpSession session, Identity identity, String provider,
            Map<String, List<String>> attributes) {
        store(session, identity);
        session.setAttribute(PROVIDER, provider);
        if (attributes.isEmpty()) {
            session.removeAttribute(ATTRIBUTES);
            return;
        }
        try {
            session.setAttribute(ATTRIBUTES, JSON.writeValueAsString(attributes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("attributes are strings", e);
        }
    }

    /** The provider that said who the user is, when the login recorded it. */
    public static Optional<String> provider(HttpSession session) {
        return session.getAttribute(PROVIDER) instanceof String p && !p.isEmpty() ? Optional.of(p)
                : Optional.empty();
    }

    /** The attributes the user's identity provider asserted at login (empty for an OIDC login). */
    public static Map<String, List<String>> attributes(HttpSession session) {
        if (!(session.getAttribute(ATTRIBUTES) instanceof String stored)) {
            return Map.of();
        }
        try {
            return JSON.readValue(stored, ATTRIBUTE_MAP);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /** Logs the user out of the session (the anonymous id stays); the caller removes the user's tokens. */
    public static void forget(HttpSession session) {
        for (String name : new String[] {SUBJECT, USERNAME, NAME, EMAIL, ISSUER, PROVIDER, ATTRIBUTES}) {
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
