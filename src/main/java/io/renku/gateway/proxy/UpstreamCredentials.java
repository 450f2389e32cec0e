package io.renku.gateway.proxy;

import io.renku.gateway.model.Secret;
import java.time.Instant;
import java.util.Optional;

/**
 * What the gateway knows about the caller that an upstream may need, put on the request (attribute
 * {@link #ATTRIBUTE}) by the credential filter that runs before the proxy. The proxy never looks up a session itself:
 * no attribute means an anonymous caller without an anonymous id. A caller with an {@link #anonymousId()} and no
 * {@link #accessToken()} is an anonymous caller that the session work has given a stable id.
 */
public interface UpstreamCredentials {
    String ATTRIBUTE = UpstreamCredentials.class.getName();

    Optional<Secret> accessToken();

    Optional<Secret> refreshToken();

    Optional<Secret> gitlabToken();

    Optional<Instant> gitlabExpiresAt();

    Optional<String> anonymousId();

    /** Whether the caller is logged in (has an access token), as opposed to anonymous. */
    default boolean authenticated() {
        return accessToken().filter(t -> !t.isEmpty()).isPresent();
    }
}
