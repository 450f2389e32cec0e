package io.renku.gateway.login;

import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a login in progress: the chain of providers, which one is being asked now, and the one-time values that
 * bind the provider's answer to this browser session: {@code state} (256 random bits, RFC 9700 §4.7 CSRF protection),
 * {@code nonce} (binds the ID token to this request) and the PKCE verifier (binds the code to this client). A session
 * holds at most one step; the next step replaces it, so a state can be used once only.
 *
 * <p>Every check failure is a 400 whose text says what went wrong and never echoes the values themselves.
 */
public record PendingLogin(List<String> chain, int step, Secret state, Secret nonce, Optional<Secret> verifier,
        Instant expiresAt, URI redirect) {
    private static final int RANDOM_BYTES = 32;

    public PendingLogin {
        chain = List.copyOf(chain);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(redirect, "redirect");
        if (step < 0 || step >= chain.size()) {
            throw new IllegalArgumentException("step " + step + " is outside the chain " + chain);
        }
    }

    /** A fresh step {@code step} of {@code chain} with new random values. */
    public static PendingLogin start(List<String> chain, int step, boolean pkce, URI redirect, Instant expiresAt,
            SecureRandom random) {
        return new PendingLogin(chain, step, randomValue(random), randomValue(random),
                pkce ? Optional.of(randomValue(random)) : Optional.empty(), expiresAt, redirect);
    }

    public String provider() {
        return chain.get(step);
    }

    public boolean isLast() {
        return step == chain.size() - 1;
    }

    /**
     * Accepts the callback's {@code state} when it is this step's and the step has not expired. The comparison is
     * constant-time so a guess learns nothing from the response time.
     */
    public void verify(String callbackState, Instant now) {
        if (callbackState == null || callbackState.isEmpty()) {
            throw GatewayException.badRequest("The login callback has no state parameter. Start the login again.");
        }
        if (!MessageDigest.isEqual(callbackState.getBytes(StandardCharsets.UTF_8),
                state.reveal().getBytes(StandardCharsets.UTF_8))) {
            throw GatewayException.badRequest("The login callback's state does not belong to the login in progress "
                    + "in this browser (it may have been used already). Start the login again.");
        }
        if (!now.isBefore(expiresAt)) {
            throw GatewayException.badRequest("The login took too long and has expired. Start the login again.");
        }
    }

    /** The session form: space-separated fields, none of which can contain a space. */
    public Secret encode() {
        return Secret.of(String.join(" ", "v1", String.join(",", chain), Integer.toString(step), state.reveal(),
                nonce.reveal(), verifier.map(Secret::reveal).orElse("-"), Long.toString(expiresAt.getEpochSecond()),
                redirect.toString()));
    }

    /** Empty for anything that is not a {@link #encode()} result. */
    public static Optional<PendingLogin> decode(Secret encoded) {
        String[] f = encoded.reveal().split(" ");
        if (f.length != 8 || !f[0].equals("v1")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PendingLogin(List.of(f[1].split(",")), Integer.parseInt(f[2]), Secret.of(f[3]),
                    Secret.of(f[4]), f[5].equals("-") ? Optional.empty() : Optional.of(Secret.of(f[5])),
                    Instant.ofEpochSecond(Long.parseLong(f[6])), URI.create(f[7])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Secret randomValue(SecureRandom random) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    @Override
    public String toString() {
        return "PendingLogin[" + chain + " step " + step + ", expires " + expiresAt + "]";
    }
}
