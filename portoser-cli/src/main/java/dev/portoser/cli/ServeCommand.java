package dev.portoser.cli;

import dev.portoser.registry.Registry;
import dev.portoser.server.PortoserServer;
import dev.portoser.state.FileStateStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portoser serve}: the web dashboard and HTTP API for the registry, until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the web dashboard and the HTTP API (/api/v1) for the registry, with live health, "
                + "until Ctrl-C.",
                "It listens on 127.0.0.1 and needs its token (printed as a one-time login link; also in "
                        + "STATE_DIR/server.token). It re-reads the registry when the file changes.",
                "With --heal it also heals services that turn unhealthy (only what is ours to fix, with back-off "
                        + "and a circuit breaker per service)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Mixin
    ExecutionOptions execution;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7900",
            description = "The port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--no-token", description = "Let any local user use the API without the token (loopback only).")
    boolean noToken;

    @Override
    public Integer call() throws InterruptedException {
        Path file = options.locate(System::getenv);
        PrintWriter out = spec.commandLine().getOut();
        Registry first = options.load(spec.commandLine().getErr());
        boolean remote = first.machines().values().stream().anyMatch(m -> !m.isLocalhost());
        return execution.withMachines(remote, (ssh, secrets) -> {
            FileStateStore store = execution.stateStore() instanceof FileStateStore f ? f : OpsCommands.store(null);
            PortoserServer.Builder b = PortoserServer.builder(file).loader(options.loader())
                    .stateDirectory(store.directory()).state(store).bind(bind, port).requireToken(!noToken)
                    .healing(execution.heal).executorOptions(execution::configure);
            if (ssh != null) {
                b.transports(ssh);
            }
            if (secrets != null) {
                b.secrets(secrets);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            try (PortoserServer server = b.start()) {
                Thread hook = new Thread(() -> {
                    server.close();
                    try {
                        stopped.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "portoser-serve-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                out.println("serving " + file + " at " + server.url());
                out.println(noToken ? "no token needed (loopback only)"
                        : "open " + server.loginUrl() + " (a one-time login link, valid 10 minutes)");
                out.println("Ctrl-C stops");
                out.flush();
                try {
                    server.awaitClose();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.println("stopped serving");
                out.flush();
            } finally {
                stopped.countDown();
            }
            return ExitCodes.OK;
        });
    }
}
