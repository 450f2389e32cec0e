package io.renku.gateway.login;

import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.TokenSet;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.session.SessionUser;
import io.renku.gateway.session.TokenCipher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The login chain, independent of the protocol of each step: starts a chain, keeps the one pending step in the
 * session (encrypted, {@code login.stateTTLSeconds}, used up by the first answer that presents it), and after a step
 * succeeded stores what it yielded, renames the session and sends the browser on to the next provider or to the
 * validated {@code redirect_url}. {@link LoginResource} (OpenID Connect) and the SAML assertion consumer service both
 * finish their steps here, so a SAML provider is one more step of the same chain.
 *
 * <p>Security notes. A chain that starts with a provider that says who the user is
 * ({@link LoginSettings#identifiesUser}) starts from a fresh session, so a previous user's tokens never mix with the
 * new user's. The session id changes after every step (session fixation). Nothing is stored before the protocol's
 * checks passed: the caller hands over only validated results.
 */
public final class LoginChain {
    static final String PENDING = "login.pending";

    private final LoginSettings settings;
    private final Map<String, LoginProvider> providers;
    private final SessionTokens tokens;
    private final TokenCipher cipher;
    private final Clock clock;
    private final SessionIndexing indexing;
    private final RedirectTargets redirects;
    private final SecureRandom random = new SecureRandom();

    LoginChain(LoginSettings settings, Map<String, ? extends LoginProvider> providers, SessionTokens tokens,
            TokenCipher cipher, Clock clock, SessionIndexing indexing) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.providers = Map.copyOf(providers);
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.indexing = Objects.requireNonNull(indexing, "indexing");
        this.redirects = RedirectTargets.of(settings);
    }

    public LoginSettings settings() {
        return settings;
    }

    public Optional<LoginProvider> provider(String id) {
        return Optional.ofNullable(providers.get(id));
    }

    /** {@code GET login}: a fresh login through {@code providerIds} (or the default chain), answered with a 302. */
    public Response start(HttpServletRequest request, List<String> providerIds, String redirectUrl) {
        List<String> chain = chain(providerIds);
        URI target = redirects.validate(redirectUrl);
        LoginProvider.Begun begun = providers.get(chain.get(0)).begin(chain, 0, target,
                clock.instant().plusSeconds(settings.stateTtlSeconds()), random);
        HttpSession session = request.getSession(false);
        if (session != null && settings.identifiesUser(chain.get(0))) {
            session.invalidate();
        }
        save(request.getSession(true), begun.pending());
        return redirect(begun.location());
    }

    /**
     * The pending step of this browser session, removed from it: whatever the answer turns out to be, the step cannot
     * be used twice. 400 when there is none.
     */
    public PendingLogin take(HttpSession session) {
        PendingLogin step = session == null ? null : load(session).orElse(null);
        if (step == null) {
            throw GatewayException.badRequest("No login is in progress in this browser session (the link may have "
                    + "been used already, or the session has ended). Start the login again.");
        }
        session.removeAttribute(PENDING);
        return step;
    }

    /** The pending step without using it up (a SAML response is matched against it before it is consumed). */
    public Optional<PendingLogin> peek(HttpSession session) {
        return session == null ? Optional.empty() : load(session);
    }

    /** A validated result of {@code step}: the tokens and, for a step that identifies the user, who that is. */
    public record StepResult(Optional<TokenSet> tokens, Optional<Identity> identity,
            Map<String, List<String>> attributes, Set<String> indexKeys) {
        public StepResult {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(identity, "identity");
            attributes = Map.copyOf(attributes);
            indexKeys = Set.copyOf(indexKeys);
        }
    }

    /**
     * Stores {@code result} of {@code step} in {@code session}, changes the session id, and sends the browser to the
     * next provider of the chain or, after the last, to the step's validated redirect.
     */
    public Response completed(HttpServletRequest request, HttpSession session, PendingLogin step,
            StepResult result) {
        result.tokens().ifPresent(t -> tokens.store(session, t));
        boolean identifies = settings.identifiesUser(step.provider())
                && (step.step() == 0 || SessionUser.load(session).isEmpty());
        if (identifies && result.identity().isPresent()) {
            SessionUser.store(session, result.identity().get(), step.provider(), result.attributes());
            SessionIndexing.storeKeys(session, result.indexKeys());
        }
        String previousId = session.getId();
        request.changeSessionId();
        indexing.renamed(session, previousId);
        if (step.isLast()) {
            return redirect(step.redirect());
        }
        LoginProvider next = providers.get(step.chain().get(step.step() + 1));
        LoginProvider.Begun begun = next.begin(step.chain(), step.step() + 1, step.redirect(),
                clock.instant().plusSeconds(settings.stateTtlSeconds()), random);
        save(session, begun.pending());
        return redirect(begun.location());
    }

    private List<String> chain(List<String> requested) {
        List<String> ids = new ArrayList<>();
        if (requested != null) {
            for (String value : requested) {
                for (String id : value.split(",")) {
                    if (!id.isBlank()) {
                        ids.add(id.trim());
                    }
                }
            }
        }
        if (ids.isEmpty()) {
            return settings.defaultChain();
        }
        for (String id : ids) {
            if (!providers.containsKey(id)) {
                String shown = id.matches("[A-Za-z0-9_-]{1,32}") ? "'" + id + "'" : "given";
                throw GatewayException.badRequest("The provider_id " + shown + " is not configured; use one of "
                        + String.join(", ", settings.allProviders()) + ".");
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }

    private void save(HttpSession session, PendingLogin step) {
        session.setAttribute(PENDING, cipher.encrypt(step.encode(), PENDING));
    }

    private Optional<PendingLogin> load(HttpSession session) {
        if (!(session.getAttribute(PENDING) instanceof String stored)) {
            return Optional.empty();
        }
        return cipher.decrypt(stored, PENDING).flatMap(PendingLogin::decode);
    }

    static Response redirect(URI location) {
        return Response.status(Response.Status.FOUND).location(location).header("Cache-Control", "no-store").build();
    }
}
