package io.renku.gateway.session;

import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import jakarta.servlet.http.HttpSession;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The tokens a session holds, one set per identity provider, encrypted at rest with {@link TokenCipher}. The cipher's
 * associated data is a random binding made once per session (attribute {@code tokens.binding}) plus the attribute's
 * name, not the session id: the id changes at login, while a ciphertext must still fail to decrypt when copied into
 * another session or under another name.
 */
public final class SessionTokens {
    private static final String BINDING = "tokens.binding";
    private static final String PREFIX = "tokens.";

    private final TokenCipher cipher;

    public SessionTokens(TokenCipher cipher) {
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    public void store(HttpSession session, TokenSet tokens) {
        String binding = binding(session);
        String base = PREFIX + tokens.provider() + ".";
        put(session, binding, base + "access", Optional.of(tokens.accessToken()));
        put(session, binding, base + "refresh", tokens.refreshToken());
        put(session, binding, base + "id", tokens.idToken());
        if (tokens.expiresAt().isPresent()) {
            session.setAttribute(base + "expiresAt", tokens.expiresAt().get().getEpochSecond());
        } else {
            session.removeAttribute(base + "expiresAt");
        }
    }

    public Optional<TokenSet> load(HttpSession session, String provider) {
        String base = PREFIX + provider + ".";
        Optional<Secret> access = get(session, base + "access");
        if (access.isEmpty()) {
            return Optional.empty();
        }
        Optional<Instant> expiresAt = session.getAttribute(base + "expiresAt") instanceof Long seconds
                ? Optional.of(Instant.ofEpochSecond(seconds)) : Optional.empty();
        return Optional.of(new TokenSet(provider, access.get(), get(session, base + "refresh"), get(session, base + "id"),
                expiresAt));
    }

    /** The providers this session holds an access token for, in name order. */
    public List<String> providers(HttpSession session) {
        return Collections.list(session.getAttributeNames()).stream()
                .filter(name -> name.startsWith(PREFIX) && name.endsWith(".access"))
                .map(name -> name.substring(PREFIX.length(), name.length() - ".access".length()))
                .sorted().toList();
    }

    public void remove(HttpSession session, String provider) {
        String base = PREFIX + provider + ".";
        for (String field : List.of("access", "refresh", "id", "expiresAt")) {
            session.removeAttribute(base + field);
        }
    }

    private void put(HttpSession session, String binding, String name, Optional<Secret> token) {
        if (token.isPresent()) {
            session.setAttribute(name, cipher.encrypt(token.get(), binding + "/" + name));
        } else {
            session.removeAttribute(name);
        }
    }

    private Optional<Secret> get(HttpSession session, String name) {
        Object stored = session.getAttribute(name);
        Object binding = session.getAttribute(BINDING);
        if (!(stored instanceof String text) || !(binding instanceof String b)) {
            return Optional.empty();
        }
        return cipher.decrypt(text, b + "/" + name);
    }

    private static String binding(HttpSession session) {
        if (session.getAttribute(BINDING) instanceof String existing) {
            return existing;
        }
        String binding = SessionIds.randomToken(16);
        session.setAttribute(BINDING, binding);
        return binding;
    }
}
