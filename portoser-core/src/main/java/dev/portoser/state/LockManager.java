package dev.portoser.state;

import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Locks per service on the target machine, so that two controllers never act on one service at once.
 *
 * <p>A lock is the directory {@code ~/.portoser/locks/SERVICE} made with {@code mkdir} (atomic) plus an owner record:
 * lease end (the machine's clock), controller id, process id, host. The holder renews the lease while it works; a
 * lock whose lease ended is taken over safely (the stale directory is renamed away first, so of two controllers
 * taking over at once only one wins). Thread-safe and stateless.
 */
public final class LockManager {
    private static final String ACQUIRE = String.join("\n",
            "base=\"$HOME/.portoser/locks\"; d=\"$base/$1\"; owner=$2 lease=$3; mkdir -p \"$base\"",
            "now=$(date +%s)",
            "take() { printf '%s %s\\n' \"$((now + lease))\" \"$owner\" > \"$d/owner.tmp\" && mv -f \"$d/owner.tmp\" \"$d/owner\"; }",
            "if mkdir \"$d\" 2>/dev/null; then take; echo acquired; exit 0; fi",
            "if [ -f \"$d/owner\" ]; then exp=$(cut -d' ' -f1 \"$d/owner\");",
            // A directory without an owner is being created right now, unless it is old (its creator died).
            "elif [ -n \"$(find \"$d\" -maxdepth 0 -mmin +2 2>/dev/null)\" ]; then exp=0; else exp=$((now + 1)); fi",
            "if [ \"$now\" -gt \"${exp:-0}\" ] && mv \"$d\" \"$d.stale.$$\" 2>/dev/null; then",
            "  rm -rf \"$d.stale.$$\"",
            "  if mkdir \"$d\" 2>/dev/null; then take; echo took-over; exit 0; fi",
            "fi",
            "echo \"held $(cut -d' ' -f2- \"$d/owner\" 2>/dev/null) until $(cut -d' ' -f1 \"$d/owner\" 2>/dev/null)\"");

    private static final String RENEW = String.join("\n",
            "d=\"$HOME/.portoser/locks/$1\"; now=$(date +%s)",
            "[ \"$(cut -d' ' -f2 \"$d/owner\" 2>/dev/null)\" = \"$4\" ] || { echo lost; exit 1; }",
            "printf '%s %s\\n' \"$((now + $3))\" \"$2\" > \"$d/owner.tmp\" && mv -f \"$d/owner.tmp\" \"$d/owner\" && echo renewed");

    private static final String RELEASE = String.join("\n",
            "d=\"$HOME/.portoser/locks/$1\"",
            "if [ \"$(cut -d' ' -f2 \"$d/owner\" 2>/dev/null)\" = \"$2\" ]; then rm -rf \"$d\"; echo released; else echo not-ours; fi");

    private final String controllerId;
    private final Duration lease;

    /**
     * A lock manager for one controller.
     *
     * @param controllerId who this controller is: letters, digits, '-', '_', '.', ':'
     * @param lease how long a lock lasts without renewal
     */
    public LockManager(String controllerId, Duration lease) {
        if (!controllerId.matches("[A-Za-z0-9_.:-]{1,128}")) {
            throw new IllegalArgumentException("controllerId must be letters, digits, '-', '_', '.', ':', was "
                    + controllerId);
        }
        this.controllerId = controllerId;
        this.lease = Objects.requireNonNull(lease, "lease == null");
    }

    /**
     * This controller's id.
     *
     * @return this controller's id
     */
    public String controllerId() {
        return controllerId;
    }

    /**
     * The lease length.
     *
     * @return the lease length
     */
    public Duration lease() {
        return lease;
    }

    /**
     * Takes the lock of a service, waiting for it up to {@code wait} (zero: do not wait).
     *
     * @param transport a transport to the service's machine
     * @param service the service's name
     * @param wait how long to wait for another holder to finish
     * @return {@code acquired} or {@code took-over} (a lock whose lease had ended)
     * @throws LockedException when another controller still holds it after the wait
     * @throws TransportException when the machine cannot be reached
     * @throws InterruptedException when interrupted while waiting
     */
    public String acquire(Transport transport, String service, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CommandResult r = transport.exec(Command.script(ACQUIRE, service, owner(), String.valueOf(lease.toSeconds()))
                    .timeout(Duration.ofSeconds(30)));
            String answer = r.stdout().strip();
            if (answer.equals("acquired") || answer.equals("took-over")) {
                return answer;
            }
            if (!answer.startsWith("held ")) {
                throw new TransportException(transport.machine().name(), "cannot take the lock of " + service + " on "
                        + transport.machine().name() + ": exit " + r.exitCode() + " " + r.tail(3), null);
            }
            if (System.nanoTime() >= deadline) {
                throw new LockedException(service, transport.machine().name(), answer.substring(5));
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * Extends the lease of a lock this controller holds.
     *
     * @param transport a transport to the machine
     * @param service the service's name
     * @return false when the lock is no longer ours (it expired and was taken over)
     */
    public boolean renew(Transport transport, String service) {
        return transport.exec(Command.script(RENEW, service, owner(), String.valueOf(lease.toSeconds()), controllerId)
                .timeout(Duration.ofSeconds(30))).succeeded();
    }

    /**
     * Releases a lock if this controller holds it.
     *
     * @param transport a transport to the machine
     * @param service the service's name
     */
    public void release(Transport transport, String service) {
        transport.exec(Command.script(RELEASE, service, controllerId).timeout(Duration.ofSeconds(30)));
    }

    private String owner() {
        return controllerId + " " + ProcessHandle.current().pid() + " " + hostName();
    }

    private static String hostName() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName();
            return name.matches("[A-Za-z0-9_.-]{1,253}") ? name : "unknown-host";
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }
}
