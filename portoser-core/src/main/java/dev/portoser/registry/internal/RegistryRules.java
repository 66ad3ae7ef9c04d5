package dev.portoser.registry.internal;

import dev.portoser.registry.Group;
import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.HealthType;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Problem;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.registry.Severity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * The rules that span records: references to machines, services and groups, dependency cycles, port clashes,
 * and what each service type needs. Stateless apart from the problems it adds; not thread-safe.
 */
public final class RegistryRules {
    private final String source;
    private final Locations locations;
    private final List<Problem> problems;

    /**
     * Creates the rules for one load.
     *
     * @param source the file name for problems
     * @param locations where values came from
     * @param problems receives the problems found
     */
    public RegistryRules(String source, Locations locations, List<Problem> problems) {
        this.source = source;
        this.locations = locations;
        this.problems = problems;
    }

    /**
     * Checks everything and returns the groups with their full membership.
     *
     * @param bound the records bound from the file
     * @return groups by name, in file order; membership is the union of both ways of joining
     */
    public Map<String, Group> check(RegistryBinder.Bound bound) {
        Map<String, Machine> machines = bound.machines();
        Map<String, Service> services = bound.services();
        for (Service service : services.values()) {
            String at = "services." + service.name();
            if (service.machine() != null && !machines.containsKey(service.machine())) {
                error(at + ".machine", "unknown machine '" + service.machine() + "'"
                        + Suggestions.didYouMean(service.machine(), machines.keySet()) + "; machines are: "
                        + Texts.names(machines.keySet()));
            }
            List<String> deps = service.dependsOn();
            for (int i = 0; i < deps.size(); i++) {
                if (!services.containsKey(deps.get(i))) {
                    error(at + ".dependsOn[" + i + "]", "depends on unknown service '" + deps.get(i) + "'"
                            + Suggestions.didYouMean(deps.get(i), services.keySet()));
                }
            }
            typeRules(service, at);
        }
        cycles(services);
        portClashes(services);
        return groups(bound.groups(), services);
    }

    private void typeRules(Service service, String at) {
        if (service.type() == null) {
            return;
        }
        if (service.type() != ServiceType.DOCKER && service.command() == null) {
            error(at + ".command", "missing required field for a " + service.type().yamlName()
                    + " service (what to run, such as 'python3 -m http.server 8080')");
        }
        if (service.type() != ServiceType.DOCKER && service.resources() != null) {
            warning(at + ".resources", "resource limits apply to docker services only; ignored for a "
                    + service.type().yamlName() + " service");
        }
        HealthSpec health = service.health();
        if (health == null || health.type() == null) {
            return;
        }
        if ((health.type() == HealthType.HTTP || health.type() == HealthType.TCP) && health.port() == null
                && service.port() == null && !service.autoPort()) {
            error(at + ".health.port", "a " + health.type().yamlName() + " check needs a port: give health.port, "
                    + "or a port for the service");
        }
        if (health.type() == HealthType.PROCESS && health.pidFile() == null && service.type() != ServiceType.LOCAL) {
            error(at + ".health.pidFile", "a process check of a " + service.type().yamlName()
                    + " service needs pid_file (only local services have a PID file that Portoser writes)");
        }
    }

    /** Reports one cycle per strongly connected part of the dependency graph, as {@code a -> b -> a}. */
    private void cycles(Map<String, Service> services) {
        Graph<String, DefaultEdge> graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        services.keySet().forEach(graph::addVertex);
        for (Service s : services.values()) {
            for (String dep : s.dependsOn()) {
                if (services.containsKey(dep)) {
                    graph.addEdge(s.name(), dep);
                }
            }
        }
        List<Set<String>> parts = new KosarajuStrongConnectivityInspector<>(graph).stronglyConnectedSets();
        List<List<String>> found = new ArrayList<>();
        for (Set<String> part : parts) {
            String first = Collections.min(part);
            if (part.size() > 1 || graph.containsEdge(first, first)) {
                found.add(cycleThrough(first, part, services));
            }
        }
        found.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        for (List<String> cycle : found) {
            String from = cycle.get(0);
            int index = services.get(from).dependsOn().indexOf(cycle.get(1));
            error("services." + from + ".dependsOn[" + index + "]",
                    "circular dependency: " + String.join(" -> ", cycle));
        }
    }

    /** The shortest cycle from {@code start} back to itself inside one strongly connected part. */
    private static List<String> cycleThrough(String start, Set<String> part, Map<String, Service> services) {
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>();
        queue.add(start);
        while (!queue.isEmpty()) {
            String current = queue.poll();
            for (String next : new TreeSet<>(services.get(current).dependsOn())) {
                if (next.equals(start)) {
                    List<String> cycle = new ArrayList<>();
                    cycle.add(start);
                    for (String at = current; !at.equals(start); at = cameFrom.get(at)) {
                        cycle.add(1, at);
                    }
                    cycle.add(start);
                    return cycle;
                }
                if (part.contains(next) && !cameFrom.containsKey(next)) {
                    cameFrom.put(next, current);
                    queue.add(next);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start);
    }

    private void portClashes(Map<String, Service> services) {
        Map<String, Map<Integer, String>> usedByMachine = new HashMap<>();
        for (Service s : services.values()) {
            if (s.machine() == null) {
                continue;
            }
            Map<Integer, String> used = usedByMachine.computeIfAbsent(s.machine(), m -> new HashMap<>());
            for (Integer port : s.boundPorts()) {
                String owner = used.putIfAbsent(port, s.name());
                if (owner != null && !owner.equals(s.name())) {
                    Locations.Position first = locations.find(portPath(services.get(owner), port));
                    error(portPath(s, port), "port " + port + " on machine '" + s.machine()
                            + "' is already used by service '" + owner + "' (line " + first.line() + ")");
                }
            }
        }
    }

    /** Where a service names a port: its {@code port}, an entry of {@code ports}, or {@code port_mapping.host}. */
    private static String portPath(Service s, int port) {
        String at = "services." + s.name();
        if (s.port() != null && s.port() == port) {
            return at + ".port";
        }
        int index = s.ports().indexOf(port);
        return index >= 0 ? at + ".ports[" + index + "]" : at + ".portMapping.host";
    }

    private Map<String, Group> groups(Map<String, List<String>> declared, Map<String, Service> services) {
        Map<String, Set<String>> members = new LinkedHashMap<>();
        declared.forEach((name, list) -> {
            members.put(name, new TreeSet<>());
            for (int i = 0; i < list.size(); i++) {
                String member = list.get(i);
                if (services.containsKey(member)) {
                    members.get(name).add(member);
                } else {
                    error("groups." + name + "[" + i + "]", "group member '" + member + "' is not a service"
                            + Suggestions.didYouMean(member, services.keySet()));
                }
            }
        });
        for (Service s : services.values()) {
            if (s.group() == null) {
                continue;
            }
            Set<String> group = members.get(s.group());
            if (group == null) {
                error("services." + s.name() + ".group", "unknown group '" + s.group() + "'"
                        + Suggestions.didYouMean(s.group(), declared.keySet()) + "; define it under 'groups:'");
            } else {
                group.add(s.name());
            }
        }
        Map<String, Group> groups = new LinkedHashMap<>();
        members.forEach((name, set) -> groups.put(name, new Group(name, new TreeSet<>(set))));
        return groups;
    }


    private void error(String modelPath, String message) {
        add(Severity.ERROR, modelPath, message);
    }

    private void warning(String modelPath, String message) {
        add(Severity.WARNING, modelPath, message);
    }

    private void add(Severity severity, String modelPath, String message) {
        if (severity == Severity.ERROR && locations.isReported(modelPath)) {
            return;
        }
        Locations.Position at = locations.find(modelPath);
        problems.add(new Problem(severity, source, at.line(), at.column(), at.yamlPath(), message));
        locations.markReported(modelPath);
    }
}
