package io.renku.gateway.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.AuthzSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.errors.GatewayException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which edge rule decides a request, judged on the proxy's normalised segments: one row per path, including the
 * encoding tricks that must still meet the rule ({@code %2F}, {@code ;params}, escaped letters, repeated slashes).
 */
class EdgeRulesTest {
    private static final Map<String, String> SETTINGS = Map.ofEntries(
            Map.entry("authz.rules", "secret,projects,groups"),
            Map.entry("authz.rules.secret.path", "/api/data/projects/{id}/secret"),
            Map.entry("authz.rules.secret.permission", "admin"),
            Map.entry("authz.rules.secret.resource", "gid://app/Project/{id}"),
            Map.entry("authz.rules.projects.path", "/api/data/projects/{id}/**"),
            Map.entry("authz.rules.projects.permission", "auto"),
            Map.entry("authz.rules.projects.resource", "gid://app/Project/{id}"),
            Map.entry("authz.rules.groups.path", "/api/data/orgs/{org}/groups/{group}"),
            Map.entry("authz.rules.groups.methods", "get,delete"),
            Map.entry("authz.rules.groups.permission", "read"),
            Map.entry("authz.rules.groups.resource", "organization:{org}:group:{group}:attributes[]=name"));

    private static final EdgeRules RULES = new EdgeRules(AuthzSettings.read(new SettingReader(
            new SettingsSource(n -> null, n -> null, SETTINGS::get))).rules());

    @ParameterizedTest(name = "{0} {1} -> {2} {3} {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        GET    | /api/data/projects/1                       | projects | read   | gid://app/project/1
        GET    | /api/data/projects/1/files/a               | projects | read   | gid://app/project/1
        POST   | /api/data/projects/1/files                 | projects | write  | gid://app/project/1
        HEAD   | /api/data/projects/1                       | projects | read   | gid://app/project/1
        GET    | /api/data/projects/1/secret                | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects/1/secret/               | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects/1/sec%72et              | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects/1/secret;jsessionid=x   | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects/1;v=2/secret            | secret   | admin  | gid://app/project/1
        GET    | /api/data//projects/1//secret              | secret   | admin  | gid://app/project/1
        GET    | /api/data%2Fprojects%2F1%2Fsecret          | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects%2F1/secret              | secret   | admin  | gid://app/project/1
        GET    | /api/%64ata/projects/1/secret              | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects/%31                     | projects | read   | gid://app/project/1
        GET    | /api/data/projects/1%3Aissue%3A5/x         | projects | read   | -
        GET    | /api/data/projects/a%20b                   | projects | read   | -
        GET    | /api/data/PROJECTS/1/Secret                | secret   | admin  | gid://app/project/1
        GET    | /api/data/projects/1/secret%3Bx            | secret   | admin  | gid://app/project/1
        GET    | /api/data/orgs/1/groups/2                  | groups   | read   | gid://app/organization/1/group/2?attributes[]=name
        DELETE | /api/data/orgs/1/groups/2                  | groups   | read   | gid://app/organization/1/group/2?attributes[]=name
        """)
    void theFirstMatchingRuleDecides(String method, String path, String rule, String permission, String resource) {
        EdgeRules.Requirement need = RULES.requirement(method, PathSegments.forwarded().of(path)).orElseThrow();
        assertEquals(rule, need.rule().id());
        assertEquals(permission, need.permission());
        assertEquals(Optional.ofNullable(resource), need.resource().map(Object::toString),
                "a bound value that is no valid id names no resource (the filter then refuses)");
    }

    @ParameterizedTest(name = "{0} {1} -> no rule")
    @CsvSource(delimiter = '|', textBlock = """
        GET    | /api/data/projects
        GET    | /api/data/projectsx/1
        POST   | /api/data/orgs/1/groups/2
        GET    | /api/data/orgs/1/groups/2/x
        GET    | /ui/api/data/projects/1
        """)
    void otherRequestsMeetNoRule(String method, String path) {
        assertTrue(RULES.requirement(method, PathSegments.forwarded().of(path)).isEmpty());
    }

    @ParameterizedTest(name = "{0} is refused like the proxy refuses it")
    @CsvSource(delimiter = '|', textBlock = """
        /api/data/projects/1/%2e%2e/2/secret
        /api/data/projects/1/..%2F2
        /api/data/projects/1\\secret
        /api/data/projects/1%5Csecret
        /api/data/projects/1%00
        """)
    void pathsTheProxyRefusesAreRefusedHere(String path) {
        GatewayException e = assertThrows(GatewayException.class, () -> PathSegments.forwarded().of(path));
        assertEquals(400, e.kind().status());
    }
}
