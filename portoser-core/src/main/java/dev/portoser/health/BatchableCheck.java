package dev.portoser.health;

import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * A check that looks on the machine with a small POSIX {@code sh} script, so that the {@link HealthMonitor} can
 * run the checks of many services on one machine as one remote command per round instead of one each (the
 * registry's {@code process} check is one; a deployer's "container is healthy" or "unit is active" check can be
 * another). Alone, it runs its script through the target's transport. Implementations are thread-safe.
 *
 * <p>The script is a constant of the implementation, never built from registry data: values reach it only as
 * positional parameters ({@code "$1"}, {@code "$2"}...), which the transport quotes. It exits 0 when healthy,
 * {@value #EXIT_DOWN} when the service's own instance is gone, anything else when unhealthy, and prints what it
 * saw.
 */
public interface BatchableCheck extends HealthCheck {
    /** The exit status of a script that found the service's own instance gone ({@link HealthStatus#DOWN}). */
    int EXIT_DOWN = 3;

    /**
     * The script: the same text for every check of one kind, so a batch defines it once.
     *
     * @return the script: the same text for every check of one kind, so a batch defines it once
     */
    String script();

    /**
     * The script's positional arguments for a target.
     *
     * @param target what to check
     * @return the arguments
     */
    List<String> arguments(HealthTarget target);

    /**
     * How long the script may take.
     *
     * @return how long the script may take
     */
    Duration timeout();

    /**
     * The result for what the script did.
     *
     * @param exitCode its exit status
     * @param output what it printed (standard output and error), on one line
     * @param latency how long it took
     * @return the result
     */
    default HealthResult interpret(int exitCode, String output, Duration latency) {
        HealthStatus status = exitCode == 0 ? HealthStatus.HEALTHY
                : exitCode == EXIT_DOWN ? HealthStatus.DOWN : HealthStatus.UNHEALTHY;
        String detail = output.isBlank() ? "exit status " + exitCode : output.strip();
        return new HealthResult(status, detail, latency);
    }

    /** Runs the script alone, through the target's transport. */
    @Override
    default HealthResult check(HealthTarget target) {
        long start = System.nanoTime();
        try {
            CommandResult r = target.transport().exec(Command.script(script(),
                    arguments(target).toArray(String[]::new)).timeout(timeout()));
            String output = (r.stdout() + " " + r.stderr()).replace('\n', ' ').strip();
            return interpret(r.exitCode(), output, Duration.ofNanos(System.nanoTime() - start));
        } catch (TransportTimeoutException e) {
            return HealthResult.unhealthy("the check on " + target.machine().name() + " timed out after "
                    + Checks.human(timeout()), start);
        } catch (TransportException e) {
            return HealthResult.unhealthy("cannot reach " + target.machine().name() + ": " + e.getMessage(), start);
        }
    }
}
