package io.renku.gateway.login;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.session.SessionIndex;
import io.renku.gateway.session.SessionTokens;
import jakarta.servlet.http.HttpSession;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the {@link SessionIndex} in step with the login chain: after every login step that renamed the session, the
 * user provider's {@code sid} and {@code sub} (read from the ID token the login already validated) point at the new
 * session id and no longer at the old one, so a back-channel logout finds the session under the id it has after the
 * whole chain, not an id that stopped existing at the next step (session-fixation renames). A logout removes the
 * entries again. Only the user provider ({@code renku}) is indexed: its session is the one that says who the user is.
 */
final class SessionIndexing {
    private final SessionIndex index;
    private final SessionTokens tokens;
    private final String userProvider;

    SessionIndexing(SessionIndex index, SessionTokens tokens, String userProvider) {
        this.index = Objects.requireNonNull(index, "index");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.userProvider = Objects.requireNonNull(userProvider, "userProvider");
    }

    /** After {@code session} was renamed from {@code previousId}: index it under its new id. */
    void renamed(HttpSession session, String previousId) {
        Set<String> keys = keys(session);
        if (!keys.isEmpty()) {
            index.remove(keys, previousId);
            index.add(keys, session.getId());
        }
    }

    /** Before {@code session} is invalidated by a logout. */
    void forget(HttpSession session) {
        Set<String> keys = keys(session);
        if (!keys.isEmpty()) {
            index.remove(keys, session.getId());
        }
    }

    /** Where a login step that has no ID token (SAML) leaves its index keys, newline-separated. */
    static final String EXTRA_KEYS = "login.indexKeys";

    /** Index keys of a login that are not in an ID token: a SAML IdP's NameID and SessionIndex. */
    static void storeKeys(HttpSession session, Set<String> keys) {
        if (keys.isEmpty()) {
            session.removeAttribute(EXTRA_KEYS);
        } else {
            session.setAttribute(EXTRA_KEYS, String.join("\n", keys));
        }
    }

    private Set<String> keys(HttpSession session) {
        Set<String> keys = new HashSet<>(idTokenKeys(session));
        if (session.getAttribute(EXTRA_KEYS) instanceof String extra && !extra.isEmpty()) {
            keys.addAll(List.of(extra.split("\n")));
        }
        return keys;
    }

    private Set<String> idTokenKeys(HttpSession session) {
        Optional<Secret> idToken = tokens.load(session, userProvider).flatMap(TokenSet::idToken);
        Set<String> keys = new HashSet<>(2);
        if (idToken.isEmpty()) {
            return keys;
        }
        JWTClaimsSet claims;
        try {
            claims = JWTParser.parse(idToken.get().reveal()).getJWTClaimsSet();
        } catch (ParseException e) {
            return keys;
        }
        String issuer = claims.getIssuer();
        if (issuer == null) {
            return keys;
        }
        if (claims.getSubject() != null) {
            keys.add(SessionIndex.subKey(issuer, claims.getSubject()));
        }
        if (claims.getClaim("sid") instanceof String sid && !sid.isEmpty()) {
            keys.add(SessionIndex.sidKey(issuer, sid));
        }
        return keys;
    }
}
