package dev.portoser.examples;

import dev.portoser.exec.FanOut;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import java.time.Duration;
import java.util.Map;

/**
 * One command on every machine of a registry at once, each machine's answer apart: what {@code portoser exec --all}
 * does. Here the machines are this one under two names; pass an {@code SshTransportFactory} for real ones.
 */
public final class RunEverywhere {
    private RunEverywhere() {
    }

    public static void main(String[] args) {
        Registry registry = Registry.parse("""
                machines:
                  left: {host: localhost, user: me, platform: linux}
                  right: {host: localhost, user: me, platform: linux}
                services: {}
                """);
        try (FanOut fanOut = new FanOut(null)) { // null: no remote machines here
            Map<String, FanOut.Result> results = fanOut.run(registry.machines().values(),
                    Command.of("uname", "-s").timeout(Duration.ofSeconds(10)));
            results.forEach((machine, r) -> System.out.println(machine + ": "
                    + (r.succeeded() ? r.result().stdout().strip() : "failed: " + r.error())));
        }
    }
}
