package dev.portoser.ssh;

import dev.portoser.exec.Executor;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import dev.portoser.state.FileStateStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A controller in its own process, for the test that kills one with SIGKILL in the middle of a run.
 * Arguments: registry file, known_hosts, state directory, service to deploy.
 */
public final class ControllerMain {
    private ControllerMain() {
    }

    public static void main(String[] args) {
        Registry registry = Registry.load(Path.of(args[0]));
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(Path.of(args[1])).build();
             Executor executor = Executor.builder().transports(ssh).state(new FileStateStore(Path.of(args[2])))
                     .lockLease(Duration.ofSeconds(6)).healthTimeout(Duration.ofSeconds(60)).build()) {
            System.out.println(executor.run(registry, Planner.of(registry).deploy(args[3])).render());
        }
    }
}
