package io.renku.gateway.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The resource a decision is about: a path of concrete {@code (type, id)} steps, and the attributes asked for (empty:
 * the resource as a whole). Parsed from either format by {@link Scopes#resource}.
 */
public record ResourceRef(List<PathStep> path, Set<String> attributes) {
    public ResourceRef {
        path = List.copyOf(path);
        attributes = Set.copyOf(attributes);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a resource names at least one (type, id) pair");
        }
        if (path.stream().anyMatch(PathStep::anyId)) {
            throw new IllegalArgumentException("a resource names concrete ids, not '*'");
        }
    }

    /** The resource's own step (the last one). */
    public PathStep last() {
        return path.get(path.size() - 1);
    }

    /** The canonical Option 1 spelling, for logs and messages ({@code gid://app/organization/1?attributes[]=name}). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(Scopes.GID_PREFIX);
        for (int i = 0; i < path.size(); i++) {
            out.append(i == 0 ? "" : "/").append(path.get(i).type());
            if (!path.get(i).id().isEmpty()) {
                out.append('/').append(path.get(i).id());
            }
        }
        String separator = "?";
        for (String attribute : attributes.stream().sorted().toList()) {
            out.append(separator).append(Scopes.ATTRIBUTE_KEY).append(attribute);
            separator = "&";
        }
        return out.toString();
    }

    static ResourceRef of(List<PathStep> path, Set<String> attributes) {
        return new ResourceRef(Objects.requireNonNull(path, "path"), Objects.requireNonNull(attributes, "attributes"));
    }
}
