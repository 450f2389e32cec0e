package io.renku.gateway.authz;

import io.renku.gateway.config.AuthzSettings.EdgeRule;
import io.renku.gateway.model.ResourceRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The edge rules in their order, and which one decides a request: the first whose path template matches the
 * normalised segments and whose methods include the request's. Plain Java, so a unit test drives it without a
 * container.
 */
public final class EdgeRules {
    /** What a matching rule asks of the caller; {@code resource} is empty when a bound id is not a valid id. */
    public record Requirement(EdgeRule rule, String permission, Optional<ResourceRef> resource) {
        public Requirement {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(permission, "permission");
            Objects.requireNonNull(resource, "resource");
        }
    }

    private final List<EdgeRule> rules;

    public EdgeRules(List<EdgeRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public Optional<Requirement> requirement(String method, List<String> segments) {
        for (EdgeRule rule : rules) {
            if (!rule.appliesTo(method)) {
                continue;
            }
            Optional<Map<String, String>> bound = rule.path().match(segments);
            if (bound.isPresent()) {
                return Optional.of(new Requirement(rule, rule.permissionFor(method),
                        rule.resource().resolve(bound.get())));
            }
        }
        return Optional.empty();
    }
}
