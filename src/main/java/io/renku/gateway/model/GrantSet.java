package io.renku.gateway.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grants of one subject, indexed by action and by the grant's last step, so a decision looks only at the grants
 * that could name one of the resource's steps: a few map lookups per step, whatever the number of grants. Immutable;
 * build it once per token ({@link #fromClaim}) and keep it.
 */
public final class GrantSet {
    private static final GrantSet EMPTY = new GrantSet(List.of());

    private final List<Grant> grants;
    private final Map<String, Map<PathStep, List<Grant>>> index;

    private GrantSet(Collection<Grant> grants) {
        this.grants = List.copyOf(grants);
        Map<String, Map<PathStep, List<Grant>>> byAction = new HashMap<>();
        for (Grant grant : this.grants) {
            byAction.computeIfAbsent(grant.action(), a -> new HashMap<>())
                    .computeIfAbsent(grant.last(), s -> new ArrayList<>()).add(grant);
        }
        byAction.replaceAll((action, bySteps) -> {
            bySteps.replaceAll((step, list) -> List.copyOf(list));
            return Map.copyOf(bySteps);
        });
        this.index = Map.copyOf(byAction);
    }

    public static GrantSet of(Collection<Grant> grants) {
        return grants.isEmpty() ? EMPTY : new GrantSet(grants);
    }

    public static GrantSet empty() {
        return EMPTY;
    }

    /**
     * The grants of a token claim (or a policy-file entry) in any of the seed's shapes, as plain Java values: an
     * Option 1 object {@code {"read": ["gid://app/...", ...]}} (a {@link Map} of action to a list of URIs, or to one
     * URI), a {@link List} of Option 2 strings, or an OAuth space-separated {@link String} of them. Entries of other
     * shapes ({@code openid}, a number, a malformed scope) are skipped; {@code null} or any other value grants nothing.
     */
    public static GrantSet fromClaim(Object claim) {
        List<Grant> grants = new ArrayList<>();
        if (claim instanceof Map<?, ?> object) {
            for (Map.Entry<?, ?> entry : object.entrySet()) {
                if (!(entry.getKey() instanceof String action)) {
                    continue;
                }
                Object value = entry.getValue();
                List<?> uris = value instanceof List<?> list ? list : value == null ? List.of() : List.of(value);
                for (Object uri : uris) {
                    if (uri instanceof String gid) {
                        Scopes.option1(action, gid).ifPresent(grants::add);
                    }
                }
            }
        } else if (claim instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof String scope) {
                    Scopes.option2(scope).ifPresent(grants::add);
                }
            }
        } else if (claim instanceof String text) {
            for (String scope : text.trim().split("\\s+")) {
                Scopes.option2(scope).ifPresent(grants::add);
            }
        }
        return of(grants);
    }

    public List<Grant> grants() {
        return grants;
    }

    public int size() {
        return grants.size();
    }

    public boolean isEmpty() {
        return grants.isEmpty();
    }

    /** Both sets' grants. */
    public GrantSet with(GrantSet other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Grant> all = new ArrayList<>(grants);
        all.addAll(other.grants);
        return new GrantSet(all);
    }

    /** Whether any grant lets its holder do {@code action} to {@code resource}. */
    public boolean allows(String action, ResourceRef resource) {
        Map<PathStep, List<Grant>> bySteps = index.get(action);
        if (bySteps == null) {
            return false;
        }
        for (PathStep step : resource.path()) {
            if (anyAllows(bySteps.get(step), action, resource)
                    || anyAllows(bySteps.get(new PathStep(step.type(), PathStep.ANY_ID)), action, resource)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyAllows(List<Grant> candidates, String action, ResourceRef resource) {
        if (candidates != null) {
            for (Grant grant : candidates) {
                if (grant.allows(action, resource)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return grants.size() + " grants";
    }
}
