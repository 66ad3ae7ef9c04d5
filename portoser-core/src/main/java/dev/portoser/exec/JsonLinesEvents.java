package dev.portoser.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.health.HealthResult;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes every event as one JSON object per line ({@code schemaVersion} 1, {@code time}, {@code event}, and the
 * event's fields), for tools that follow a run. Built with Jackson, never by concatenation; carries no secret
 * (events never hold one). Thread-safe.
 */
public final class JsonLinesEvents extends ExecutionListener {
    /** Version of the event format. */
    public static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;

    /**
     * An event writer.
     *
     * @param out where lines go; flushed after each
     */
    public JsonLinesEvents(Writer out) {
        this.out = Objects.requireNonNull(out, "out == null");
    }

    @Override
    public void runStarted(String runId, Plan plan) {
        emit("runStarted", Map.of("runId", runId, "scope", plan.scope(), "steps", plan.steps().size()));
    }

    @Override
    public void stepStarted(Step step) {
        emit("stepStarted", step(step));
    }

    @Override
    public void commandEnded(Step step, dev.portoser.transport.Command command,
                             dev.portoser.transport.CommandResult result) {
        Map<String, Object> m = step(step);
        m.put("command", command.toString());
        m.put("exitCode", result.exitCode());
        m.put("durationMillis", result.duration().toMillis());
        emit("commandEnded", m);
    }

    @Override
    public void lockWaiting(Step step, String holder) {
        Map<String, Object> m = step(step);
        m.put("holder", holder);
        emit("lockWaiting", m);
    }

    @Override
    public void lockAcquired(Step step, boolean tookOver) {
        Map<String, Object> m = step(step);
        m.put("tookOver", tookOver);
        emit("lockAcquired", m);
    }

    @Override
    public void healthChecked(Step step, String service, HealthResult result) {
        Map<String, Object> m = step(step);
        m.put("checked", service);
        m.put("status", result.status().name());
        m.put("detail", result.detail());
        m.put("latencyMillis", result.latency().toMillis());
        emit("healthChecked", m);
    }

    @Override
    public void rollbackStarted(Step step, String toRecordId) {
        Map<String, Object> m = step(step);
        m.put("toRecord", toRecordId);
        emit("rollbackStarted", m);
    }

    @Override
    public void stepEnded(StepResult result) {
        Map<String, Object> m = step(result.step());
        m.put("outcome", result.outcome().name());
        m.put("durationMillis", result.duration().toMillis());
        m.put("detail", result.detail());
        if (result.exitCode() != null) {
            m.put("exitCode", result.exitCode());
        }
        emit("stepEnded", m);
    }

    @Override
    public void runEnded(RunResult result) {
        emit("runEnded", Map.of("runId", result.runId(), "succeeded", result.succeeded(),
                "durationMillis", result.duration().toMillis()));
    }

    private static Map<String, Object> step(Step step) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step.id());
        m.put("service", step.service());
        m.put("machine", step.machine());
        m.put("action", step.action().name());
        return m;
    }

    private synchronized void emit(String event, Map<String, Object> fields) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", SCHEMA_VERSION);
        doc.put("time", Instant.now().toString());
        doc.put("event", event);
        doc.putAll(fields);
        try {
            out.write(JSON.writeValueAsString(doc));
            out.write('\n');
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an event", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
