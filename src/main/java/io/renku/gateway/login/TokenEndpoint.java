package io.renku.gateway.login;

import io.renku.gateway.model.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where and as whom a provider's tokens are refreshed: an OIDC provider's discovered token endpoint, or a SAML
 * provider's {@code tokenEndpoint} whose RFC 7522 exchange issued the tokens. The endpoint is a supplier because an
 * OIDC provider's comes from its discovery document, read on first use (502/504 while it cannot be read).
 */
public record TokenEndpoint(String id, Supplier<URI> endpoint, String clientId, Secret clientSecret,
        Duration timeout) {
    public TokenEndpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** An OIDC provider's token endpoint, from its discovery document. */
    static TokenEndpoint of(OidcProvider provider) {
        return new TokenEndpoint(provider.id(), () -> provider.discovered().metadata().getTokenEndpointURI(),
                provider.settings().clientId(), provider.settings().clientSecret(), provider.timeout());
    }
}
