package dev.portoser.plan;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What depends on a service: if it goes down, these go with it. Instances are immutable and thread-safe.
 *
 * @param service the service asked about
 * @param direct services that list it in {@code depends_on}, sorted
 * @param transitive every service that depends on it directly or through others, sorted
 * @param byMachine the transitive dependents grouped by the machine they run on, both sorted
 */
public record Impact(String service, List<String> direct, List<String> transitive,
                     SortedMap<String, List<String>> byMachine) {

    /**
     * Copies the collections.
     *
     * @param service the service
     * @param direct the services that depend on it directly
     * @param transitive the services that depend on it through others
     * @param byMachine the entries, by machine
     */
    public Impact {
        Objects.requireNonNull(service, "service == null");
        direct = List.copyOf(direct);
        transitive = List.copyOf(transitive);
        TreeMap<String, List<String>> copy = new TreeMap<>();
        byMachine.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        byMachine = Collections.unmodifiableSortedMap(copy);
    }

    /**
     * The impact as text, one machine per line.
     *
     * @return the impact as text, one machine per line
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (transitive.isEmpty()) {
            return "Nothing depends on " + service + ".\n";
        }
        sb.append(transitive.size()).append(transitive.size() == 1 ? " service depends" : " services depend")
                .append(" on ").append(service).append(" (directly: ").append(String.join(", ", direct))
                .append(")\n");
        byMachine.forEach((machine, services) ->
                sb.append("  ").append(machine).append(": ").append(String.join(", ", services)).append('\n'));
        return sb.toString();
    }
}
