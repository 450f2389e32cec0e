package io.renku.gateway.authz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.model.GrantSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One version of the declarative policy file: grants per subject (a {@code gid://} id or a token's {@code sub}), in
 * either scope format, and the {@code deciders} allowed to ask about other subjects.
 *
 * <pre>
 * {"subjects": {"gid://User/17": {"read": ["gid://app/Organization/1/*"]}, "7f3c...": ["read:project:1"]},
 *  "deciders": ["service-account-data-service"]}
 * </pre>
 *
 * Parsing is strict about the file's shape (a typo should stop a deployment, not silently grant nothing) but a
 * malformed scope inside a valid shape grants nothing, as everywhere else.
 */
record Policy(Map<String, GrantSet> subjects, Set<String> deciders) {
    static final Policy EMPTY = new Policy(Map.of(), Set.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    Policy {
        subjects = Map.copyOf(subjects);
        deciders = Set.copyOf(deciders);
    }

    GrantSet grantsOf(String subject) {
        return subjects.getOrDefault(subject, GrantSet.empty());
    }

    boolean knows(String subject) {
        return subjects.containsKey(subject);
    }

    /** @throws IllegalArgumentException saying what is wrong with the text (never echoing it whole) */
    static Policy parse(String text) {
        Object root;
        try {
            root = JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage() + " at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()));
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("the top level must be an object with \"subjects\" and \"deciders\"");
        }
        for (Object key : top.keySet()) {
            if (!"subjects".equals(key) && !"deciders".equals(key)) {
                throw new IllegalArgumentException("unknown member \"" + key + "\" (allowed: subjects, deciders)");
            }
        }
        Map<String, GrantSet> subjects = new HashMap<>();
        Object subjectsValue = top.get("subjects");
        if (subjectsValue != null) {
            if (!(subjectsValue instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("\"subjects\" must be an object of subject -> grants");
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Object grants = entry.getValue();
                if (!(grants instanceof Map<?, ?> || grants instanceof List<?>)) {
                    throw new IllegalArgumentException("the grants of \"" + entry.getKey() + "\" must be an object "
                            + "{\"read\": [\"gid://app/...\"]} or an array [\"read:type:id\"]");
                }
                subjects.put((String) entry.getKey(), GrantSet.fromClaim(grants));
            }
        }
        Set<String> deciders = new LinkedHashSet<>();
        Object decidersValue = top.get("deciders");
        if (decidersValue != null) {
            if (!(decidersValue instanceof List<?> list) || list.stream().anyMatch(d -> !(d instanceof String))) {
                throw new IllegalArgumentException("\"deciders\" must be an array of subject strings");
            }
            list.forEach(d -> deciders.add((String) d));
        }
        return new Policy(subjects, deciders);
    }
}
