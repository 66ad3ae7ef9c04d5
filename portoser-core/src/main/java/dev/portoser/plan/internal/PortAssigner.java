package dev.portoser.plan.internal;

import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses ports for {@code port: auto} services, without asking the machines.
 *
 * <p>Each service starts from a port derived from its name (so adding or removing other services does not move
 * it) in {@value #FIRST}–{@value #LAST}, below Linux's ephemeral range, and walks up past every port that the
 * registry binds on its machine or that was already chosen there. Machines are filled in name order, so the
 * same registry always gets the same ports. Stateless and thread-safe.
 */
public final class PortAssigner {
    /** The lowest port chosen. */
    public static final int FIRST = 20_000;
    /** The highest port chosen. */
    public static final int LAST = 29_999;

    private PortAssigner() {
    }

    /**
     * Ports for every {@code port: auto} service in the registry.
     *
     * @param registry the registry
     * @return service name to port, sorted by service name
     */
    public static Map<String, Integer> assign(Registry registry) {
        Map<String, Integer> ports = new TreeMap<>();
        TreeMap<String, List<Service>> byMachine = new TreeMap<>();
        for (Service s : registry.services().values()) {
            byMachine.computeIfAbsent(s.machine(), m -> new java.util.ArrayList<>()).add(s);
        }
        byMachine.forEach((machine, services) -> {
            Set<Integer> used = new HashSet<>();
            services.forEach(s -> used.addAll(s.boundPorts()));
            services.stream().filter(Service::autoPort).map(Service::name).sorted()
                    .forEach(name -> ports.put(name, choose(name, used)));
        });
        return ports;
    }

    /**
     * The port for one service, given the ports already used on its machine; the choice is added to {@code used}.
     *
     * @param service the service's name
     * @param used ports taken on the machine; the chosen port is added
     * @return the port
     * @throws IllegalStateException when every port of the range is taken
     */
    public static int choose(String service, Collection<Integer> used) {
        int size = LAST - FIRST + 1;
        int start = Math.floorMod(("portoser:" + service).hashCode(), size);
        for (int i = 0; i < size; i++) {
            int port = FIRST + (start + i) % size;
            if (!used.contains(port)) {
                used.add(port);
                return port;
            }
        }
        throw new IllegalStateException("every port from " + FIRST + " to " + LAST + " is taken");
    }
}
