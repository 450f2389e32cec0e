package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Route;
import io.renku.gateway.model.Route.Credentials;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each route's upstream receives, per caller kind; one row per (credentials kind, caller). */
class CredentialInjectorTest {
    record Caller(Optional<Secret> accessToken, Optional<Secret> refreshToken, Optional<Secret> gitlabToken,
            Optional<Instant> gitlabExpiresAt, Optional<String> anonymousId) implements UpstreamCredentials {
    }

    private static final Caller LOGGED_IN = new Caller(Optional.of(Secret.of("at")), Optional.of(Secret.of("rt")),
            Optional.of(Secret.of("gl")), Optional.of(Instant.ofEpochSecond(1_700_000_000)), Optional.empty());
    private static final Caller LOGGED_IN_NO_GITLAB = new Caller(Optional.of(Secret.of("at")),
            Optional.of(Secret.of("rt")), Optional.empty(), Optional.of(Instant.ofEpochSecond(1)), Optional.empty());
    private static final Caller ANONYMOUS = new Caller(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.of("4f2a"));

    static Stream<Arguments> rows() {
        Map<String, String> full = new LinkedHashMap<>();
        full.put("Authorization", "Bearer at");
        full.put("Renku-Auth-Refresh-Token", "rt");
        full.put("Gitlab-Access-Token", "gl");
        full.put("Gitlab-Access-Token-Expires-At", "1700000000");
        return Stream.of(
                Arguments.of(Credentials.RENKU_BEARER, LOGGED_IN, full),
                Arguments.of(Credentials.RENKU_BEARER, LOGGED_IN_NO_GITLAB,
                        Map.of("Authorization", "Bearer at", "Renku-Auth-Refresh-Token", "rt")),
                Arguments.of(Credentials.RENKU_BEARER, ANONYMOUS, Map.of("Renku-Auth-Anon-Id", "anon-4f2a")),
                Arguments.of(Credentials.RENKU_BEARER, null, Map.of()),
                Arguments.of(Credentials.BEARER_ONLY, LOGGED_IN, Map.of("Authorization", "Bearer at")),
                Arguments.of(Credentials.BEARER_ONLY, ANONYMOUS, Map.of()),
                Arguments.of(Credentials.NONE, LOGGED_IN, Map.of()),
                Arguments.of(Credentials.NONE, ANONYMOUS, Map.of()));
    }

    @ParameterizedTest(name = "{0} for {1}")
    @MethodSource("rows")
    void routeCredentialsDecideWhatIsInjected(Credentials kind, Caller caller, Map<String, String> expected) {
        Map<String, String> injected = new LinkedHashMap<>();
        CredentialInjector.inject(kind, Optional.ofNullable(caller), injected::put);
        assertEquals(expected, injected);
    }

    @Test
    void sessionRequiredRouteRefusesAnonymousCallersWith401() {
        Route route = Route.forward("/api/private", URI.create("http://x"), Credentials.RENKU_BEARER)
                .requiringSession();
        assertEquals(ErrorKind.UNAUTHORIZED, assertThrows(GatewayException.class,
                () -> CredentialInjector.checkAccess(route, Optional.empty())).kind());
        assertThrows(GatewayException.class, () -> CredentialInjector.checkAccess(route, Optional.of(ANONYMOUS)));
        CredentialInjector.checkAccess(route, Optional.of(LOGGED_IN));
    }
}
