package dev.portoser.registry;

import dev.portoser.registry.internal.Patterns;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A named set of services deployed together ({@code portoser deploy --group NAME}).
 *
 * <p>Membership is the union of the list under {@code groups:} and every service whose {@code group:} names it.
 * Instances are immutable and thread-safe.
 *
 * @param name the key under {@code groups:}
 * @param members the member service names, sorted
 */
public record Group(
        @NotNull @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE) String name,
        SortedSet<String> members) {

    /**
     * Copies the members into an unmodifiable sorted set.
     *
     * @param members the members
     * @param name the name
     */
    public Group {
        members = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNullElse(members, new TreeSet<>())));
    }
}
