package dev.portoser.transport.internal;

import dev.portoser.transport.Command;
import dev.portoser.transport.OutputListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The three streams of a running command, handled the same way by every transport: standard output and standard
 * error drained on their own threads (so a command filling one never blocks on the other), standard input written
 * on a third and then closed, or closed at once when there is none (so a command reading it ends).
 */
public final class CommandStreams {
    private final OutputCollector out;
    private final OutputCollector err;
    private final Future<?> outDone;
    private final Future<?> errDone;

    private CommandStreams(OutputCollector out, OutputCollector err, Future<?> outDone, Future<?> errDone) {
        this.out = out;
        this.err = err;
        this.outDone = outDone;
        this.errDone = errDone;
    }

    /**
     * Starts pumping.
     *
     * @param pumps the threads to use
     * @param command the command, for its stdin and output listener
     * @param stdout the command's standard output
     * @param stderr the command's standard error
     * @param stdin the command's standard input
     * @return the running pumps
     * @throws IOException when standard input cannot be closed
     */
    public static CommandStreams start(ExecutorService pumps, Command command, InputStream stdout, InputStream stderr,
                                       OutputStream stdin) throws IOException {
        OutputCollector out = new OutputCollector(OutputListener.Stream.STDOUT, command.output());
        OutputCollector err = new OutputCollector(OutputListener.Stream.STDERR, command.output());
        Future<?> outDone = pumps.submit(() -> drain(out, stdout));
        Future<?> errDone = pumps.submit(() -> drain(err, stderr));
        byte[] input = command.stdin();
        if (input == null) {
            stdin.close();
        } else {
            pumps.submit(() -> feed(stdin, input));
        }
        return new CommandStreams(out, err, outDone, errDone);
    }

    /**
     * Waits until both output streams have ended.
     *
     * @param timeout how long, in nanoseconds
     * @throws ExecutionException when reading failed
     * @throws TimeoutException when the streams stayed open (a background process kept them)
     * @throws InterruptedException when interrupted
     */
    public void awaitOutput(long timeout) throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout;
        outDone.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        errDone.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Standard output as text. */
    public String stdout() {
        return out.text();
    }

    /** Standard error as text. */
    public String stderr() {
        return err.text();
    }

    private static Void drain(OutputCollector collector, InputStream in) throws IOException {
        try (in) {
            collector.drain(in);
        }
        return null;
    }

    private static void feed(OutputStream stdin, byte[] bytes) {
        try (stdin) {
            stdin.write(bytes);
            stdin.flush();
        } catch (IOException e) {
            // The command ended without reading all of its input; that is its business.
        }
    }
}
