package io.renku.gateway.authz;

import io.renku.gateway.auth.BearerAuthenticator;
import io.renku.gateway.auth.Credential;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.GrantSet;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.ResourceRef;
import io.renku.gateway.model.Scopes;
import io.renku.gateway.model.Secret;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code authx.rpc.Ability/Allowed} without the wire: may {@code subject} do {@code permission} to {@code resource}?
 *
 * <p>The subject is one of three things. Empty: the caller itself (its session, Bearer or Basic identity). A token:
 * validated exactly as an {@code Authorization: Bearer} token (same verifiers, same introspection), its claims give
 * the grants; whoever holds a token may ask what it allows. Otherwise a subject id from the policy file, which only a
 * decider may ask about (grants {@code decide} on {@code gid://app/Ability}, or listed under {@code deciders}). A
 * string counts as a token when it has a JWS's shape; when introspection is configured, also any other string that is
 * neither a {@code gid://} id nor a subject of the policy file (so an opaque token is checked, not looked up).
 */
final class AbilityService {
    private static final int MAX_SUBJECT = 16 * 1024;

    private final Authorizer authorizer;
    private final BearerAuthenticator bearer;
    private final boolean introspection;

    AbilityService(Authorizer authorizer, BearerAuthenticator bearer, boolean introspection) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.bearer = Objects.requireNonNull(bearer, "bearer");
        this.introspection = introspection;
    }

    /** The caller of one request: its identity and, lazily, its grants (may refresh a session's token). */
    record Caller(Identity identity, Optional<GatewayException> failure, Optional<GatewayException> storeFailure,
            Supplier<GrantSet> grants) {
    }

    /** @throws TwirpError for every refusal */
    boolean allowed(String requestId, Caller caller, String subject, String permission, String resourceText) {
        if (permission.isEmpty() || !Scopes.isAction(permission)) {
            throw TwirpError.invalidArgument("permission", "permission must be an action such as read: a letter, "
                    + "then letters, digits, '_', '-' or '.'");
        }
        ResourceRef resource;
        try {
            resource = Scopes.resource(resourceText);
        } catch (IllegalArgumentException e) {
            throw TwirpError.invalidArgument("resource", e.getMessage());
        }
        if (subject.length() > MAX_SUBJECT) {
            throw TwirpError.invalidArgument("subject", "subject is longer than " + MAX_SUBJECT + " characters");
        }
        if (subject.isEmpty()) {
            Identity self = authenticated(caller, "the subject is empty, which means the caller");
            return authorizer.decide(requestId, self.subject(), callerGrants(caller), permission, resource, "twirp");
        }
        if (isToken(subject)) {
            Secret token = Secret.of(subject);
            Identity holder;
            try {
                holder = bearer.authenticate(new Credential(AuthMethod.BEARER, token));
            } catch (GatewayException e) {
                throw TwirpError.from(e, "subject token", "subject");
            }
            return authorizer.decide(requestId, holder.subject(), grantsOf(holder, token), permission, resource,
                    "twirp");
        }
        Identity asker = caller.identity();
        if (asker.isAnonymous() && caller.storeFailure().isPresent()) {
            throw TwirpError.from(caller.storeFailure().get(), "the caller's session", null);
        }
        if (asker.isAnonymous() || !authorizer.isDecider(asker, callerGrants(caller))) {
            throw TwirpError.permissionDenied("asking about another subject needs an authenticated caller granted "
                    + "'decide' on gid://app/Ability or listed under \"deciders\" in the policy file");
        }
        return authorizer.decide(requestId, authorizer.loggable(subject), authorizer.grantsOfSubjectId(subject),
                permission, resource, "twirp");
    }

    private GrantSet grantsOf(Identity holder, Secret token) {
        try {
            return authorizer.grantsOf(holder, Optional.of(token));
        } catch (GatewayException e) {
            throw TwirpError.from(e, "subject token", "subject");
        }
    }

    private static Identity authenticated(Caller caller, String why) {
        if (caller.failure().isPresent()) {
            throw TwirpError.from(caller.failure().get(), "the caller's credentials", null);
        }
        if (caller.identity().isAnonymous() && caller.storeFailure().isPresent()) {
            throw TwirpError.from(caller.storeFailure().get(), "the caller's session", null);
        }
        if (caller.identity().isAnonymous()) {
            throw TwirpError.unauthenticated(why + ", but the call is not authenticated: log in, send "
                    + "'Authorization: Bearer <token>', or give the token as subject");
        }
        return caller.identity();
    }

    private static GrantSet callerGrants(Caller caller) {
        if (caller.failure().isPresent()) {
            throw TwirpError.from(caller.failure().get(), "the caller's credentials", null);
        }
        try {
            return caller.grants().get();
        } catch (GatewayException e) {
            throw TwirpError.from(e, "the caller's session", null);
        }
    }

    private boolean isToken(String subject) {
        if (io.renku.gateway.auth.BearerAuthenticator.isJwsShaped(subject)) { // sorted as a Bearer token is
            return true;
        }
        return introspection && !subject.startsWith("gid://") && !authorizer.policyKnows(subject);
    }
}
