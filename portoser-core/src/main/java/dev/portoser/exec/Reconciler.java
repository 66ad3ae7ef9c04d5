package dev.portoser.exec;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.JournalEntry;
import dev.portoser.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a run: the journal's steps of controllers that are gone (killed mid-step) are named, what runs now is
 * looked at and recorded in the history as {@code INTERRUPTED}, and the journal is cleared. Steps of a controller
 * that still runs are left alone.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final StepEnvironment env;
    private final Registry registry;
    private final List<String> warnings;

    /**
     * @param env what steps work with
     * @param registry the current registry
     * @param warnings where what was found is said
     */
    Reconciler(StepEnvironment env, Registry registry, List<String> warnings) {
        this.env = env;
        this.registry = registry;
        this.warnings = warnings;
    }

    /**
     * In-flight steps of controllers that are gone: name them, note what runs now, clear the journal. The step
     * itself is not repeated here; when this plan has it again, its deployer adopts an instance that already
     * runs this configuration rather than start a second one.
     */
    List<JournalEntry> reconcile() {
        List<JournalEntry> found = new ArrayList<>();
        List<JournalEntry> inFlight;
        try {
            inFlight = env.state().inFlight();
        } catch (RuntimeException e) {
            warnings.add("cannot read the journal: " + e.getMessage());
            return found;
        }
        for (JournalEntry entry : inFlight) {
            // A live process with that PID that started after the step did is another process (PIDs are reused).
            boolean alive = ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive)
                    .map(p -> p.info().startInstant().map(t -> !t.isAfter(entry.started())).orElse(true))
                    .orElse(false);
            if (alive) {
                continue; // another live executor (maybe in this very process) is working on it
            }
            found.add(entry);
            String detail = "the previous run " + entry.runId() + " (controller " + entry.controller() + ", pid "
                    + entry.pid() + ", no longer running) was interrupted during " + entry.action() + " of "
                    + entry.service() + " on " + entry.machine();
            Optional<Service> service = registry.service(entry.service());
            Optional<Machine> machine = registry.machine(entry.machine());
            if (service.isPresent() && machine.isPresent()) {
                Service s = service.get();
                Deployer deployer = env.deployers().forType(s.type()).orElse(null);
                try (Transport t = env.open(machine.get())) {
                    if (deployer != null) {
                        ServiceStatus now = deployer.status(new DeployContext(s, machine.get(), t, s.port(),
                                Map.of(), env.commandTimeout(), env.digest().get()));
                        detail += "; now " + now.state().name().toLowerCase(java.util.Locale.ROOT) + ": "
                                + now.detail();
                    }
                    String recorded = detail;
                    StepRunner.noteState(warnings, "history not recorded for " + s.name() + " (interrupted)", () -> env.state().record(
                            new DeploymentRecord(UUID.randomUUID().toString().substring(0, 12), Instant.now(),
                                    entry.runId(), s.name(), entry.machine(), entry.action(), "INTERRUPTED",
                                    Duration.ZERO, s, Executor.fingerprint(s, s.port()), s.port(), false, entry.controller(),
                                    recorded)));
                } catch (RuntimeException e) {
                    detail += "; cannot look at it now: " + e.getMessage();
                }
            }
            LOG.info("{}", detail);
            warnings.add(detail);
            StepRunner.noteState(warnings, "journal not cleared for " + entry.stepId(), () -> env.state().end(entry.runId(), entry.stepId()));
        }
        return found;
    }
}
