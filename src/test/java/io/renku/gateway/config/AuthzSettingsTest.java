package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** authz.* settings: defaults, and one row per bad rule with the setting its message must name. */
class AuthzSettingsTest {
    private static AuthzSettings read(Map<String, String> values) {
        return AuthzSettings.read(new SettingReader(new SettingsSource(n -> null, n -> null, values::get)));
    }

    @Test
    void defaultsAreTheScopeClaimNoPolicyAndNoRules() {
        AuthzSettings settings = read(Map.of());
        assertEquals(List.of("scope"), settings.scopeClaims());
        assertEquals(Optional.empty(), settings.policyFile());
        assertTrue(settings.rules().isEmpty());
        assertEquals(List.of("scope", "authz"), read(Map.of("authz.scopeClaim", "scope, authz")).scopeClaims());
    }

    @Test
    void aRuleReadsItsFourSettings() {
        AuthzSettings.EdgeRule rule = read(Map.of("authz.rules", "p", "authz.rules.p.path", "/api/data/p/{id}/**",
                "authz.rules.p.methods", "get, post", "authz.rules.p.permission", "auto",
                "authz.rules.p.resource", "project:{id}")).rules().get(0);
        assertTrue(rule.appliesTo("GET") && rule.appliesTo("POST") && !rule.appliesTo("DELETE"));
        assertEquals("read", rule.permissionFor("HEAD"));
        assertEquals("write", rule.permissionFor("POST"));
        assertEquals("gid://app/project/7", rule.resource().resolve(Map.of("id", "7")).orElseThrow().toString());
        assertTrue(rule.resource().resolve(Map.of("id", "7:issue:1")).isEmpty(), "a value cannot add steps");
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', textBlock = """
        authz.rules.p.path       | api/data/{id}
        authz.rules.p.path       | /api/data/{id}/*
        authz.rules.p.path       | /api/data/{id}{x}
        authz.rules.p.path       | /api/data/{id}/{id}
        authz.rules.p.path       | /api//data/{id}
        authz.rules.p.path       | /api/data/%2F/{id}
        authz.rules.p.path       | ''
        authz.rules.p.permission | read write
        authz.rules.p.permission | ''
        authz.rules.p.resource   | gid://app/Project/{other}
        authz.rules.p.resource   | gid://app/{id}/1
        authz.rules.p.resource   | gid://app/Project/x{id}
        authz.rules.p.resource   | gid://app/Project/{id}/*
        authz.rules.p.resource   | ''
        authz.rules.p.methods    | GET,P-OST
        authz.rules              | p,p
        """)
    void aBadRuleStopsTheDeploymentNamingTheSetting(String setting, String value) {
        Map<String, String> values = new HashMap<>(Map.of("authz.rules", "p", "authz.rules.p.path", "/api/data/{id}",
                "authz.rules.p.permission", "read", "authz.rules.p.resource", "gid://app/Project/{id}"));
        values.put(setting, value);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> read(values));
        assertEquals(setting, e.setting(), e.getMessage());
    }
}
