package dev.portoser.plan;

import dev.portoser.plan.internal.Fingerprints;
import dev.portoser.plan.internal.PortAssigner;
import dev.portoser.registry.Group;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.registry.internal.Suggestions;
import dev.portoser.registry.internal.Texts;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.jgrapht.Graph;
import org.jgrapht.Graphs;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * Makes {@link Plan}s from a registry: dependencies first when starting, dependents first when stopping.
 *
 * <pre>{@code
 * Planner planner = Planner.of(registry);
 * Plan deploy = planner.deploy("api");          // api and everything it depends on, in order
 * Plan stack = planner.group("web-stack");      // the group, plus dependencies outside it
 * Plan stop = planner.stop("postgres");         // postgres and everything that depends on it, dependents first
 * Plan move = planner.move("api", "spare");     // start on spare, wait until healthy, then stop the old one
 * Impact impact = planner.impact("postgres");   // who goes down with postgres
 * }</pre>
 *
 * <p>Plans are deterministic: the same registry and the same request always give equal plans, ties broken by
 * name. {@code port: auto} services get a port chosen from the registry alone (see {@link #assignedPorts()}).
 * Instances are immutable and thread-safe; make one per registry and reuse it.
 */
public final class Planner {
    private final Registry registry;
    private final String fingerprint;
    /** An edge a -> b means a depends on b. */
    private final Graph<String, DefaultEdge> graph;
    private final Map<String, Integer> autoPorts;
    /** Field fingerprints of every machine and service, computed once: plans copy what they need. */
    private final Map<String, Map<String, String>> fieldPrints;
    /** Machines where a service still runs although the registry now names another machine for it. */
    private final Map<String, Set<String>> runningElsewhere;

    private Planner(Planner base, Map<String, Set<String>> runningElsewhere) {
        this.registry = base.registry;
        this.fieldPrints = base.fieldPrints;
        this.fingerprint = base.fingerprint;
        this.graph = base.graph;
        this.autoPorts = base.autoPorts;
        this.runningElsewhere = runningElsewhere;
    }

    private Planner(Registry registry) {
        this.runningElsewhere = Map.of();
        this.registry = registry;
        this.fieldPrints = Fingerprints.fieldsOfAll(registry);
        this.fingerprint = Fingerprints.of(registry, fieldPrints);
        this.graph = new DefaultDirectedGraph<>(DefaultEdge.class);
        registry.services().keySet().forEach(graph::addVertex);
        for (Service s : registry.services().values()) {
            for (String dependency : s.dependsOn()) {
                graph.addEdge(s.name(), dependency);
            }
        }
        this.autoPorts = PortAssigner.assign(registry);
    }

    /**
     * A planner for a registry.
     *
     * @param registry a loaded registry (so known to be valid and acyclic); must not be null
     * @return the planner
     */
    public static Planner of(Registry registry) {
        return new Planner(Objects.requireNonNull(registry, "registry == null"));
    }

    /**
     * A planner that knows where services run now (from the deployment history, say): a deploy plan then moves a
     * service whose machine changed in the registry since it was deployed — it starts on the new machine, and once
     * it is healthy there the old instance is stopped — instead of leaving the old one running.
     *
     * @param runningOn for each service name, the machines it runs on now; entries for unknown services or
     *     machines no longer in the registry are ignored (they cannot be reached to be stopped)
     * @return a planner for the same registry
     */
    public Planner knowingWhereServicesRun(Map<String, ? extends Collection<String>> runningOn) {
        Map<String, Set<String>> elsewhere = new TreeMap<>();
        Objects.requireNonNull(runningOn, "runningOn == null").forEach((name, machines) -> {
            Service s = registry.services().get(name);
            if (s == null) {
                return;
            }
            Set<String> old = new TreeSet<>();
            for (String m : machines) {
                if (!m.equals(s.machine()) && registry.machines().containsKey(m)) {
                    old.add(m);
                }
            }
            if (!old.isEmpty()) {
                elsewhere.put(name, Set.copyOf(old));
            }
        });
        return new Planner(this, Map.copyOf(elsewhere));
    }

    /**
     * The registry plans are made from.
     *
     * @return the registry plans are made from
     */
    public Registry registry() {
        return registry;
    }

    /**
     * The ports chosen for every {@code port: auto} service of the registry, by service name.
     *
     * @return the ports chosen for every {@code port: auto} service of the registry, by service name
     */
    public Map<String, Integer> assignedPorts() {
        return Map.copyOf(autoPorts);
    }

    /**
     * Deploys services and, first, everything they depend on.
     *
     * @param services one or more service names
     * @return the plan
     * @throws PlanningException when no service is named or a name is unknown (with a suggestion)
     */
    public Plan deploy(String... services) {
        List<String> targets = known(services);
        return forward(Action.DEPLOY, String.join(", ", targets), targets);
    }

    /**
     * Deploys every member of a group and, first, what they depend on, inside the group or not.
     *
     * @param group the group's name
     * @return the plan
     * @throws PlanningException when the group is unknown (with a suggestion)
     */
    public Plan group(String group) {
        Objects.requireNonNull(group, "group == null");
        Group g = registry.group(group).orElseThrow(() -> new PlanningException("unknown group '" + group + "'"
                + Suggestions.didYouMean(group, registry.groups().keySet()) + "; groups are: "
                + Texts.names(registry.groups().keySet())));
        return forward(Action.DEPLOY, "group " + group, List.copyOf(g.members()));
    }

    /**
     * Deploys every service of the registry, dependencies first.
     *
     * @return the result
     */
    public Plan all() {
        return forward(Action.DEPLOY, "all services", new ArrayList<>(new TreeSet<>(registry.services().keySet())));
    }

    /**
     * Starts services as they are installed and, first, what they depend on.
     *
     * @param services one or more service names
     * @return the plan
     * @throws PlanningException when no service is named or a name is unknown
     */
    public Plan start(String... services) {
        List<String> targets = known(services);
        return forward(Action.START, String.join(", ", targets), targets);
    }

    /**
     * Stops services and, before each, everything that depends on it.
     *
     * @param services one or more service names
     * @return the plan
     * @throws PlanningException when no service is named or a name is unknown
     */
    public Plan stop(String... services) {
        List<String> targets = known(services);
        Set<String> scope = closure(targets, this::dependentsOf);
        Map<String, StepDraft> drafts = new TreeMap<>();
        for (String name : scope) {
            Service s = service(name);
            List<String> waitsFor = dependentsOf(name).stream().map(d -> Step.idOf(Action.STOP, d, service(d).machine()))
                    .sorted().toList();
            String reason = targets.contains(name) ? "requested"
                    : "depends on " + String.join(", ", dependenciesOf(name).stream().filter(scope::contains).sorted().toList());
            drafts.put(name, new StepDraft(Step.idOf(Action.STOP, name, s.machine()), Action.STOP, s, s.machine(),
                    null, waitsFor, List.of(), reason));
        }
        return assemble(Action.STOP, String.join(", ", targets), targets, drafts.values());
    }

    /**
     * Restarts exactly these services, each after the ones among them it depends on, each gated on the health of
     * its dependencies.
     *
     * @param services one or more service names
     * @return the plan
     * @throws PlanningException when no service is named or a name is unknown
     */
    public Plan restart(String... services) {
        List<String> targets = known(services);
        Set<String> scope = new TreeSet<>(targets);
        Map<String, StepDraft> drafts = new TreeMap<>();
        for (String name : scope) {
            Service s = service(name);
            List<String> waitsFor = dependenciesOf(name).stream().filter(scope::contains)
                    .map(d -> Step.idOf(Action.RESTART, d, service(d).machine())).sorted().toList();
            drafts.put(name, new StepDraft(Step.idOf(Action.RESTART, name, s.machine()), Action.RESTART, s,
                    s.machine(), null, waitsFor, dependenciesOf(name), "requested"));
        }
        return assemble(Action.RESTART, String.join(", ", targets), targets, drafts.values());
    }

    /**
     * Moves a service to another machine: deploy it there, wait until it is healthy, then stop the old instance.
     *
     * @param service the service's name
     * @param machine the machine to move it to
     * @return the plan
     * @throws PlanningException when a name is unknown, the service is already there, or one of its ports is
     *     taken on the target machine
     */
    public Plan move(String service, String machine) {
        Service s = service(known(service).get(0));
        Objects.requireNonNull(machine, "machine == null");
        Machine target = registry.machine(machine).orElseThrow(() -> new PlanningException("unknown machine '"
                + machine + "'" + Suggestions.didYouMean(machine, registry.machines().keySet()) + "; machines are: "
                + Texts.names(registry.machines().keySet())));
        if (s.machine().equals(target.name())) {
            throw new PlanningException("service '" + s.name() + "' already runs on machine '" + machine + "'");
        }
        Map<Integer, String> usedThere = new HashMap<>();
        for (Service other : registry.servicesOn(target.name())) {
            other.boundPorts().forEach(p -> usedThere.putIfAbsent(p, other.name()));
            if (other.autoPort()) {
                usedThere.putIfAbsent(autoPorts.get(other.name()), other.name());
            }
        }
        for (int port : s.boundPorts()) {
            if (usedThere.containsKey(port)) {
                throw new PlanningException("cannot move '" + s.name() + "' to '" + machine + "': port " + port
                        + " is already used there by service '" + usedThere.get(port) + "'");
            }
        }
        Integer port = s.autoPort() ? PortAssigner.choose(s.name(), new HashSet<>(usedThere.keySet())) : null;
        String migrateId = Step.idOf(Action.MIGRATE, s.name(), target.name());
        List<StepDraft> drafts = List.of(
                new StepDraft(migrateId, Action.MIGRATE, s, target.name(), s.machine(), List.of(),
                        dependenciesOf(s.name()), "requested: move from " + s.machine() + " to " + target.name(), port),
                new StepDraft(Step.idOf(Action.STOP, s.name(), s.machine()), Action.STOP, s, s.machine(), null,
                        List.of(migrateId), List.of(), "the old instance, once " + s.name() + " is healthy on "
                        + target.name(), null));
        Map<String, Map<String, String>> prints = new TreeMap<>();
        addPrints(prints, s);
        prints.put("machines." + target.name(), fieldPrints.get("machines." + target.name()));
        for (String dependency : dependenciesOf(s.name())) {
            addPrints(prints, service(dependency));
        }
        return build(Action.MIGRATE, s.name() + " to " + target.name(), List.of(s.name()), drafts, prints);
    }

    /**
     * What depends on a service, directly and through others, by machine.
     *
     * @param service the service's name
     * @return the impact
     * @throws PlanningException when the name is unknown
     */
    public Impact impact(String service) {
        String name = known(service).get(0);
        List<String> direct = dependentsOf(name);
        Set<String> all = closure(List.of(name), this::dependentsOf);
        all.remove(name);
        SortedMap<String, List<String>> byMachine = new TreeMap<>();
        for (String dependent : all) {
            byMachine.computeIfAbsent(service(dependent).machine(), m -> new ArrayList<>()).add(dependent);
        }
        return new Impact(name, direct, List.copyOf(all), byMachine);
    }

    /**
     * Deploy and start plans: the targets and all they depend on, dependencies first. A deployed service that
     * runs on another machine than the registry's is moved: a migration step, then a stop of each old instance.
     */
    private Plan forward(Action action, String scope, List<String> targets) {
        Set<String> closure = closure(targets, this::dependenciesOf);
        Set<String> requested = new HashSet<>(targets);
        Function<String, Set<String>> moving = name -> action == Action.DEPLOY
                ? runningElsewhere.getOrDefault(name, Set.of()) : Set.of();
        Function<String, String> idOf = name -> Step.idOf(moving.apply(name).isEmpty() ? action : Action.MIGRATE,
                name, service(name).machine());
        Map<String, StepDraft> drafts = new TreeMap<>();
        for (String name : closure) {
            Service s = service(name);
            List<String> dependencies = dependenciesOf(name);
            List<String> waitsFor = dependencies.stream().map(idOf).sorted().toList();
            String reason = requested.contains(name) ? "requested"
                    : "needed by " + String.join(", ", dependentsOf(name).stream().filter(closure::contains).toList());
            Set<String> old = moving.apply(name);
            if (old.isEmpty()) {
                drafts.put(name, new StepDraft(idOf.apply(name), action, s, s.machine(), null, waitsFor, dependencies,
                        reason));
                continue;
            }
            String from = old.iterator().next();
            drafts.put(name, new StepDraft(idOf.apply(name), Action.MIGRATE, s, s.machine(), from, waitsFor,
                    dependencies, reason + "; runs on " + String.join(", ", old) + " since it was deployed: moves to "
                    + s.machine()));
            for (String machine : old) {
                drafts.put(name + "@" + machine, new StepDraft(Step.idOf(Action.STOP, name, machine), Action.STOP, s,
                        machine, null, List.of(idOf.apply(name)), List.of(), "the old instance, once " + name
                        + " is healthy on " + s.machine()));
            }
        }
        return assemble(action, scope, targets, drafts.values());
    }

    private Plan assemble(Action action, String scope, List<String> targets, Collection<StepDraft> drafts) {
        Map<String, Map<String, String>> prints = new HashMap<>();
        for (StepDraft d : drafts) {
            addPrints(prints, d.service());
            // A step on a machine the service no longer names (the old instance of a move) depends on it too.
            prints.computeIfAbsent("machines." + d.machine(), fieldPrints::get);
            for (String gate : d.healthGates()) {
                addPrints(prints, service(gate));
            }
        }
        List<StepDraft> withPorts = drafts.stream().map(d -> d.service().autoPort()
                ? d.withPort(autoPorts.get(d.service().name())) : d).toList();
        return build(action, scope, targets, withPorts, prints);
    }

    /** Orders the drafts topologically, gives each its wave, and sorts by wave then service name. */
    private Plan build(Action action, String scope, List<String> targets, Collection<StepDraft> drafts,
                       Map<String, Map<String, String>> prints) {
        Map<String, Integer> waves = waves(drafts);
        List<Step> steps = drafts.stream()
                .map(d -> new Step(d.id(), d.action(), d.service().name(), d.machine(), d.fromMachine(),
                        d.service().type(), d.waitsFor(), d.healthGates(), d.reason(), waves.get(d.id()), d.port()))
                .sorted(Comparator.comparingInt(Step::wave).thenComparing(Step::service).thenComparing(Step::id))
                .toList();
        Map<String, Integer> ports = new TreeMap<>();
        steps.stream().filter(s -> s.port() != null).forEach(s -> ports.put(s.service(), s.port()));
        return new Plan(action, scope, targets, steps, fingerprint, ports, prints);
    }

    /**
     * Each step's wave: 0 when it waits for nothing, else one more than the latest step it waits for (Kahn's
     * algorithm, iterative, so a chain of any length is fine).
     */
    private static Map<String, Integer> waves(Collection<StepDraft> drafts) {
        Map<String, List<String>> waiters = new HashMap<>();
        Map<String, Integer> pending = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (StepDraft d : drafts) {
            pending.put(d.id(), d.waitsFor().size());
            if (d.waitsFor().isEmpty()) {
                ready.add(d.id());
            }
            for (String before : d.waitsFor()) {
                waiters.computeIfAbsent(before, k -> new ArrayList<>()).add(d.id());
            }
        }
        Map<String, Integer> waves = new HashMap<>();
        ready.forEach(id -> waves.put(id, 0));
        while (!ready.isEmpty()) {
            String id = ready.poll();
            int next = waves.get(id) + 1;
            for (String waiter : waiters.getOrDefault(id, List.of())) {
                waves.merge(waiter, next, Math::max);
                if (pending.merge(waiter, -1, Integer::sum) == 0) {
                    ready.add(waiter);
                }
            }
        }
        if (waves.size() != drafts.size()) {
            throw new IllegalStateException("the steps wait for each other in a cycle");
        }
        return waves;
    }

    /** The names, each checked, without repeats, in the order given. */
    private List<String> known(String... services) {
        Objects.requireNonNull(services, "services == null");
        if (services.length == 0) {
            throw new PlanningException("name at least one service");
        }
        Set<String> names = new LinkedHashSet<>(Arrays.asList(services));
        for (String name : names) {
            Objects.requireNonNull(name, "service name == null");
            if (!registry.services().containsKey(name)) {
                throw new PlanningException("unknown service '" + name + "'"
                        + Suggestions.didYouMean(name, registry.services().keySet()) + "; services are: "
                        + Texts.names(registry.services().keySet()));
            }
        }
        return List.copyOf(names);
    }

    private Set<String> closure(Collection<String> start, Function<String, List<String>> next) {
        Set<String> seen = new TreeSet<>(start);
        Deque<String> queue = new ArrayDeque<>(start);
        while (!queue.isEmpty()) {
            for (String n : next.apply(queue.poll())) {
                if (seen.add(n)) {
                    queue.add(n);
                }
            }
        }
        return seen;
    }

    /** What a service depends on, sorted. */
    private List<String> dependenciesOf(String service) {
        return Graphs.successorListOf(graph, service).stream().distinct().sorted().toList();
    }

    /** What depends on a service, sorted. */
    private List<String> dependentsOf(String service) {
        return Graphs.predecessorListOf(graph, service).stream().distinct().sorted().toList();
    }

    /** Adds the field fingerprints of a service and of its machine. */
    private void addPrints(Map<String, Map<String, String>> into, Service s) {
        into.computeIfAbsent("services." + s.name(), fieldPrints::get);
        into.computeIfAbsent("machines." + s.machine(), fieldPrints::get);
    }

    private Service service(String name) {
        return registry.services().get(name);
    }


    /** A step before its wave is known. */
    private record StepDraft(String id, Action action, Service service, String machine, String fromMachine,
                             List<String> waitsFor, List<String> healthGates, String reason, Integer port) {
        StepDraft(String id, Action action, Service service, String machine, String fromMachine, List<String> waitsFor,
                  List<String> healthGates, String reason) {
            this(id, action, service, machine, fromMachine, waitsFor, healthGates, reason, null);
        }

        StepDraft withPort(Integer chosen) {
            return new StepDraft(id, action, service, machine, fromMachine, waitsFor, healthGates, reason, chosen);
        }
    }
}
