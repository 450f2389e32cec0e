package io.renku.gateway.model;

import java.util.Locale;
import java.util.Objects;

/**
 * One {@code (type, id)} pair of a resource path, such as {@code Organization/1}. Types compare case-insensitively, so
 * the type is kept lower-cased; ids compare exactly. In a {@link Grant} the id of the last step may be
 * {@link #ANY_ID}: every id of that type.
 */
public record PathStep(String type, String id) {
    public static final String ANY_ID = "*";
    /** The id of a type that has one instance, written without an id ({@code gid://app/Ability}). */
    public static final String SINGLETON = "";

    public PathStep {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        type = type.toLowerCase(Locale.ROOT);
    }

    public boolean anyId() {
        return ANY_ID.equals(id);
    }

    /** Whether this step of a grant names {@code concrete}, a step of a resource (whose id is never a wildcard). */
    boolean names(PathStep concrete) {
        return type.equals(concrete.type) && (anyId() || id.equals(concrete.id));
    }
}
