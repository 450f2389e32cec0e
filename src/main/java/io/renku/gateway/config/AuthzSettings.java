package io.renku.gateway.config;

import io.renku.gateway.model.Scopes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Authorization: where a caller's grants come from (the token claim {@code authz.scopeClaim}, or several claims
 * separated by commas whose grants add up, so an Option 1 object and OAuth's {@code scope} can both count; the policy file
 * {@code authz.policyFile}) and the edge rules ({@code authz.rules}) that decide before any upstream is contacted.
 */
public record AuthzSettings(List<String> scopeClaims, Optional<Path> policyFile, Duration policyCheckInterval,
        List<EdgeRule> rules) {
    public static final String SCOPE_CLAIM = "authz.scopeClaim";
    public static final String POLICY_FILE = "authz.policyFile";
    public static final String POLICY_CHECK_SECONDS = "authz.policyFileCheckSeconds";
    public static final String RULES = "authz.rules";
    /** The permission that means "read for GET, HEAD, OPTIONS; write otherwise". */
    public static final String AUTO = "auto";

    public AuthzSettings {
        scopeClaims = List.copyOf(scopeClaims);
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(policyCheckInterval, "policyCheckInterval");
        rules = List.copyOf(rules);
    }

    /**
     * One rule: requests whose normalised path matches {@code path} and whose method is in {@code methods} (empty:
     * all) need {@code permission} ({@link #AUTO}: by method) on {@code resource}.
     */
    public record EdgeRule(String id, PathTemplate path, Set<String> methods, String permission,
            ResourceTemplate resource) {
        public EdgeRule {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(path, "path");
            methods = Set.copyOf(methods);
            Objects.requireNonNull(permission, "permission");
            Objects.requireNonNull(resource, "resource");
        }

        public boolean appliesTo(String method) {
            return methods.isEmpty() || methods.contains(method);
        }

        /** The action this request needs. */
        public String permissionFor(String method) {
            if (!AUTO.equals(permission)) {
                return permission;
            }
            return switch (method) {
                case "GET", "HEAD", "OPTIONS" -> "read";
                default -> "write";
            };
        }
    }

    public static AuthzSettings read(SettingReader reader) {
        List<String> claims = reader.list(SCOPE_CLAIM, List.of("scope"));
        if (claims.isEmpty()) {
            throw SettingReader.invalid(SCOPE_CLAIM, "", "one or more claim names");
        }
        String file = reader.string(POLICY_FILE, "");
        Optional<Path> policy = file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file));
        Duration check = Duration.ofSeconds(reader.number(POLICY_CHECK_SECONDS, 5, 1, 3600));
        List<EdgeRule> rules = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (String id : reader.list(RULES, List.of())) {
            if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
                throw SettingReader.invalid(RULES, id, "a list of rule ids (letters, digits, _ and -)");
            }
            if (!ids.add(id)) {
                throw SettingReader.invalid(RULES, id, "a list of distinct rule ids");
            }
            rules.add(rule(reader, id));
        }
        return new AuthzSettings(claims, policy, check, rules);
    }

    private static EdgeRule rule(SettingReader reader, String id) {
        String base = RULES + "." + id + ".";
        String pathText = reader.required(base + "path");
        PathTemplate path;
        try {
            path = PathTemplate.parse(pathText);
        } catch (IllegalArgumentException e) {
            throw SettingReader.invalid(base + "path", pathText, "a path template such as "
                    + "/api/data/projects/{id}/** (" + e.getMessage() + ")");
        }
        Set<String> methods = new LinkedHashSet<>();
        for (String method : reader.list(base + "methods", List.of())) {
            String upper = method.toUpperCase(Locale.ROOT);
            if (!upper.matches("[A-Z]{1,20}")) {
                throw SettingReader.invalid(base + "methods", method, "HTTP method names such as GET,POST");
            }
            methods.add(upper);
        }
        String permission = reader.required(base + "permission");
        if (!AUTO.equals(permission) && !Scopes.isAction(permission)) {
            throw SettingReader.invalid(base + "permission", permission, "'auto' or an action such as read");
        }
        String resourceText = reader.required(base + "resource");
        ResourceTemplate resource;
        try {
            resource = ResourceTemplate.parse(resourceText, path.variables());
        } catch (IllegalArgumentException e) {
            throw SettingReader.invalid(base + "resource", resourceText, "a resource such as gid://app/Project/{id}"
                    + " or project:{id} whose variables come from the path (" + e.getMessage() + ")");
        }
        return new EdgeRule(id, path, methods, permission, resource);
    }
}
