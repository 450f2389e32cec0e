package io.renku.gateway.model;

/**
 * How a caller proved who they are. Upstreams and logs treat the methods differently: only a {@link #SESSION} has
 * stored tokens the gateway can refresh; {@link #BEARER} and {@link #BASIC} identities are ephemeral, built from the
 * request's own token and never stored.
 */
public enum AuthMethod {
    SESSION,
    BEARER,
    BASIC,
    ANONYMOUS
}
