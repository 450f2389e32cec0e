package io.renku.gateway.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An edge rule's path, such as {@code /api/data/projects/{id}/**}: literal segments, {@code {name}} segments that
 * match any one segment and bind it, and an optional trailing {@code /**} for any number of further segments
 * (including none). It is matched against the normalised, decoded segments the proxy forwards (never the raw path),
 * so no encoding trick makes a path miss the rule. Literals compare ignoring letter case, as the proxy's deny rules
 * do: an upstream that reads {@code /API/Projects/2} as {@code /api/projects/2} must not let the variant pass (a rule
 * only ever refuses, so matching more is the safe side). Bound values keep their case: ids compare exactly.
 */
public final class PathTemplate {
    private final String text;
    private final List<String> segments;
    private final boolean rest;
    private final Set<String> variables;

    private PathTemplate(String text, List<String> segments, boolean rest, Set<String> variables) {
        this.text = text;
        this.segments = List.copyOf(segments);
        this.rest = rest;
        this.variables = Set.copyOf(variables);
    }

    /** @throws IllegalArgumentException with what is wrong, for the setting's message */
    public static PathTemplate parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a path template starts with /");
        }
        String body = text;
        boolean rest = false;
        if (body.equals("/**")) {
            return new PathTemplate(text, List.of(), true, Set.of());
        }
        if (body.endsWith("/**")) {
            rest = true;
            body = body.substring(0, body.length() - 3);
        }
        List<String> segments = new ArrayList<>();
        Set<String> variables = new LinkedHashSet<>();
        if (!body.equals("/")) {
            for (String segment : body.substring(1).split("/", -1)) {
                if (segment.isEmpty()) {
                    throw new IllegalArgumentException("empty segment (//) in a path template");
                }
                if (segment.contains("*")) {
                    throw new IllegalArgumentException("'*' is allowed only as a trailing /**");
                }
                if (segment.startsWith("{") || segment.endsWith("}")) {
                    String name = variable(segment);
                    if (!variables.add(name)) {
                        throw new IllegalArgumentException("{" + name + "} appears twice");
                    }
                } else if (segment.contains("{") || segment.contains("}") || segment.contains("%")
                        || segment.contains(";") || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException("a literal segment is plain decoded text without { } % ; "
                            + "or dot segments, was '" + segment + "'");
                }
                segments.add(segment);
            }
        }
        return new PathTemplate(text, segments, rest, variables);
    }

    private static String variable(String segment) {
        if (!(segment.startsWith("{") && segment.endsWith("}")) || segment.length() < 3) {
            throw new IllegalArgumentException("a variable is a whole segment {name}, was '" + segment + "'");
        }
        String name = segment.substring(1, segment.length() - 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '_')) {
                throw new IllegalArgumentException("a variable name is letters, digits and _, was '" + name + "'");
            }
        }
        return name;
    }

    public Set<String> variables() {
        return variables;
    }

    /** The bound variables when {@code path} (decoded segments, without empty ones) matches; empty otherwise. */
    public Optional<Map<String, String>> match(List<String> path) {
        if (path.size() < segments.size() || (!rest && path.size() != segments.size())) {
            return Optional.empty();
        }
        Map<String, String> bound = variables.isEmpty() ? Map.of() : new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String want = segments.get(i);
            String got = path.get(i);
            if (want.startsWith("{")) {
                bound.put(want.substring(1, want.length() - 1), got);
            } else if (!want.equalsIgnoreCase(got)) {
                return Optional.empty();
            }
        }
        return Optional.of(bound);
    }

    @Override
    public String toString() {
        return text;
    }
}
