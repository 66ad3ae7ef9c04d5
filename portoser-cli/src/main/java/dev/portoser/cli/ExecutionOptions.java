package dev.portoser.cli;

import dev.portoser.exec.ConsoleProgress;
import dev.portoser.exec.Executor;
import dev.portoser.exec.JsonLinesEvents;
import dev.portoser.exec.RunResult;
import dev.portoser.plan.Plan;
import dev.portoser.registry.Registry;
import dev.portoser.ssh.SshTransportFactory;
import dev.portoser.state.FileStateStore;
import dev.portoser.state.StateStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** How plans are executed from the command line: shared by deploy, start, stop and restart. */
final class ExecutionOptions {
    @Option(names = "--parallel", paramLabel = "N",
            description = "Steps running at once in all (default: as many as the plan allows).")
    @Nullable Integer parallel;

    @Option(names = "--parallel-per-machine", paramLabel = "N", defaultValue = "8",
            description = "Steps running at once on one machine (default: ${DEFAULT-VALUE}, below sshd's MaxSessions).")
    int perMachine;

    @Option(names = "--no-rollback", description = "Do not redeploy the last healthy version when a new one fails.")
    boolean noRollback;

    @Option(names = "--fail-fast", description = "Start no new step after the first failure.")
    boolean failFast;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "Wait this long for another run's lock instead of failing (30s, 2m).")
    Duration lockWait;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "known_hosts for SSH host keys (default: $PORTOSER_KNOWN_HOSTS, config, ~/.ssh/known_hosts).")
    @Nullable Path knownHosts;

    @Option(names = "--trust-on-first-use",
            description = "Accept and record a machine's unknown SSH host key (a changed key is still refused).")
    boolean trustOnFirstUse;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "History and journal (default: $PORTOSER_STATE_DIR, config, ~/.portoser).")
    @Nullable Path stateDir;

    @Option(names = "--heal", description = "Before rolling back a failed step, fix what is ours to fix (our own "
            + "stale instance on the port, a stopped dependency, ...) and try the step once more.")
    boolean heal;

    @Option(names = "--events", description = "Print the run as JSON lines (one event per line) instead of progress.")
    boolean events;

    @Option(names = "--vault-addr", paramLabel = "URL",
            description = "Resolve vault_secrets from this Vault with each machine's AppRole (default: $VAULT_ADDR).")
    @Nullable String vaultAddress;

    @Option(names = "--approles", paramLabel = "DIR",
            description = "AppRole credentials, one MACHINE.json each (default: ~/.portoser/approles).")
    @Nullable Path approles;

    @Option(names = "--secrets-file", paramLabel = "FILE",
            description = "Resolve vault_secrets from a 0600 JSON file instead of Vault.")
    @Nullable Path secretsFile;

    /** Deploys a history record's configuration again (a manual rollback) and prints the outcome. */
    dev.portoser.exec.StepResult rollback(Registry registry, String recordId, PrintWriter out) {
        boolean[] done = {false};
        dev.portoser.exec.StepResult[] result = new dev.portoser.exec.StepResult[1];
        run(registry, true, out, executor -> {
            result[0] = executor.rollbackTo(registry, recordId);
            done[0] = true;
            out.println(result[0].outcome() + ": " + result[0].detail());
            return result[0].outcome().isSuccess() ? ExitCodes.OK : ExitCodes.FAILED;
        });
        return result[0];
    }

    /** Runs a plan, printing progress (or events), and returns the exit code. */
    int execute(Registry registry, Plan plan, PrintWriter out, PrintWriter err) {
        boolean remote = plan.steps().stream().map(s -> registry.machine(s.machine()).orElseThrow())
                .anyMatch(m -> !m.isLocalhost());
        return run(registry, remote, out, executor -> {
            RunResult result = executor.run(registry, plan);
            if (!events) {
                out.println();
                out.print(result.render());
            }
            out.flush();
            return exitCode(result, err);
        });
    }

    /** The history and journal this command uses: --state-dir, then $PORTOSER_STATE_DIR, the config file, ~/.portoser. */
    StateStore stateStore() {
        return OpsCommands.store(stateDir);
    }

    private int run(Registry registry, boolean remote, PrintWriter out, java.util.function.ToIntFunction<Executor> work) {
        return run(registry, remote, out, (executor, ssh) -> work.applyAsInt(executor));
    }

    /**
     * Builds the executor these options describe (and, for remote machines, the SSH transports it uses), runs
     * {@code work} with them, and closes both; {@link #stateDir} is resolved by then.
     */
    int run(Registry registry, boolean remote, PrintWriter out,
            java.util.function.ToIntBiFunction<Executor, @Nullable SshTransportFactory> work) {
        return withMachines(remote, (ssh, secrets) -> {
            Executor.Builder builder = Executor.builder().state(stateStore())
                    .listener(events ? new JsonLinesEvents(out) : new ConsoleProgress(out, System.console() != null));
            configure(builder);
            if (ssh != null) {
                builder.transports(ssh);
            }
            if (heal) {
                FileStateStore store = OpsCommands.store(stateDir);
                dev.portoser.ssh.SshTransportFactory remoteMachines = ssh;
                builder.healer(dev.portoser.heal.FailureHealer.of(r -> {
                    dev.portoser.heal.Healer.Builder h = dev.portoser.heal.Healer.builder(r).state(store)
                            .knowledge(dev.portoser.heal.KnowledgeBase.under(store.directory()))
                            .budgetsUnder(store.directory());
                    if (remoteMachines != null) {
                        h.transports(remoteMachines);
                    }
                    return h.build();
                }));
            }
            if (secrets != null) {
                builder.secrets(secrets);
            }
            try (Executor executor = builder.build()) {
                return work.applyAsInt(executor, ssh);
            }
        });
    }

    /** Sets the executor options given on the command line (parallelism, rollback, fail-fast, lock wait). */
    void configure(Executor.Builder builder) {
        builder.perMachineParallelism(perMachine).rollback(!noRollback).failFast(failFast).lockWait(lockWait);
        if (parallel != null) {
            builder.parallelism(parallel);
        }
    }

    /**
     * Resolves the options from the environment and the config file, then runs {@code work} with the SSH
     * transports (for remote machines, else null) and the secret provider they describe (or null), and closes both.
     */
    int withMachines(boolean remote,
                     java.util.function.ToIntBiFunction<@Nullable SshTransportFactory,
                             dev.portoser.secret.@Nullable SecretProvider> work) {
        ConfigFile config = ConfigFile.load();
        if (knownHosts == null) {
            knownHosts = fromEnvironment("PORTOSER_KNOWN_HOSTS").or(() -> config.path("known_hosts")).orElse(null);
        }
        if (stateDir == null) {
            stateDir = fromEnvironment("PORTOSER_STATE_DIR").or(() -> config.path("state_dir")).orElse(null);
        }
        if (approles == null) {
            approles = config.path("approles").orElse(null);
        }
        SshTransportFactory ssh = remote ? ssh() : null;
        dev.portoser.vault.VaultSecretProvider vault = null;
        try {
            dev.portoser.secret.SecretProvider secrets = null;
            String vaultUrl = vaultAddress != null ? vaultAddress
                    : System.getenv("VAULT_ADDR") != null ? System.getenv("VAULT_ADDR")
                    : config.text("vault_addr").orElse(null);
            if (secretsFile != null) {
                secrets = new dev.portoser.secret.FileSecretProvider(secretsFile);
            } else if (vaultUrl != null && !vaultUrl.isBlank()) {
                dev.portoser.vault.VaultSecretProvider.Builder v =
                        dev.portoser.vault.VaultSecretProvider.builder(java.net.URI.create(vaultUrl));
                if (approles != null) {
                    v.credentials(dev.portoser.vault.AppRoleCredentials.files(approles));
                }
                vault = v.build();
                secrets = vault;
            }
            return work.applyAsInt(ssh, secrets);
        } finally {
            if (ssh != null) {
                ssh.close();
            }
            if (vault != null) {
                vault.close();
            }
        }
    }

    /**
     * Prints the run's warnings, one line each, and picks the exit code: a run whose steps all succeeded but whose
     * history could not be written exits with {@link ExitCodes#NOT_RECORDED}, saying what runs.
     */
    static int exitCode(RunResult result, PrintWriter err) {
        boolean notRecorded = false;
        for (String warning : result.warnings()) {
            err.println("portoser: warning: " + warning);
            notRecorded |= warning.startsWith("history not recorded") || warning.startsWith("journal not");
        }
        if (notRecorded && result.succeeded()) {
            err.println("portoser: every step did what it reports above on the machines; the controller's state "
                    + "was not fully recorded");
        }
        err.flush();
        if (!result.succeeded()) {
            return ExitCodes.FAILED;
        }
        return notRecorded ? ExitCodes.NOT_RECORDED : ExitCodes.OK;
    }

    /** A path from an environment variable, when it is set. */
    static java.util.Optional<Path> fromEnvironment(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(value));
    }

    private SshTransportFactory ssh() {
        SshTransportFactory.Builder b = SshTransportFactory.builder();
        if (knownHosts != null) {
            b.knownHosts(knownHosts);
        }
        if (trustOnFirstUse) {
            b.trustOnFirstUse();
        }
        return b.build();
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a number of seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            Matcher m = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new picocli.CommandLine.TypeConversionException(
                        "expected a duration such as 30s, 500ms, 2m or 1h, found '" + value + "'");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }
}
