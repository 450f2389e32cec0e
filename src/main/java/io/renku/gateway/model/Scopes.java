package io.renku.gateway.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The two scope formats of the second design, parsed into {@link Grant}s and {@link ResourceRef}s.
 *
 * <ul>
 * <li>Option 1: an action and a URI {@code gid://app/Type/id[/Type/id...][/*][?attributes[]=a&attributes[]=b]}.</li>
 * <li>Option 2: one string {@code action:type:id[:type:id...][:*][:attributes[]=a&attributes[]=b]}.</li>
 * </ul>
 * In both, a {@code *} after a complete pair means "everything below", and a {@code *} in the last id position means
 * "every id of that type". A resource is written the same way without the action and without any {@code *}. A
 * type alone ({@code gid://app/Ability}, {@code decide:ability}) names the one resource of that type.
 *
 * <p>Parsing is strict and total: a string that does not fit is refused as a whole (a grant parser answers empty, so a
 * malformed scope grants nothing and the others still count), and no input makes it throw anything but the documented
 * {@link IllegalArgumentException} of {@link #resource}. Written as character loops, not regular expressions, because
 * resources are parsed per request.
 */
public final class Scopes {
    /** The only application name the gateway accepts in {@code gid://} URIs (as in the seed). */
    public static final String GID_PREFIX = "gid://app/";
    static final String ATTRIBUTE_KEY = "attributes[]=";
    static final int MAX_LENGTH = 2048;
    static final int MAX_STEPS = 32;
    private static final int MAX_NAME = 64;
    private static final int MAX_ID = 128;

    private Scopes() {
    }

    /** An Option 1 grant: {@code action} applied to the {@code gid://app/...} URI. Empty when either is malformed. */
    public static Optional<Grant> option1(String action, String gid) {
        if (!isAction(action) || gid == null || gid.length() > MAX_LENGTH || !gid.startsWith(GID_PREFIX)) {
            return Optional.empty();
        }
        return parseGid(gid, true).map(p -> new Grant(action, p.steps, p.below, p.attributes));
    }

    /** An Option 2 grant {@code action:type:id...}. Empty when malformed (including strings such as {@code openid}). */
    public static Optional<Grant> option2(String scope) {
        if (scope == null || scope.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int colon = scope.indexOf(':');
        if (colon < 0 || !isAction(scope.substring(0, colon))) {
            return Optional.empty();
        }
        return parseColons(scope.substring(colon + 1), true)
                .map(p -> new Grant(scope.substring(0, colon), p.steps, p.below, p.attributes));
    }

    /** Either format, told apart by the {@code gid://} prefix; Option 1 needs the action given separately. */
    public static Optional<Grant> grant(String action, String scope) {
        return scope != null && scope.startsWith("gid://") ? option1(action, scope) : option2(scope);
    }

    /**
     * A resource in either form: {@code gid://app/Organization/1/Group/1} or {@code organization:1:group:1}, with
     * attributes as a query or an {@code attributes[]=} suffix.
     *
     * @throws IllegalArgumentException with a message fit for the client when it is malformed
     */
    public static ResourceRef resource(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("resource is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("resource is longer than " + MAX_LENGTH + " characters");
        }
        Optional<Parsed> parsed;
        if (text.startsWith("gid://")) {
            if (!text.startsWith(GID_PREFIX)) {
                throw new IllegalArgumentException("resource must start with " + GID_PREFIX);
            }
            parsed = parseGid(text, false);
        } else {
            parsed = parseColons(text, false);
        }
        return parsed.map(p -> ResourceRef.of(p.steps, p.attributes)).orElseThrow(() -> new IllegalArgumentException(
                "resource must be gid://app/Type/id[/Type/id...] or type:id[:type:id...], optionally with "
                        + "attributes[]=name, and without '*'"));
    }

    /** An action (a permission such as {@code read}): a letter, then letters, digits, {@code _ - .}; at most 64. */
    public static boolean isAction(String action) {
        return isName(action);
    }

    private record Parsed(List<PathStep> steps, boolean below, Set<String> attributes) {
    }

    private static Optional<Parsed> parseGid(String gid, boolean grant) {
        String rest = gid.substring(GID_PREFIX.length());
        Set<String> attributes = Set.of();
        int query = rest.indexOf('?');
        if (query >= 0) {
            Optional<Set<String>> parsed = attributes(rest.substring(query + 1));
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            attributes = parsed.get();
            rest = rest.substring(0, query);
        }
        return steps(split(rest, '/'), grant, attributes);
    }

    private static Optional<Parsed> parseColons(String text, boolean grant) {
        List<String> parts = split(text, ':');
        Set<String> attributes = Set.of();
        if (!parts.isEmpty() && parts.get(parts.size() - 1).startsWith(ATTRIBUTE_KEY)) {
            Optional<Set<String>> parsed = attributes(parts.remove(parts.size() - 1));
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            attributes = parsed.get();
        }
        return steps(parts, grant, attributes);
    }

    private static Optional<Parsed> steps(List<String> parts, boolean grant, Set<String> attributes) {
        boolean below = false;
        if (grant && parts.size() % 2 == 1 && PathStep.ANY_ID.equals(parts.get(parts.size() - 1))) {
            below = true;
            parts = parts.subList(0, parts.size() - 1);
        }
        if (!below && parts.size() == 1 && isName(parts.get(0))) {
            // A type alone names its one instance, such as gid://app/Ability (decide:ability).
            return Optional.of(new Parsed(List.of(new PathStep(parts.get(0), PathStep.SINGLETON)), false, attributes));
        }
        if (parts.isEmpty() || parts.size() % 2 != 0 || parts.size() / 2 > MAX_STEPS) {
            return Optional.empty();
        }
        List<PathStep> steps = new ArrayList<>(parts.size() / 2);
        for (int i = 0; i < parts.size(); i += 2) {
            String type = parts.get(i);
            String id = parts.get(i + 1);
            boolean lastId = i + 2 == parts.size();
            boolean wildcard = grant && lastId && !below && PathStep.ANY_ID.equals(id);
            if (!isName(type) || !(wildcard || isId(id))) {
                return Optional.empty();
            }
            steps.add(new PathStep(type, id));
        }
        return Optional.of(new Parsed(steps, below, attributes));
    }

    /** {@code attributes[]=a&attributes[]=b}: at least one, each a name. */
    private static Optional<Set<String>> attributes(String query) {
        Set<String> names = new LinkedHashSet<>();
        for (String pair : split(query, '&')) {
            if (!pair.startsWith(ATTRIBUTE_KEY) || !isName(pair.substring(ATTRIBUTE_KEY.length()))) {
                return Optional.empty();
            }
            names.add(pair.substring(ATTRIBUTE_KEY.length()));
        }
        return names.isEmpty() ? Optional.empty() : Optional.of(names);
    }

    /** Splits on {@code separator}, keeping empty parts (which no name or id accepts). */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == separator) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    private static boolean isName(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_NAME || !isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isLetter(c) || isDigit(c) || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** Ids are URI-unreserved characters (letters, digits, {@code - . _ ~}), so they read the same in both formats. */
    public static boolean isId(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isLetter(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '~')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
