package io.renku.gateway.proxy;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.Objects;

/**
 * {@code GET <login.loginRoutesBasePath>/.well-known/jwks.json}: the public keys of the {@code Renku-Auth-Identity}
 * assertions, so an upstream verifies them with any JOSE library. Cacheable for a minute: a rotated key is published
 * before it signs (it is added second, then moved first), and an assertion lives at most a minute.
 */
@Path(".well-known/jwks.json")
public final class JwksResource {
    private final IdentityAssertions assertions;

    public JwksResource(IdentityAssertions assertions) {
        this.assertions = Objects.requireNonNull(assertions, "assertions");
    }

    @GET
    public Response keys() {
        return Response.ok(assertions.publicKeys().toString(), "application/jwk-set+json")
                .header("Cache-Control", "public, max-age=60").build();
    }
}
