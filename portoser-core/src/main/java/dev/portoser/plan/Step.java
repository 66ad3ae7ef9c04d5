package dev.portoser.plan;

import dev.portoser.registry.ServiceType;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One action on one service on one machine, with what it waits for and why it is in the plan.
 * Instances are immutable and thread-safe.
 *
 * @param id unique within the plan, such as {@code deploy:api@app}
 * @param action what it does
 * @param service the service's name
 * @param machine the machine it acts on
 * @param fromMachine for {@link Action#MIGRATE}, the machine the service moves away from; otherwise null
 * @param type the service's type
 * @param waitsFor ids of the steps that must succeed first, sorted
 * @param healthGates services whose health checks must pass before this step starts (its dependencies), sorted
 * @param reason why the step is in the plan: {@code requested}, {@code needed by api}, ...
 * @param wave how many steps stand before it on the longest chain (0 for steps that wait for nothing)
 * @param port the port chosen for a {@code port: auto} service, or null
 */
public record Step(String id, Action action, String service, String machine, @Nullable String fromMachine,
                   ServiceType type, List<String> waitsFor, List<String> healthGates, String reason, int wave,
                   @Nullable Integer port) {

    /**
     * Checks the required components and copies the lists.
     *
     * @param id the id
     * @param action the action
     * @param service the service
     * @param machine the machine
     * @param type the type
     * @param reason the reason
     * @param waitsFor the steps it waits for
     * @param fromMachine the machine it moves from
     * @param healthGates the health gates
     * @param port the port
     * @param wave the wave
     */
    public Step {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(action, "action == null");
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(type, "type == null");
        Objects.requireNonNull(reason, "reason == null");
        waitsFor = List.copyOf(waitsFor);
        healthGates = List.copyOf(healthGates);
        if (wave < 0) {
            throw new IllegalArgumentException("wave must be >= 0, was " + wave);
        }
    }

    /**
     * The id a step for {@code action} on {@code service} at {@code machine} has: {@code deploy:api@app}.
     *
     * @param action the action
     * @param service the service
     * @param machine the machine
     * @return the id a step for {@code action} on {@code service} at {@code machine} has: {@code deploy:api@app}
     */
    public static String idOf(Action action, String service, String machine) {
        return action.name().toLowerCase(java.util.Locale.ROOT) + ":" + service + "@" + machine;
    }
}
