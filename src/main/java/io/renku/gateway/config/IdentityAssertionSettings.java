package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Secret;
import java.util.Objects;

/**
 * The gateway-signed identity for upstreams ({@code Renku-Auth-Identity}): whether it is sent, and the signing keys,
 * a JWK or JWK Set (JSON) of EC P-256 or RSA private keys with a {@code kid} each; the first key signs, all are
 * published, so a key rotates by putting the new one first and dropping the old one a minute later.
 */
public record IdentityAssertionSettings(boolean enabled, Secret signingKeys) {
    public static final String ENABLED = "revproxy.identityAssertion";
    public static final String SIGNING_KEY = "revproxy.identityAssertion.signingKey";

    public IdentityAssertionSettings {
        Objects.requireNonNull(signingKeys, "signingKeys");
    }

    public static IdentityAssertionSettings read(SettingReader reader) {
        boolean enabled = reader.bool(ENABLED, false);
        Secret keys = reader.secret(SIGNING_KEY);
        if (enabled && keys.isEmpty()) {
            throw new InvalidSettingException(SIGNING_KEY, SIGNING_KEY + " is required when " + ENABLED
                    + " is true: a JWK or JWK Set with an EC P-256 (ES256) or RSA (RS256) private key and a kid");
        }
        return new IdentityAssertionSettings(enabled, keys);
    }
}
