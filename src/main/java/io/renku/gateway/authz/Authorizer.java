package io.renku.gateway.authz;

import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.model.GrantSet;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.ResourceRef;
import io.renku.gateway.model.Scopes;
import io.renku.gateway.model.Secret;
import io.renku.gateway.proxy.UpstreamCredentials;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The decision service shared by the Twirp endpoint and the edge rules: a subject's grants are those of its token
 * ({@link TokenGrants}) plus those the policy file gives its id, and a decision is "does any grant allow this action on
 * this resource". Every decision is logged at INFO with the request id, the subject id, the permission, the resource
 * and the result; never a token, and never an unknown subject string (it could be a token sent in the wrong field),
 * which is logged as a short hash.
 */
public final class Authorizer {
    private static final Logger DECISIONS = System.getLogger("io.renku.gateway.authz.decisions");
    /** What a caller must be granted to ask about other subjects (unless the policy file lists it as a decider). */
    static final String DECIDE = "decide";
    static final ResourceRef ABILITY = Scopes.resource("gid://app/Ability");

    private final TokenGrants tokens;
    private final PolicyFile policy;
    /** Counts each decision by source ({@code edge} or {@code rpc}) and result: the deployment's metrics. */
    private final BiConsumer<String, Boolean> counter;

    /**
     * The deployment's authorizer; loads the policy file.
     *
     * @throws IllegalStateException when the policy file cannot be read or parsed (the deployment stops)
     */
    public static Authorizer fromSettings(io.renku.gateway.config.AuthzSettings settings, java.time.Clock clock,
            GatewayMetrics metrics) {
        PolicyFile policy = settings.policyFile()
                .map(file -> PolicyFile.load(file, settings.policyCheckInterval(), clock))
                .orElseGet(PolicyFile::none);
        return new Authorizer(new TokenGrants(settings.scopeClaims(), 10_000, clock), policy, metrics::decision);
    }

    Authorizer(TokenGrants tokens, PolicyFile policy) {
        this(tokens, policy, (source, allowed) -> { });
    }

    Authorizer(TokenGrants tokens, PolicyFile policy, BiConsumer<String, Boolean> counter) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.counter = Objects.requireNonNull(counter, "counter");
    }

    /** The grants of an authenticated identity with its validated token (if it has one). */
    public GrantSet grantsOf(Identity identity, Optional<Secret> token) {
        if (identity.isAnonymous()) {
            return GrantSet.empty();
        }
        GrantSet fromToken = token.filter(t -> !t.isEmpty()).map(t -> tokens.of(t, identity))
                .orElse(GrantSet.empty());
        return fromToken.with(policy.current().grantsOf(identity.subject()));
    }

    /** The grants of a request's caller: its session's stored access token (refreshed when due) or its own token. */
    public GrantSet grantsOf(jakarta.servlet.http.HttpServletRequest request, Identity caller) {
        Optional<Secret> token = request.getAttribute(UpstreamCredentials.ATTRIBUTE) instanceof UpstreamCredentials c
                ? c.accessToken() : caller.token();
        return grantsOf(caller, token);
    }

    /** The grants the policy file gives a subject id; none for an id it does not list. */
    GrantSet grantsOfSubjectId(String subject) {
        return policy.current().grantsOf(subject);
    }

    boolean policyKnows(String subject) {
        return policy.current().knows(subject);
    }

    /** Whether {@code caller} may ask about other subjects. */
    boolean isDecider(Identity caller, GrantSet callerGrants) {
        return !caller.isAnonymous()
                && (callerGrants.allows(DECIDE, ABILITY) || policy.current().deciders().contains(caller.subject()));
    }

    /** Decides and logs; {@code via} says who asked (an edge rule's id, or the Twirp endpoint). */
    public boolean decide(String requestId, String subjectForLog, GrantSet grants, String permission,
            ResourceRef resource, String via) {
        boolean allowed = grants.allows(permission, resource);
        record(requestId, subjectForLog, permission, resource.toString(), allowed, via);
        return allowed;
    }

    /** Logs and counts a decision, also one taken without grants (an anonymous caller at an edge rule). */
    void record(String requestId, String subject, String permission, String resource, boolean allowed,
            String via) {
        counter.accept(via.startsWith("rule:") ? "edge" : "rpc", allowed);
        DECISIONS.log(Level.INFO, () -> "authz decision request=" + requestId + " subject=" + printable(subject)
                + " permission=" + permission + " resource=" + resource + " result=" + (allowed ? "allow" : "deny")
                + " via=" + via);
    }

    /** A subject id as it may be logged: a known or {@code gid://} id as it is, anything else as a short hash. */
    String loggable(String subject) {
        if (subject.startsWith("gid://") || policyKnows(subject)) {
            return subject;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return "unknown#" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    /** Control characters cannot forge log lines. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}
