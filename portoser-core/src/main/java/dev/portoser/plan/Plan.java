package dev.portoser.plan;

import dev.portoser.plan.internal.Fingerprints;
import dev.portoser.plan.internal.PlanDocument;
import dev.portoser.registry.Registry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What to do, in which order and why: an immutable graph of {@link Step}s made by {@link Planner}.
 *
 * <pre>{@code
 * Plan plan = Planner.of(registry).deploy("api");
 * System.out.print(plan.render());          // the --dry-run text
 * Files.writeString(saved, plan.toJson());  // run it later...
 * Plan.fromJson(Files.readString(saved)).requireCurrent(Registry.load(file));  // ...if nothing changed
 * }</pre>
 *
 * <p>Steps are listed in a valid order (by wave, then service name); an executor may start a step as soon as the
 * steps it {@linkplain Step#waitsFor() waits for} succeeded, without waiting for the rest of its wave. The plan
 * keeps a fingerprint of the registry it came from and of every field of the services and machines it acts on,
 * so {@link #requireCurrent(Registry)} can refuse it later and say exactly what changed. It holds no secret and
 * no {@code env} value. Same registry and intent, equal plan. Instances are immutable and thread-safe.
 *
 * @param action what the plan does overall ({@link Action#DEPLOY} for deploy, group and all plans)
 * @param scope what was asked for, in words: {@code api, worker}, {@code group web-stack}, {@code all services}
 * @param targets the services asked for (dependencies and dependents the planner added are not listed)
 * @param steps the steps in a valid order
 * @param registryFingerprint SHA-256 of the whole registry content the plan was made from
 * @param assignedPorts ports chosen for {@code port: auto} services in the plan, by service
 * @param fingerprints per-field fingerprints of what the plan depends on, by {@code services.NAME} and
 *     {@code machines.NAME}
 */
public record Plan(Action action, String scope, List<String> targets, List<Step> steps, String registryFingerprint,
                   Map<String, Integer> assignedPorts, Map<String, Map<String, String>> fingerprints) {

    /** Version of the JSON form written by {@link #toJson()}. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * Checks that the steps form a valid plan: unique ids, known prerequisites that come earlier and in an
     * earlier wave.
     *
     * @throws PlanningException when they do not (a hand-edited or corrupted saved plan)
     * @param action the action
     * @param scope the scope
     * @param registryFingerprint the registry fingerprint
     * @param targets the targets
     * @param steps the steps
     * @param assignedPorts the assigned ports
     * @param fingerprints the fingerprints
     */
    public Plan {
        Objects.requireNonNull(action, "action == null");
        Objects.requireNonNull(scope, "scope == null");
        Objects.requireNonNull(registryFingerprint, "registryFingerprint == null");
        targets = List.copyOf(targets);
        steps = List.copyOf(steps);
        assignedPorts = Collections.unmodifiableMap(new TreeMap<>(assignedPorts));
        TreeMap<String, Map<String, String>> prints = new TreeMap<>();
        fingerprints.forEach((k, v) -> prints.put(k, Map.copyOf(v)));
        fingerprints = Collections.unmodifiableMap(prints);
        Map<String, Step> seen = new HashMap<>();
        for (Step step : steps) {
            for (String before : step.waitsFor()) {
                Step prerequisite = seen.get(before);
                if (prerequisite == null) {
                    throw new PlanningException("step " + step.id() + " waits for " + before
                            + ", which is not an earlier step of the plan");
                }
                if (prerequisite.wave() >= step.wave()) {
                    throw new PlanningException("step " + step.id() + " is in wave " + step.wave()
                            + " but waits for " + before + " in wave " + prerequisite.wave());
                }
            }
            if (seen.put(step.id(), step) != null) {
                throw new PlanningException("two steps have the id " + step.id());
            }
        }
    }

    /**
     * The step with this id.
     *
     * @param id the step's id, such as {@code deploy:api@app}
     * @return the step, or empty
     */
    public Optional<Step> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /**
     * The steps grouped by wave, in order; waves are for reading, not a barrier.
     *
     * @return the steps grouped by wave, in order; waves are for reading, not a barrier
     */
    public List<List<Step>> waves() {
        List<List<Step>> waves = new ArrayList<>();
        for (Step step : steps) {
            while (waves.size() <= step.wave()) {
                waves.add(new ArrayList<>());
            }
            waves.get(step.wave()).add(step);
        }
        return waves.stream().map(List::copyOf).toList();
    }

    /**
     * The {@code --dry-run} text: a header, then each wave with its steps and why they are there.
     *
     * @return the {@code --dry-run} text: a header, then each wave with its steps and why they are there
     */
    public String render() {
        return PlanRenderer.text(this);
    }

    /**
     * The plan as one versioned JSON document ({@code schemaVersion} {@value #SCHEMA_VERSION}).
     *
     * @return the plan as one versioned JSON document ({@code schemaVersion} {@value #SCHEMA_VERSION})
     */
    public String toJson() {
        return PlanDocument.write(this);
    }

    /**
     * Reads a plan written by {@link #toJson()}.
     *
     * @param json the document; must not be null
     * @return the plan
     * @throws PlanningException when the text is not a plan of a version this library reads
     */
    public static Plan fromJson(String json) {
        return PlanDocument.read(json);
    }

    /**
     * The plan as a Graphviz DOT graph, one node per step, one edge per wait.
     *
     * @return the plan as a Graphviz DOT graph, one node per step, one edge per wait
     */
    public String toDot() {
        return PlanRenderer.dot(this);
    }

    /**
     * The plan as a Mermaid flowchart, one node per step, one edge per wait.
     *
     * @return the plan as a Mermaid flowchart, one node per step, one edge per wait
     */
    public String toMermaid() {
        return PlanRenderer.mermaid(this);
    }

    /**
     * What changed in the registry, since the plan was made, among the services and machines the plan depends on.
     *
     * @param registry the current registry; must not be null
     * @return one entry per changed service or machine, such as {@code services.api: env, port changed};
     *     empty when the plan is current
     */
    public List<String> changesSince(Registry registry) {
        List<String> changes = new ArrayList<>();
        fingerprints.forEach((key, fields) -> {
            String[] kindAndName = key.split("\\.", 2);
            Optional<Map<String, String>> now = kindAndName[0].equals("machines")
                    ? registry.machine(kindAndName[1]).map(Fingerprints::fields)
                    : registry.service(kindAndName[1]).map(Fingerprints::fields);
            if (now.isEmpty()) {
                changes.add(key + " was removed");
                return;
            }
            List<String> changed = new ArrayList<>();
            new TreeMap<>(fields).forEach((field, print) -> {
                if (!print.equals(now.get().get(field))) {
                    changed.add(field);
                }
            });
            if (!changed.isEmpty()) {
                changes.add(key + ": " + String.join(", ", changed) + " changed");
            }
        });
        return changes;
    }

    /**
     * Refuses a stale plan.
     *
     * @param registry the current registry; must not be null
     * @throws StalePlanException when something the plan depends on changed, naming each change
     */
    public void requireCurrent(Registry registry) {
        List<String> changes = changesSince(registry);
        if (!changes.isEmpty()) {
            throw new StalePlanException(changes);
        }
    }
}
