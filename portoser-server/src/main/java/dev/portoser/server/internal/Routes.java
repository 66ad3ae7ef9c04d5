package dev.portoser.server.internal;

import dev.portoser.health.HealthMonitor;
import dev.portoser.registry.Group;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.server.internal.Api.Request;
import dev.portoser.server.internal.Api.Response;
import dev.portoser.server.internal.Api.Route;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The routes of {@code /api/v1}: each one line here, its work in the part that owns it. The OpenAPI document
 * ({@code openapi.json} next to the page) lists exactly these; a test holds the two together.
 */
public final class Routes {
    /** The largest number of log lines one request may ask for. */
    static final int MAX_LOG_LINES = 10_000;

    private final Supplier<Map<String, Object>> registryDocument;
    private final RegistrySource source;
    private final Edits edits;
    private final Runs runs;
    private final HealthMonitor monitor;
    private final Reachability reach;
    private final StateStore state;
    private final EventHub hub;
    private final BiFunction<Service, Integer, String> logs;

    /**
     * The routes over the server's parts.
     *
     * @param registryDocument the registry's summary
     * @param source the registry
     * @param edits registry edits
     * @param runs plans and runs
     * @param monitor live health
     * @param reach machines' reachability
     * @param state history
     * @param hub the event stream
     * @param logs the last lines of a service's log
     */
    public Routes(Supplier<Map<String, Object>> registryDocument, RegistrySource source, Edits edits, Runs runs,
                  HealthMonitor monitor, Reachability reach, StateStore state, EventHub hub,
                  BiFunction<Service, Integer, String> logs) {
        this.registryDocument = registryDocument;
        this.source = source;
        this.edits = edits;
        this.runs = runs;
        this.monitor = monitor;
        this.reach = reach;
        this.state = state;
        this.hub = hub;
        this.logs = logs;
    }

    /**
     * Every route.
     *
     * @return the routes, in the order the OpenAPI document lists them
     */
    public List<Route> all() {
        return List.of(
                new Route("GET", "/registry", r -> withVersion(registryDocument.get())),
                new Route("POST", "/registry/reload", r -> {
                    source.reload(true);
                    return registryDocument.get();
                }),
                new Route("GET", "/machines", r -> withVersion(Map.of("machines", machines()))),
                new Route("POST", "/machines", r -> created(edits.add(Edits.Kind.MACHINE, r.body(),
                        r.header("If-Match"), dryRun(r)))),
                new Route("GET", "/machines/{name}", r -> machine(r.param("name"))),
                new Route("PATCH", "/machines/{name}", r -> edits.update(Edits.Kind.MACHINE, r.param("name"), r.body(),
                        r.header("If-Match"), dryRun(r))),
                new Route("DELETE", "/machines/{name}", r -> edits.remove(Edits.Kind.MACHINE, r.param("name"),
                        flag(r, "force"), r.header("If-Match"), dryRun(r))),
                new Route("GET", "/services", r -> withVersion(Map.of("services", services()))),
                new Route("POST", "/services", r -> created(edits.add(Edits.Kind.SERVICE, r.body(),
                        r.header("If-Match"), dryRun(r)))),
                new Route("GET", "/services/{name}", r -> service(r.param("name"))),
                new Route("PATCH", "/services/{name}", r -> edits.update(Edits.Kind.SERVICE, r.param("name"), r.body(),
                        r.header("If-Match"), dryRun(r))),
                new Route("DELETE", "/services/{name}", r -> edits.remove(Edits.Kind.SERVICE, r.param("name"),
                        flag(r, "force"), r.header("If-Match"), dryRun(r))),
                new Route("GET", "/services/{name}/logs", this::logs),
                new Route("GET", "/services/{name}/history", r -> history(r.param("name"))),
                new Route("GET", "/groups", r -> groups()),
                new Route("GET", "/graph", r -> graph()),
                new Route("POST", "/plans", r -> created(runs.plan(r.body()))),
                new Route("GET", "/plans/{id}", r -> runs.planDocument(r.param("id"))),
                new Route("POST", "/runs", r -> new Response(202, runs.start(Api.text(r.body(), "plan", true)),
                        Map.of())),
                new Route("GET", "/runs", r -> Map.of("runs", runs.runs())),
                new Route("GET", "/runs/{id}", r -> runs.run(r.param("id"))),
                new Route("POST", "/runs/{id}/cancel", r -> runs.cancel(r.param("id"))),
                new Route("POST", "/history/{id}/rollback", r -> new Response(202, runs.rollback(r.param("id")),
                        Map.of())),
                new Route("GET", "/events", r -> {
                    EventStream.follow(hub, r);
                    return null;
                }),
                new Route("GET", "/openapi.json", r -> openApi()));
    }

    private Response withVersion(Map<String, Object> doc) {
        Map<String, Object> body = new LinkedHashMap<>(doc);
        String sha = source.snapshot().sha256();
        body.putIfAbsent("registrySha256", sha);
        return new Response(200, body, Map.of("ETag", "\"" + sha + "\""));
    }

    private static Response created(Map<String, Object> doc) {
        return new Response(Boolean.FALSE.equals(doc.get("written")) ? 200 : 201, doc, Map.of());
    }

    private static boolean dryRun(Request r) {
        return flag(r, "dryRun");
    }

    private static boolean flag(Request r, String name) {
        String v = r.query(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.isEmpty() || v.equals("true")) {
            return true;
        }
        throw new ApiError(400, "?" + name + " must be true or false, not '" + v + "'");
    }

    private List<Map<String, Object>> machines() {
        Registry registry = source.snapshot().registry();
        List<Map<String, Object>> docs = new ArrayList<>();
        registry.machines().values().forEach(m -> {
            Reachability.Reach r = reach.of(m.name());
            docs.add(Views.machine(m, registry, r == null ? null : r.reachable(), r == null ? "" : r.detail()));
        });
        return docs;
    }

    private Map<String, Object> machine(String name) {
        Registry registry = source.snapshot().registry();
        var m = registry.machine(name).orElseThrow(() -> new ApiError(404, "no machine '" + name + "' in the registry"));
        Reachability.Reach r = reach.of(name);
        return Views.machine(m, registry, r == null ? null : r.reachable(), r == null ? "" : r.detail());
    }

    private List<Map<String, Object>> services() {
        Registry registry = source.snapshot().registry();
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Service s : registry.services().values()) {
            docs.add(serviceDocument(registry, s));
        }
        return docs;
    }

    private Map<String, Object> serviceDocument(Registry registry, Service s) {
        List<DeploymentRecord> h = state.history(s.name());
        Optional<DeploymentRecord> last = h.isEmpty() ? Optional.empty() : Optional.of(h.get(h.size() - 1));
        return Views.service(s, monitor.snapshot(s.name()), last, Edits.dependents(registry, s.name()));
    }

    private Service known(String name) {
        return source.snapshot().registry().service(name)
                .orElseThrow(() -> new ApiError(404, "no service '" + name + "' in the registry"));
    }

    private Map<String, Object> service(String name) {
        return serviceDocument(source.snapshot().registry(), known(name));
    }

    private Map<String, Object> logs(Request r) {
        Service s = known(r.param("name"));
        int lines = 100;
        String n = r.query("lines");
        if (n != null) {
            try {
                lines = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                lines = -1;
            }
            if (lines < 1 || lines > MAX_LOG_LINES) {
                throw new ApiError(400, "?lines must be a number from 1 to " + MAX_LOG_LINES + ", not '" + n + "'");
            }
        }
        return Map.of("service", s.name(), "machine", s.machine(), "lines", lines, "text", logs.apply(s, lines));
    }

    private Map<String, Object> history(String name) {
        known(name);
        List<Map<String, Object>> records = new ArrayList<>();
        List<DeploymentRecord> all = state.history(name);
        for (int i = all.size() - 1; i >= 0; i--) {
            records.add(Views.record(all.get(i)));
        }
        return Map.of("service", name, "records", records);
    }

    private Map<String, Object> groups() {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Group g : source.snapshot().registry().groups().values()) {
            docs.add(Map.of("name", g.name(), "members", g.members()));
        }
        return Map.of("groups", docs);
    }

    private Map<String, Object> graph() {
        Registry registry = source.snapshot().registry();
        List<Map<String, Object>> nodes = new ArrayList<>();
        List<Map<String, Object>> edges = new ArrayList<>();
        for (Service s : registry.services().values()) {
            nodes.add(Map.of("service", s.name(), "machine", s.machine(), "type", s.type().yamlName()));
            for (String d : s.dependsOn()) {
                Map<String, Object> edge = new LinkedHashMap<>();
                edge.put("from", s.name());
                edge.put("to", d);
                edges.add(edge);
            }
        }
        return Map.of("nodes", nodes, "edges", edges);
    }

    private static Object openApi() throws IOException {
        try (InputStream in = Routes.class.getResourceAsStream("/dev/portoser/server/openapi.json")) {
            if (in == null) {
                throw new ApiError(500, "the OpenAPI document is missing from the jar");
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
    }
}
