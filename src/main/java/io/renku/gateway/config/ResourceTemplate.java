package io.renku.gateway.config;

import io.renku.gateway.model.PathStep;
import io.renku.gateway.model.ResourceRef;
import io.renku.gateway.model.Scopes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An edge rule's resource, such as {@code gid://app/Project/{id}}, in either format, where ids may be {@code {name}}
 * variables bound by the rule's path. The resource is built step by step, never by pasting text into a scope string:
 * a bound value must be a valid id on its own, so a path segment such as {@code 1:issue:5} cannot add steps to the
 * resource and reach a grant it should not.
 */
public final class ResourceTemplate {
    private static final String SENTINEL = "zzvar";

    private final String text;
    /** Per step: the type, and either a fixed id or the variable's name. */
    private final List<String[]> steps;
    private final Set<String> attributes;

    private ResourceTemplate(String text, List<String[]> steps, Set<String> attributes) {
        this.text = text;
        this.steps = List.copyOf(steps);
        this.attributes = Set.copyOf(attributes);
    }

    /** @throws IllegalArgumentException when it is not a resource of either format once variables are ids */
    public static ResourceTemplate parse(String text, Set<String> variables) {
        List<String> names = new ArrayList<>();
        StringBuilder probe = new StringBuilder();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf('{', at);
            if (open < 0) {
                probe.append(text, at, text.length());
                break;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed { in the resource template");
            }
            String name = text.substring(open + 1, close);
            if (!variables.contains(name)) {
                throw new IllegalArgumentException("{" + name + "} is not a variable of the rule's path "
                        + variables);
            }
            probe.append(text, at, open).append(SENTINEL).append(names.size()).append(SENTINEL);
            names.add(name);
            at = close + 1;
        }
        ResourceRef parsed = Scopes.resource(probe.toString());
        List<String[]> steps = new ArrayList<>();
        for (PathStep step : parsed.path()) {
            String id = step.id();
            if (id.startsWith(SENTINEL) && id.endsWith(SENTINEL) && id.length() > 2 * SENTINEL.length()) {
                String index = id.substring(SENTINEL.length(), id.length() - SENTINEL.length());
                steps.add(new String[] {step.type(), null, names.get(Integer.parseInt(index))});
            } else if (id.contains(SENTINEL)) {
                throw new IllegalArgumentException("a variable is a whole id, as in Project/{id}");
            } else {
                steps.add(new String[] {step.type(), id, null});
            }
        }
        if (steps.stream().anyMatch(s -> s[0].contains(SENTINEL))) {
            throw new IllegalArgumentException("a variable stands for an id, not a type");
        }
        return new ResourceTemplate(text, steps, parsed.attributes());
    }

    /** The resource for these bound variables; empty when a value is not a valid id (the rule then denies). */
    public Optional<ResourceRef> resolve(Map<String, String> bound) {
        List<PathStep> path = new ArrayList<>(steps.size());
        for (String[] step : steps) {
            String id = step[1] != null ? step[1] : bound.get(step[2]);
            if (!Scopes.isId(id)) {
                return Optional.empty();
            }
            path.add(new PathStep(step[0], id));
        }
        return Optional.of(new ResourceRef(path, attributes));
    }

    @Override
    public String toString() {
        return text;
    }
}
