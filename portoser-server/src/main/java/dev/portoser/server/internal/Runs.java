package dev.portoser.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.PortoserException;
import dev.portoser.exec.Executor;
import dev.portoser.exec.JsonLinesEvents;
import dev.portoser.exec.RunHandle;
import dev.portoser.exec.RunResult;
import dev.portoser.exec.StepResult;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import dev.portoser.registry.RegistryLoader;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.registry.edit.RegistryEditor;
import dev.portoser.state.StateStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Plans a client asked for (kept a while, with the registry version they were made from and, for a move, the
 * registry diff it implies) and the runs started from them, each followed by its JSON-lines events, which also
 * go to the event stream. A plan runs only against the registry it was made from: when the file changed since,
 * the client is told to plan again. Thread-safe.
 */
public final class Runs implements AutoCloseable {
    /** How long a plan may wait to be run. */
    static final Duration PLAN_VALIDITY = Duration.ofMinutes(15);
    /** How many finished runs are kept for {@code GET /runs}. */
    static final int KEPT_RUNS = 50;
    private static final Set<String> ACTIONS = Set.of("deploy", "start", "stop", "restart", "move");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrySource source;
    private final RegistryLoader loader;
    private final StateStore state;
    private final Supplier<Executor.Builder> executors;
    private final EventHub hub;
    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Planned> plans = new LinkedHashMap<>();
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Object editLock;

    /**
     * Plans and runs for one registry.
     *
     * @param source the registry
     * @param loader how it is loaded (for edits)
     * @param state where services run (a move stops the old instance) and the history
     * @param executors a new executor builder with the server's transports, secrets and state
     * @param hub where run events go
     * @param clock when plans expire
     * @param editLock held while the registry file is edited
     */
    public Runs(RegistrySource source, RegistryLoader loader, StateStore state, Supplier<Executor.Builder> executors,
                EventHub hub, Clock clock, Object editLock) {
        this.source = source;
        this.loader = loader;
        this.state = state;
        this.executors = executors;
        this.hub = hub;
        this.clock = clock;
        this.editLock = editLock;
    }

    /** A plan waiting to be run. */
    private record Planned(String id, Instant made, String action, List<String> services, @Nullable String machine,
                           Plan plan, Registry registry, String sha256, String diff, List<String> warnings) {
        Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", id);
            doc.put("action", action);
            doc.put("services", services);
            doc.put("machine", machine);
            doc.put("registrySha256", sha256);
            doc.put("steps", Views.steps(plan));
            doc.put("diff", diff);
            doc.put("warnings", warnings);
            doc.put("text", plan.render());
            return doc;
        }
    }

    /**
     * Makes a plan from a request: {@code {"action": "deploy|start|stop|restart|move", "services": [...],
     * "group": "...", "all": true, "machine": "target of a move"}}.
     *
     * @param request the request's body
     * @return the plan's document
     * @throws ApiError 400 for a bad request, 404 for an unknown name, 422 when a move would make the registry
     *     invalid
     */
    public Map<String, Object> plan(JsonNode request) {
        String action = Api.text(request, "action", true);
        if (!ACTIONS.contains(action)) {
            throw new ApiError(400, "action must be one of deploy, start, stop, restart, move, not '" + action + "'");
        }
        List<String> services = Api.texts(request, "services");
        String group = Api.text(request, "group", false);
        boolean all = request.path("all").asBoolean(false);
        RegistrySource.Snapshot snap = source.snapshot();
        Registry registry = snap.registry();
        for (String s : services) {
            if (registry.service(s).isEmpty()) {
                throw new ApiError(404, "no service '" + s + "' in the registry");
            }
        }
        Planner planner = Planner.of(registry).knowingWhereServicesRun(running(registry));
        Plan plan;
        String diff = "";
        List<String> warnings = new ArrayList<>();
        String machine = null;
        try {
            if (action.equals("move")) {
                machine = Api.text(request, "machine", true);
                if (services.size() != 1) {
                    throw new ApiError(400, "a move takes exactly one service");
                }
                String name = services.get(0);
                if (registry.machine(machine).isEmpty()) {
                    throw new ApiError(404, "no machine '" + machine + "' in the registry");
                }
                RegistryEditor editor = RegistryEditor.builder().loader(loader).open(source.file());
                editor.moveService(name, machine);
                diff = editor.diff();
                plan = Planner.of(registry).move(name, machine);
                warnings.addAll(dataLeftBehind(registry.service(name).orElseThrow()));
            } else if (all) {
                plan = action.equals("deploy") ? planner.all() : byAction(planner, action, names(registry.services().keySet()));
            } else if (group != null) {
                if (registry.group(group).isEmpty()) {
                    throw new ApiError(404, "no group '" + group + "' in the registry");
                }
                plan = action.equals("deploy") ? planner.group(group)
                        : byAction(planner, action, names(registry.group(group).orElseThrow().members()));
            } else if (services.isEmpty()) {
                throw new ApiError(400, "name the services (\"services\": [...]), a group or \"all\": true");
            } else {
                plan = byAction(planner, action, services.toArray(String[]::new));
            }
        } catch (RegistryException e) {
            throw new ApiError(422, "the registry would be invalid: " + e.errors().get(0).message())
                    .with("problems", Views.problems(e.errors()));
        } catch (PortoserException e) {
            throw new ApiError(409, e.getMessage());
        }
        String id = "p" + ids.incrementAndGet();
        Planned planned = new Planned(id, clock.instant(), action, services, machine, plan, registry, snap.sha256(),
                diff, warnings);
        synchronized (plans) {
            expire();
            plans.put(id, planned);
        }
        return planned.document();
    }

    private static String[] names(Collection<String> names) {
        return names.toArray(String[]::new);
    }

    private static Plan byAction(Planner planner, String action, String[] services) {
        return switch (action) {
            case "deploy" -> planner.deploy(services);
            case "start" -> planner.start(services);
            case "stop" -> planner.stop(services);
            case "restart" -> planner.restart(services);
            default -> throw new IllegalArgumentException(action);
        };
    }

    private Map<String, java.util.SortedSet<String>> running(Registry registry) {
        Map<String, java.util.SortedSet<String>> where = new LinkedHashMap<>();
        for (String s : registry.services().keySet()) {
            where.put(s, state.machinesRunning(s));
        }
        return where;
    }

    /** What a move does not carry to the new machine. */
    private static List<String> dataLeftBehind(Service s) {
        List<String> warnings = new ArrayList<>();
        if (s.type() == ServiceType.DOCKER) {
            warnings.add("the Docker volumes and bind mounts of '" + s.name() + "' stay on '" + s.machine()
                    + "': a move does not copy them");
        }
        warnings.add("the files under " + s.path() + " on '" + s.machine() + "' are not copied; the new machine "
                + "needs its own copy");
        return warnings;
    }

    /**
     * A plan made earlier.
     *
     * @param id its id
     * @return its document
     * @throws ApiError 404 when there is no such plan (or it expired)
     */
    public Map<String, Object> planDocument(String id) {
        synchronized (plans) {
            expire();
            Planned p = plans.get(id);
            if (p == null) {
                throw new ApiError(404, "no plan '" + id + "' (plans are kept " + PLAN_VALIDITY.toMinutes()
                        + " minutes; make it again)");
            }
            return p.document();
        }
    }

    private void expire() {
        Instant oldest = clock.instant().minus(PLAN_VALIDITY);
        plans.values().removeIf(p -> p.made().isBefore(oldest));
    }

    /**
     * Runs a plan made earlier; the run goes on in the background.
     *
     * @param planId the plan
     * @return the run's document
     * @throws ApiError 404 for an unknown plan, 409 when the registry changed since it was made
     */
    public Map<String, Object> start(String planId) {
        Planned p;
        synchronized (plans) {
            expire();
            p = plans.get(planId);
            if (p == null) {
                throw new ApiError(404, "no plan '" + planId + "' (plans are kept " + PLAN_VALIDITY.toMinutes()
                        + " minutes; make it again)");
            }
            if (!p.sha256().equals(source.shaOnDisk())) {
                throw new ApiError(409, "the registry changed since this plan was made; make the plan again")
                        .with("stale", true);
            }
            plans.remove(planId);
        }
        String from = null;
        if (p.action().equals("move")) {
            String name = p.services().get(0);
            from = p.registry().service(name).orElseThrow().machine();
            synchronized (editLock) {
                try {
                    RegistryEditor.builder().loader(loader).open(source.file()).moveService(name, p.machine()).save();
                } catch (PortoserException e) {
                    throw new ApiError(409, "the registry could not be changed: " + e.getMessage());
                }
            }
            source.reload(false);
        }
        Run run = new Run("r" + ids.incrementAndGet(), p.id(), p.action(), p.services(), clock.instant());
        remember(run);
        String revertTo = from;
        launch(run, executor -> {
            RunHandle handle = executor.start(p.registry(), p.plan());
            run.handle = handle;
            RunResult result = handle.result().join();
            if (!result.succeeded() && revertTo != null) {
                String name = p.services().get(0);
                synchronized (editLock) {
                    RegistryEditor.builder().loader(loader).open(source.file()).moveService(name, revertTo).save();
                }
                source.reload(false);
                run.warnings.add("the migration of '" + name + "' failed; the registry says '" + revertTo + "' again");
            }
            return result.steps();
        });
        return run.document();
    }

    /**
     * Deploys a history record's configuration again, in the background.
     *
     * @param recordId the record
     * @return the run's document
     * @throws ApiError 404 when there is no such record
     */
    public Map<String, Object> rollback(String recordId) {
        var record = state.find(recordId).orElseThrow(() -> new ApiError(404, "no history record '" + recordId + "'"));
        Run run = new Run("r" + ids.incrementAndGet(), null, "rollback", List.of(record.service()), clock.instant());
        remember(run);
        Registry registry = source.snapshot().registry();
        launch(run, executor -> List.of(executor.rollbackTo(registry, recordId)));
        return run.document();
    }

    private interface Work {
        List<StepResult> run(Executor executor);
    }

    private void launch(Run run, Work work) {
        publish(run, Map.of("event", "accepted", "action", run.action));
        Thread t = new Thread(() -> {
            List<StepResult> steps = List.of();
            String failure = null;
            PrintWriter events = new PrintWriter(new LineWriter(line -> event(run, line)), true);
            try (Executor executor = executors.get().listener(new JsonLinesEvents(events)).build()) {
                steps = work.run(executor);
            } catch (RuntimeException e) {
                failure = e.getMessage() == null ? "the run failed" : e.getMessage();
            }
            run.finish(steps, failure, clock.instant());
            publish(run, Map.of("event", "finished", "status", run.status));
        }, "portoser-server-run-" + run.id);
        t.setDaemon(true);
        t.start();
    }

    private void event(Run run, String line) {
        try {
            Map<String, Object> event = JSON.readValue(line, JSON.getTypeFactory()
                    .constructMapType(LinkedHashMap.class, String.class, Object.class));
            synchronized (run) {
                run.events.add(event);
            }
            publish(run, event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the executor wrote an event that is not JSON", e);
        }
    }

    private void publish(Run run, Map<String, Object> event) {
        hub.publish("run", Map.of("run", run.id, "event", event));
    }

    private void remember(Run run) {
        synchronized (runs) {
            runs.put(run.id, run);
            if (runs.size() > KEPT_RUNS) {
                runs.entrySet().stream().filter(e -> e.getValue().ended != null).findFirst()
                        .ifPresent(e -> runs.remove(e.getKey()));
            }
        }
    }

    /**
     * A run.
     *
     * @param id its id
     * @return its document with the events so far
     * @throws ApiError 404 when there is no such run
     */
    public Map<String, Object> run(String id) {
        return find(id).document();
    }

    /**
     * Cancels a run: no new step starts; running steps finish.
     *
     * @param id the run
     * @return its document
     * @throws ApiError 404 when there is no such run
     */
    public Map<String, Object> cancel(String id) {
        Run run = find(id);
        RunHandle h = run.handle;
        if (h != null) {
            h.cancel();
        }
        return run.document();
    }

    /**
     * The recent runs, newest first, without their events.
     *
     * @return their documents
     */
    public List<Map<String, Object>> runs() {
        List<Run> all;
        synchronized (runs) {
            all = new ArrayList<>(runs.values());
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Map<String, Object> doc = all.get(i).document();
            doc.remove("events");
            docs.add(doc);
        }
        return docs;
    }

    private Run find(String id) {
        synchronized (runs) {
            Run run = runs.get(id);
            if (run == null) {
                throw new ApiError(404, "no run '" + id + "'");
            }
            return run;
        }
    }

    /** Runs still going are cancelled. */
    @Override
    public void close() {
        synchronized (runs) {
            for (Run r : runs.values()) {
                RunHandle h = r.handle;
                if (h != null && r.ended == null) {
                    h.cancel();
                }
            }
        }
    }

    /** One run's progress. */
    private static final class Run {
        final String id;
        final @Nullable String planId;
        final String action;
        final List<String> services;
        final Instant started;
        final List<Map<String, Object>> events = new ArrayList<>();
        final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile @Nullable RunHandle handle;
        volatile String status = "RUNNING";
        volatile @Nullable Instant ended;
        volatile List<StepResult> steps = List.of();
        volatile @Nullable String failure;

        Run(String id, @Nullable String planId, String action, List<String> services, Instant started) {
            this.id = id;
            this.planId = planId;
            this.action = action;
            this.services = services;
            this.started = started;
        }

        void finish(List<StepResult> results, @Nullable String why, Instant at) {
            steps = List.copyOf(results);
            // the run's failure in one line: the error that ended it, else the first step that did not succeed
            failure = why != null ? why : results.stream().filter(s -> !s.outcome().isSuccess()).findFirst()
                    .map(s -> s.step().id() + ": " + s.outcome() + ": " + s.detail()).orElse(null);
            boolean ok = why == null && results.stream().allMatch(s -> s.outcome().isSuccess());
            RunHandle h = handle;
            status = ok ? "SUCCEEDED" : h != null && h.isCancelled() ? "CANCELLED" : "FAILED";
            ended = at;
        }

        synchronized Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", id);
            doc.put("planId", planId);
            doc.put("action", action);
            doc.put("services", services);
            doc.put("status", status);
            doc.put("started", started.toString());
            doc.put("ended", ended == null ? null : ended.toString());
            List<Map<String, Object>> results = new ArrayList<>();
            for (StepResult s : steps) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("step", s.step().id());
                r.put("service", s.step().service());
                r.put("machine", s.step().machine());
                r.put("outcome", s.outcome().name());
                r.put("detail", s.detail());
                r.put("durationMillis", s.duration().toMillis());
                results.add(r);
            }
            doc.put("steps", results);
            doc.put("failure", failure);
            doc.put("warnings", List.copyOf(warnings));
            doc.put("events", List.copyOf(events));
            return doc;
        }
    }
}
