package dev.portoser.server.internal;

import dev.portoser.health.HealthState;
import dev.portoser.health.ServiceHealth;
import dev.portoser.health.HealthTransition;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Problem;
import dev.portoser.registry.Registry;
import dev.portoser.registry.SecretRef;
import dev.portoser.registry.Service;
import dev.portoser.state.DeploymentRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The JSON documents of the API, as maps (written by Jackson). What the browser may see and nothing else: no
 * secret value, no AppRole secret id or role id, no environment values (only their names), secret references only
 * by path and key.
 */
public final class Views {
    private Views() {
    }

    /**
     * A machine.
     *
     * @param m the machine
     * @param registry the registry it is in
     * @param reachable whether the last probe reached it, or null before the first
     * @param reachDetail what the last probe said
     * @return its document
     */
    public static Map<String, Object> machine(Machine m, Registry registry, @Nullable Boolean reachable,
                                              String reachDetail) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", m.name());
        doc.put("host", m.host());
        doc.put("user", m.user());
        doc.put("platform", m.platform().name().toLowerCase(Locale.ROOT));
        doc.put("sshPort", m.sshPort());
        doc.put("tags", m.tags());
        doc.put("description", m.description());
        doc.put("vaultRole", m.vaultRole());
        doc.put("reachable", reachable);
        doc.put("reachDetail", reachDetail);
        doc.put("services", registry.servicesOn(m.name()).stream().map(Service::name).toList());
        return doc;
    }

    /**
     * A service with its live state.
     *
     * @param s the service
     * @param health what the monitor knows of it, if anything
     * @param last its last deployment, if any
     * @param dependents the services that depend on it
     * @return its document
     */
    public static Map<String, Object> service(Service s, Optional<ServiceHealth> health,
                                              Optional<DeploymentRecord> last, List<String> dependents) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", s.name());
        doc.put("type", s.type().yamlName());
        doc.put("machine", s.machine());
        doc.put("path", s.path());
        doc.put("port", s.autoPort() ? "auto" : s.port());
        doc.put("ports", s.ports());
        doc.put("dependsOn", s.dependsOn());
        doc.put("dependents", dependents);
        doc.put("group", s.group());
        doc.put("tags", s.tags());
        doc.put("description", s.description());
        doc.put("command", s.command());
        doc.put("composeFile", s.composeFile());
        doc.put("serviceName", s.serviceName());
        doc.put("logFile", s.logFile());
        doc.put("envKeys", List.copyOf(s.env().keySet()));
        List<Map<String, Object>> secrets = new ArrayList<>();
        for (SecretRef r : s.vaultSecrets()) {
            secrets.add(Map.of("path", r.path(), "keys", r.keys()));
        }
        doc.put("vaultSecrets", secrets);
        doc.put("health", s.healthSpec().map(Views::healthSpec).orElse(null));
        doc.put("state", health.map(h -> h.state().name()).orElse(HealthState.UNKNOWN.name()));
        doc.put("since", health.map(h -> h.since().toString()).orElse(null));
        doc.put("detail", health.map(h -> h.lastResult() == null ? "" : h.lastResult().detail()).orElse(""));
        doc.put("latencyMillis", health.map(h -> h.lastResult() == null ? null : h.lastResult().latency().toMillis())
                .orElse(null));
        doc.put("blockedBy", health.map(ServiceHealth::blockedBy).orElse(List.of()));
        doc.put("lastDeploy", last.map(Views::deploySummary).orElse(null));
        return doc;
    }

    private static Map<String, Object> healthSpec(HealthSpec h) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", h.type().name().toLowerCase(Locale.ROOT));
        doc.put("endpoint", h.endpoint());
        doc.put("port", h.port());
        doc.put("intervalSeconds", h.interval().toMillis() / 1000.0);
        doc.put("timeoutSeconds", h.timeout().toMillis() / 1000.0);
        doc.put("retries", h.retries());
        return doc;
    }

    private static Map<String, Object> deploySummary(DeploymentRecord r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", r.id());
        doc.put("time", r.time().toString());
        doc.put("machine", r.machine());
        doc.put("action", r.action());
        doc.put("outcome", r.outcome());
        doc.put("healthy", r.healthy());
        return doc;
    }

    /**
     * A history record, without the configuration it deployed (which may name secrets' places).
     *
     * @param r the record
     * @return its document
     */
    public static Map<String, Object> record(DeploymentRecord r) {
        Map<String, Object> doc = deploySummary(r);
        doc.put("runId", r.runId());
        doc.put("service", r.service());
        doc.put("durationMillis", r.duration().toMillis());
        doc.put("port", r.port());
        doc.put("configFingerprint", r.configFingerprint());
        doc.put("controller", r.controller());
        doc.put("detail", r.detail());
        return doc;
    }

    /**
     * A plan's steps, in order.
     *
     * @param plan the plan
     * @return one document per step
     */
    public static List<Map<String, Object>> steps(Plan plan) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Step s : plan.steps()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", s.id());
            doc.put("action", s.action().name());
            doc.put("service", s.service());
            doc.put("machine", s.machine());
            doc.put("fromMachine", s.fromMachine());
            doc.put("type", s.type().yamlName());
            doc.put("waitsFor", s.waitsFor());
            doc.put("reason", s.reason());
            doc.put("wave", s.wave());
            steps.add(doc);
        }
        return steps;
    }

    /**
     * A health transition, as sent on the event stream.
     *
     * @param t the transition
     * @return its document
     */
    public static Map<String, Object> transition(HealthTransition t) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("service", t.service());
        doc.put("from", t.from().name());
        doc.put("to", t.to().name());
        doc.put("at", t.at().toString());
        doc.put("rootCause", t.rootCause());
        doc.put("detail", t.result() == null ? "" : t.result().detail());
        return doc;
    }

    /**
     * Registry problems, each with the field a form shows it at (the last part of its path).
     *
     * @param problems the problems
     * @return one document per problem
     */
    public static List<Map<String, Object>> problems(List<Problem> problems) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Problem p : problems) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("path", p.path());
            int dot = p.path().lastIndexOf('.');
            doc.put("field", dot < 0 ? p.path() : p.path().substring(dot + 1));
            doc.put("line", p.line());
            doc.put("column", p.column());
            doc.put("message", p.message());
            doc.put("text", p.toString());
            docs.add(doc);
        }
        return docs;
    }
}
