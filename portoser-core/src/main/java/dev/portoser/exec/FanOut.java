package dev.portoser.exec;

import dev.portoser.registry.Machine;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import dev.portoser.transport.internal.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Runs one command on many machines at once and collects each machine's result: the embeddable side of
 * {@code portoser exec}. Machines whose host is {@code localhost} are reached through {@link LocalTransport}, the
 * others through the given factory (usually an {@code SshTransportFactory}, whose pooled connections make a second
 * fan-out cheap). A machine that cannot be reached is a result too, never an exception. Thread-safe;
 * {@link #close()} stops its daemon threads {@code portoser-fanout-*} (not the factory, which the caller owns).
 *
 * <pre>{@code
 * try (FanOut fanOut = new FanOut(ssh)) {
 *     Map<String, FanOut.Result> results = fanOut.run(registry.machines().values(), Command.of("uptime"));
 * }
 * }</pre>
 */
public final class FanOut implements AutoCloseable {
    private final @Nullable TransportFactory remote;
    private final ExecutorService workers = DaemonThreads.cachedPool("fanout");

    /**
     * A fan-out that reaches remote machines through a factory.
     *
     * @param remote how machines other than localhost are reached, or null when every machine is localhost
     */
    public FanOut(@Nullable TransportFactory remote) {
        this.remote = remote;
    }

    /**
     * What one machine answered.
     *
     * @param machine the machine's name
     * @param result the command's result, or null when the machine could not be reached
     * @param error why it could not be reached (a sentence), or null
     * @param duration how long it took on this machine, connecting included
     */
    public record Result(String machine, @Nullable CommandResult result, @Nullable String error, Duration duration) {
        /**
         * Checks the components.
         *
         * @param machine the machine
         * @param duration the duration
         * @param error the error
         * @param result the result
         */
        public Result {
            Objects.requireNonNull(machine, "machine == null");
            Objects.requireNonNull(duration, "duration == null");
        }

        /**
         * Whether the command ran and exited 0.
         *
         * @return whether the command ran and exited 0
         */
        public boolean succeeded() {
            return result != null && result.succeeded();
        }
    }

    /**
     * Runs the command on every machine at once and waits for all.
     *
     * @param machines the machines
     * @param command the command (its timeout bounds each machine)
     * @return one result per machine, in the order given, by machine name
     */
    public Map<String, Result> run(Iterable<Machine> machines, Command command) {
        Objects.requireNonNull(command, "command == null");
        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (Machine m : machines) {
            futures.add(CompletableFuture.supplyAsync(() -> runOn(m, command), workers));
        }
        Map<String, Result> results = new LinkedHashMap<>();
        for (CompletableFuture<Result> f : futures) {
            Result r = f.join();
            results.put(r.machine(), r);
        }
        return results;
    }

    private Result runOn(Machine machine, Command command) {
        long start = System.nanoTime();
        try (Transport t = open(machine)) {
            CommandResult r = t.exec(command);
            return new Result(machine.name(), r, null, Duration.ofNanos(System.nanoTime() - start));
        } catch (TransportException e) {
            return new Result(machine.name(), null, e.getMessage(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private Transport open(Machine machine) {
        if (machine.isLocalhost()) {
            return new LocalTransport(machine);
        }
        if (remote == null) {
            throw new TransportException(machine.name(), "machine " + machine.name() + " (" + machine.host()
                    + ") is remote and no transport for remote machines was given", null);
        }
        return remote.open(machine);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
