package io.renku.gateway.proxy;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Route;
import io.renku.gateway.model.Secret;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Adds the caller's credentials to a forwarded request in the form the route's upstream expects (the Go gateway's
 * contract for the Renku services). Runs after {@link RequestHeaderPolicy} has removed every client-sent header of the
 * same names, so what the upstream reads is always the gateway's word. Values are read from {@link Secret}s only
 * here and are never logged.
 */
public final class CredentialInjector {
    public static final String AUTHORIZATION = "Authorization";
    public static final String REFRESH_TOKEN = "Renku-Auth-Refresh-Token";
    public static final String ANON_ID = "Renku-Auth-Anon-Id";
    public static final String GITLAB_TOKEN = "Gitlab-Access-Token";
    public static final String GITLAB_EXPIRES_AT = "Gitlab-Access-Token-Expires-At";

    private CredentialInjector() {
    }

    /** 401 when the route needs a logged-in caller and {@code credentials} has none. */
    public static void checkAccess(Route route, Optional<UpstreamCredentials> credentials) {
        if (route.access() == Route.Access.SESSION_REQUIRED
                && !credentials.map(UpstreamCredentials::authenticated).orElse(false)) {
            throw new GatewayException(ErrorKind.UNAUTHORIZED, "Log in to use " + route.prefix());
        }
    }

    /** Calls {@code setHeader} once per header to inject for {@code route}. */
    public static void inject(Route.Credentials kind, Optional<UpstreamCredentials> credentials,
            BiConsumer<String, String> setHeader) {
        if (kind == Route.Credentials.NONE || credentials.isEmpty()) {
            return;
        }
        UpstreamCredentials c = credentials.get();
        Optional<Secret> access = nonEmpty(c.accessToken());
        access.ifPresent(token -> setHeader.accept(AUTHORIZATION, "Bearer " + token.reveal()));
        if (kind != Route.Credentials.RENKU_BEARER) {
            return;
        }
        nonEmpty(c.refreshToken()).ifPresent(token -> setHeader.accept(REFRESH_TOKEN, token.reveal()));
        Optional<Secret> gitlab = nonEmpty(c.gitlabToken());
        gitlab.ifPresent(token -> setHeader.accept(GITLAB_TOKEN, token.reveal()));
        if (gitlab.isPresent()) {
            c.gitlabExpiresAt().ifPresent(at -> setHeader.accept(GITLAB_EXPIRES_AT, Long.toString(at.getEpochSecond())));
        }
        if (access.isEmpty()) {
            c.anonymousId().filter(id -> !id.isBlank())
                    .ifPresent(id -> setHeader.accept(ANON_ID, id.startsWith("anon-") ? id : "anon-" + id));
        }
    }

    private static Optional<Secret> nonEmpty(Optional<Secret> secret) {
        return secret.filter(s -> !s.isEmpty());
    }
}
