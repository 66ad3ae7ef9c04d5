package dev.portoser.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Runs an exec request as {@code /bin/sh -c LINE}, like sshd does with the login shell, with one thread per
 * stream (MINA's own process shell pumps all streams from one thread, which deadlocks when a command echoes a
 * large standard input). Closing the session sends TERM to the process, as sshd's signal handling would.
 */
final class ShellProcessCommand implements Command {
    private final String line;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Process process;

    ShellProcessCommand(String line) {
        this.line = line;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        process = new ProcessBuilder("/bin/sh", "-c", line).start();
        Thread stdin = copy("stdin", in, process.getOutputStream(), true);
        Thread stdout = copy("stdout", process.getInputStream(), out, false);
        Thread stderr = copy("stderr", process.getErrorStream(), err, false);
        Thread waiter = new Thread(() -> {
            try {
                int code = process.waitFor();
                stdout.join();
                stderr.join();
                stdin.interrupt();
                exit.onExit(code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mina-exec-wait");
        waiter.setDaemon(true);
        waiter.start();
    }

    private static Thread copy(String name, InputStream from, OutputStream to, boolean closeTarget) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = from.read(buffer)) >= 0) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // The other side went away.
            } finally {
                if (closeTarget) {
                    try {
                        to.close();
                    } catch (IOException e) {
                        // Nothing to do.
                    }
                }
            }
        }, "mina-exec-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }
}
