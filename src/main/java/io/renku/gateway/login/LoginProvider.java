package io.renku.gateway.login;

import io.renku.gateway.web.ReadinessCheck;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import jakarta.servlet.http.HttpSession;
import java.util.List;
import java.util.Optional;

/**
 * One step of the login chain, whatever protocol it speaks (OpenID Connect, SAML 2.0). The chain asks it to begin a
 * step and keeps the returned {@link PendingLogin} in the session; the protocol's own endpoint (the OIDC callback,
 * the SAML assertion consumer service) finishes the step and hands the result back to {@link LoginChain}. A provider is
 * also a readiness check: {@code /ready} names it and says whether its discovery document or metadata could be read.
 */
public interface LoginProvider extends ReadinessCheck {
    String id();

    /**
     * Begins step {@code step} of {@code chain}: the pending record whose {@code state} binds the provider's answer to
     * this browser session, and where the browser goes. A provider that cannot be used throws a 502/504
     * {@link io.renku.gateway.errors.GatewayException}.
     */
    Begun begin(List<String> chain, int step, URI redirect, Instant expiresAt, SecureRandom random);

    /**
     * Where to send the browser to end the user's session at the provider too (single logout), read from
     * {@code session} before the gateway deletes it; empty when the provider has no such endpoint. OIDC providers
     * are handled by {@link LogoutResource} itself (RP-initiated logout).
     */
    default Optional<URI> singleLogout(HttpSession session, URI after) {
        return Optional.empty();
    }

    /** What {@link #begin} gives: the step to keep and the URL the browser is sent to. */
    record Begun(PendingLogin pending, URI location) {
    }
}
