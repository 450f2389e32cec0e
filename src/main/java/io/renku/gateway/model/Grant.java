package io.renku.gateway.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One permission, whichever format it was written in: an action ({@code read}), a path of {@code (type, id)} steps,
 * whether it covers what lies strictly below the path instead of the path's own resource, and the attributes it is
 * limited to (empty: all). Both scope formats parse into this ({@link Scopes}); deciding never looks at a string.
 *
 * <p>Semantics (the README's table):
 * <ul>
 * <li>A path of two or more steps is anchored: it names the resource reached from the root by exactly those steps.
 * A path of one step is a short circuit: that type and id wherever it sits ({@code Project/1} is also
 * {@code Organization/1/Group/1/Project/1}). A longer grant never allows a shorter spelling of a resource, because
 * the gateway does not know the hierarchy and must not widen a grant.</li>
 * <li>{@code below} ({@code .../*}): every resource strictly below the named one, at any depth, not the named one.</li>
 * <li>A last step whose id is {@code *} ({@code organization:1:group:*}): every id of that type at that place, and
 * what lies below each.</li>
 * <li>Attributes: the grant allows a request for a non-empty subset of them, never the resource as a whole; a grant
 * without attributes allows the resource as a whole and any of its attributes.</li>
 * </ul>
 */
public record Grant(String action, List<PathStep> path, boolean below, Set<String> attributes) {
    public Grant {
        Objects.requireNonNull(action, "action");
        path = List.copyOf(path);
        attributes = Set.copyOf(attributes);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a grant names at least one (type, id) pair");
        }
        for (int i = 0; i < path.size() - 1; i++) {
            if (path.get(i).anyId()) {
                throw new IllegalArgumentException("only the last id of a grant may be '*'");
            }
        }
        if (below && path.get(path.size() - 1).anyId()) {
            throw new IllegalArgumentException("a '*' id already covers what lies below; '*:*' is not a grant");
        }
    }

    /** The grant's own last step: the index key of {@link GrantSet}. */
    public PathStep last() {
        return path.get(path.size() - 1);
    }

    public boolean shortCircuit() {
        return path.size() == 1;
    }

    /** Whether this grant lets its holder do {@code requested} to {@code resource}. */
    public boolean allows(String requested, ResourceRef resource) {
        if (!action.equals(requested)) {
            return false;
        }
        List<PathStep> target = resource.path();
        if (shortCircuit()) {
            for (int at = 0; at < target.size(); at++) {
                if (reaches(target, at, resource)) {
                    return true;
                }
            }
            return false;
        }
        if (target.size() < path.size()) {
            return false;
        }
        for (int i = 0; i < path.size(); i++) {
            if (!path.get(i).names(target.get(i))) {
                return false;
            }
        }
        return reaches(target, path.size() - 1, resource);
    }

    /** The grant's last step is aligned with {@code target[at]}: does its reach (self, below) and attributes fit? */
    private boolean reaches(List<PathStep> target, int at, ResourceRef resource) {
        if (!last().names(target.get(at))) {
            return false;
        }
        boolean itself = at == target.size() - 1;
        boolean reach = below ? !itself : itself || last().anyId();
        return reach && attributesAllow(resource.attributes());
    }

    private boolean attributesAllow(Set<String> requested) {
        return attributes.isEmpty() || (!requested.isEmpty() && attributes.containsAll(requested));
    }
}
