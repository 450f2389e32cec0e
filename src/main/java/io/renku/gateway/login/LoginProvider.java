package io.renku.gateway.login;

import io.renku.gateway.web.ReadinessCheck;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;

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

    /** What {@link #begin} gives: the step to keep and the URL the browser is sent to. */
    record Begun(PendingLogin pending, URI location) {
    }
}
