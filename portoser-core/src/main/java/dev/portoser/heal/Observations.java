package dev.portoser.heal;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the {@link Observer} saw of one service at one moment. Immutable and thread-safe.
 *
 * @param service the service's name
 * @param machine its machine's name
 * @param time when it was seen
 * @param items the observations, in the order they were made
 */
public record Observations(String service, String machine, Instant time, List<Observation> items) {

    /**
     * Checks the components and copies the list.
     *
     * @param service the service's name
     * @param machine its machine's name
     * @param time when it was seen
     * @param items the observations, in the order they were made
     */
    public Observations {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(time, "time == null");
        items = List.copyOf(items);
    }

    /**
     * The observations of one kind.
     *
     * @param kind the record type
     * @param <T> the type
     * @return them, in order
     */
    public <T extends Observation> List<T> all(Class<T> kind) {
        return items.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * The first observation of one kind.
     *
     * @param kind the record type
     * @param <T> the type
     * @return it, if made
     */
    public <T extends Observation> Optional<T> first(Class<T> kind) {
        return items.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /**
     * Whether the machine answered.
     *
     * @return false only when a {@link Observation.Reachability} observation says it did not answer
     */
    public boolean reachable() {
        return first(Observation.Reachability.class).map(Observation.Reachability::reachable).orElse(true);
    }

    /**
     * The log lines seen, or none.
     *
     * @return the lines of the first {@link Observation.LogTail}, or an empty list when no log was read
     */
    public List<String> logLines() {
        return first(Observation.LogTail.class).map(Observation.LogTail::lines).orElse(List.of());
    }
}
