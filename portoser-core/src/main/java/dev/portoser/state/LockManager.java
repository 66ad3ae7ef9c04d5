package dev.portoser.state;

import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.OutputListener;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks per service on the target machine, so that two controllers never act on one service at once.
 *
 * <p>A lock is the directory {@code ~/.portoser/locks/SERVICE} made with {@code mkdir} (atomic) plus an owner record,
 * one line: lease end (the machine's clock, epoch seconds), controller id, process id, controller host and the
 * controller process's start time (epoch milliseconds, {@code -} where unknown). The holder renews the lease while it
 * works. A lock is taken over when its lease ended, when its record is unreadable and older than a lease, or at once
 * when its owner ran on this very host and that process is gone (its PID is dead, or now names a process that started
 * at another time: PIDs are reused). A take-over renames the owner record aside first and checks it is still the one
 * judged stale, so of two controllers taking over at once only one wins. Thread-safe and stateless.
 */
public final class LockManager {
    private static final String ACQUIRE = String.join("\n",
            "base=\"$HOME/.portoser/locks\"; d=\"$base/$1\"; owner=$2 lease=$3 dead=$4; mkdir -p \"$base\"",
            "[ -L \"$base\" ] || [ -L \"$d\" ] && { echo \"refused: $d or its directory is a symbolic link\"; exit 3; }",
            "now=$(date +%s); mins=$(( (lease + 59) / 60 ))",
            // noclobber: the temporary record is created afresh, never written through something planted there.
            "take() { rm -f \"$d/owner.tmp\"; (set -C; printf '%s %s\\n' \"$((now + lease))\" \"$owner\" > \"$d/owner.tmp\")"
                    + " && mv -f \"$d/owner.tmp\" \"$d/owner\"; }",
            // Compare-and-swap on the record: rename it aside, and put it back if it is not the one judged stale.
            "steal() { t=\"$d/owner.take.$$\"; mv \"$d/owner\" \"$t\" 2>/dev/null || return 1;",
            "  if [ \"$(rec \"$t\")\" = \"$1\" ]; then take && rm -f \"$t\" && echo \"took-over $1\" && exit 0; fi",
            "  mv \"$t\" \"$d/owner\"; return 1; }",
            // The record as one printable line, however garbled the file is.
            "rec() { head -c 600 \"$1\" | head -n 1 | tr -cd '[:print:]'; }",
            "old() { [ -n \"$(find \"$1\" -maxdepth 0 -mmin +\"$mins\" 2>/dev/null)\" ]; }",
            "if mkdir \"$d\" 2>/dev/null; then take; echo acquired; exit 0; fi",
            "if [ ! -e \"$d/owner\" ]; then",
            // A directory without an owner is being created right now, unless it is old (its creator died).
            "  if old \"$d\" && mv \"$d\" \"$d.stale.$$\" 2>/dev/null; then rm -rf \"$d.stale.$$\";",
            "    if mkdir \"$d\" 2>/dev/null; then take; echo 'took-over - an ownerless lock'; exit 0; fi; fi",
            "  echo 'held - being taken'; exit 0",
            "fi",
            "rec=$(rec \"$d/owner\")",
            "exp=${rec%% *}",
            "case $exp in",
            "  ''|*[!0-9]*) old \"$d/owner\" && steal \"$rec\" ;;",
            "  *) [ \"$now\" -gt \"$exp\" ] && steal \"$rec\" ;;",
            "esac",
            "[ -n \"$dead\" ] && [ \"$rec\" = \"$dead\" ] && steal \"$rec\"",
            "echo \"held $rec\"");

    private static final String RENEW = String.join("\n",
            "d=\"$HOME/.portoser/locks/$1\"; now=$(date +%s)",
            "[ \"$(cut -d' ' -f2 \"$d/owner\" 2>/dev/null)\" = \"$4\" ] || { echo lost; exit 1; }",
            "rm -f \"$d/owner.tmp\"; (set -C; printf '%s %s\\n' \"$((now + $3))\" \"$2\" > \"$d/owner.tmp\")"
                    + " && mv -f \"$d/owner.tmp\" \"$d/owner\" && echo renewed");

    /** Releases each lock named after the controller id ($1) that is still that controller's. */
    private static final String RELEASE = String.join("\n",
            "ctl=$1; shift",
            "for s do d=\"$HOME/.portoser/locks/$s\"",
            "  if [ \"$(cut -d' ' -f2 \"$d/owner\" 2>/dev/null)\" = \"$ctl\" ]; then rm -rf \"$d\"; fi",
            "done");

    /**
     * One round trip for a step's first command: releases earlier locks ($5 = controller id, $6 = how many, then
     * their names), takes the lock of $1 (owner $2, lease $3) as {@link #ACQUIRE} does, prints its answer as the
     * first line and, only when it was taken, runs the command (the remaining arguments) in its place, with the
     * standard input meant for it. Otherwise exits 75 and the command does not run.
     */
    private static final String ACQUIRE_THEN_RUN = String.join("\n",
            "svc=$1 owner=$2 lease=$3 ctl=$5 n=$6; shift 6",
            "while [ \"$n\" -gt 0 ]; do d=\"$HOME/.portoser/locks/$1\"",
            "  if [ \"$(cut -d' ' -f2 \"$d/owner\" 2>/dev/null)\" = \"$ctl\" ]; then rm -rf \"$d\"; fi",
            "  shift; n=$((n - 1)); done",
            "a=$(set -- \"$svc\" \"$owner\" \"$lease\" ''",
            ACQUIRE,
            ") < /dev/null",
            "printf '%s\\n' \"$a\"",
            "case $a in acquired|took-over*) exec \"$@\" ;; esac",
            "exit 75");

    private static final Logger LOG = LoggerFactory.getLogger(LockManager.class);
    /** This process's start time, which tells a later process that reuses its PID from it. */
    private static final String START = ProcessHandle.current().info().startInstant()
            .map(i -> String.valueOf(i.toEpochMilli())).orElse("-");

    private final String controllerId;
    private final Duration lease;
    /**
     * The locks held in this JVM now, as {@code controller@machine/service} (JVM-wide, so two managers given the
     * same controller id never take each other's): a record of ours not among them is left over.
     */
    private static final java.util.Set<String> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
     * @return {@code acquired}, or {@code took-over} (a lock whose lease had ended, whose record was unreadable and
     *     old, or whose owner on this host is gone)
     * @throws LockedException when another controller still holds it after the wait
     * @throws TransportException when the machine cannot be reached
     * @throws InterruptedException when interrupted while waiting
     */
    public String acquire(Transport transport, String service, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        String dead = "";
        while (true) {
            CommandResult r = transport.exec(Command.script(ACQUIRE, service, owner(), String.valueOf(lease.toSeconds()),
                    dead).timeout(Duration.ofSeconds(30)));
            String answer = r.stdout().strip();
            if (answer.equals("acquired")) {
                HELD.add(key(transport, service));
                return answer;
            }
            if (answer.equals("took-over") || answer.startsWith("took-over ")) {
                String previous = answer.substring("took-over".length()).strip();
                LOG.warn("took over the lock of {} on {} from {}", service, transport.machine().name(),
                        describe(previous));
                HELD.add(key(transport, service));
                return "took-over";
            }
            if (!answer.startsWith("held ")) {
                throw new TransportException(transport.machine().name(), "cannot take the lock of " + service + " on "
                        + transport.machine().name() + ": " + (answer.startsWith("refused: ") ? answer.substring(9)
                        : "exit " + r.exitCode() + " " + r.tail(3)), null);
            }
            String record = answer.substring("held ".length());
            if (!record.equals(dead) && (ownerIsGone(record) || leftOverByUs(record, key(transport, service)))) {
                dead = record; // ask again, naming the record to take over; it is taken only if it is still that one
                continue;
            }
            if (System.nanoTime() >= deadline) {
                throw new LockedException(service, transport.machine().name(), describe(record));
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * Whether the owner of a lock record was a process on this host that no longer runs. Only this host's own
     * processes can be judged; another host's owner keeps its lease.
     */
    static boolean ownerIsGone(String record) {
        String[] f = record.split(" ");
        if (f.length < 4 || !f[0].matches("[0-9]{1,19}") || !f[2].matches("[0-9]{1,19}") || !f[3].equals(hostName())) {
            return false;
        }
        long pid = Long.parseLong(f[2]);
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return true;
        }
        if (f.length < 5 || !f[4].matches("[0-9]{1,19}")) {
            return false; // alive, and no start time to tell a reused PID: honour it
        }
        long recorded = Long.parseLong(f[4]);
        return process.get().info().startInstant().map(Instant::toEpochMilli)
                .map(actual -> Math.abs(actual - recorded) > 2_000).orElse(false);
    }

    /**
     * Whether a record is this manager's own from an earlier step whose release never reached the machine (its
     * connection died mid-command, say): ours by controller id and process, but not held now.
     */
    private boolean leftOverByUs(String record, String key) {
        String[] f = record.split(" ");
        return f.length >= 3 && f[1].equals(controllerId) && f[2].equals(String.valueOf(ProcessHandle.current().pid()))
                && !HELD.contains(key);
    }

    private String key(Transport transport, String service) {
        return controllerId + "@" + transport.machine().name() + "/" + service;
    }

    /** A lock record in words: {@code ctl-1-ab (PID 8391 on vm) until 2026-12-03T18:40:00Z}. */
    static String describe(String record) {
        String[] f = record.split(" ");
        if (f.length >= 4 && f[0].matches("[0-9]{1,19}")) {
            return f[1] + " (PID " + f[2] + " on " + f[3] + ") until " + Instant.ofEpochSecond(Long.parseLong(f[0]));
        }
        if (record.equals("- being taken")) {
            return "a controller that is taking it right now";
        }
        return "an unreadable lock record (taken over once it is older than the lease)";
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
        releaseAll(transport, List.of(service));
    }

    /**
     * Releases, in one command, the locks of several services on one machine that this controller holds.
     *
     * @param transport a transport to the machine
     * @param services the services' names
     */
    public void releaseAll(Transport transport, Collection<String> services) {
        if (services.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(services.size() + 1);
        args.add(controllerId);
        args.addAll(services);
        try {
            transport.exec(Command.script(RELEASE, args.toArray(String[]::new)).timeout(Duration.ofSeconds(30)));
        } finally {
            // Not held any more either way: should the release not arrive, the next acquire takes the record over.
            forget(transport, services);
        }
    }

    private void forget(Transport transport, Collection<String> services) {
        for (String service : services) {
            HELD.remove(key(transport, service));
        }
    }

    /**
     * A lock taken together with the command it guards.
     *
     * @param tookOver whether a stale lock was taken over (else it was free)
     * @param result the command's result
     */
    public record Taken(boolean tookOver, CommandResult result) {
        /**
         * Checks the components.
         *
         * @param tookOver whether a stale lock was taken over
         * @param result the command's result
         */
        public Taken {
            Objects.requireNonNull(result, "result == null");
        }
    }

    /**
     * Takes the lock of a service and runs a command under it, in one round trip: when the lock is free (or
     * plainly stale), it is taken and the command runs; otherwise the command does not run, and the caller goes
     * the long way ({@link #acquire}, which waits, and judges owners that are gone), then runs it. Locks this
     * controller is done with on the same machine can be released in the same round trip.
     *
     * @param transport a transport to the service's machine
     * @param service the service's name
     * @param command the first command to run under the lock
     * @param releaseFirst services on the same machine whose locks this controller releases first
     * @return the lock and the command's result, or empty when the lock was not taken (the command did not run)
     * @throws TransportException when the machine cannot be reached
     */
    public Optional<Taken> acquireAndRun(Transport transport, String service, Command command,
                                         Collection<String> releaseFirst) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of(service, owner(), String.valueOf(lease.toSeconds()), "", controllerId,
                String.valueOf(releaseFirst.size())));
        args.addAll(releaseFirst);
        args.addAll(command.argv());
        boolean[] first = {true};
        OutputListener listener = command.output();
        Command combined = Command.script(ACQUIRE_THEN_RUN, args.toArray(String[]::new)).timeout(command.timeout())
                .output((stream, line) -> {
                    if (stream == OutputListener.Stream.STDOUT && first[0]) {
                        first[0] = false; // the lock's answer, not the command's output
                    } else {
                        listener.line(stream, line);
                    }
                });
        if (command.stdin() != null) {
            combined = combined.stdin(command.stdin());
        }
        if (command.workingDirectory() != null) {
            combined = combined.workingDirectory(command.workingDirectory());
        }
        CommandResult r;
        try {
            r = transport.exec(combined);
        } finally {
            forget(transport, releaseFirst);
        }
        int end = r.stdout().indexOf('\n');
        String answer = (end < 0 ? r.stdout() : r.stdout().substring(0, end)).strip();
        boolean tookOver = answer.startsWith("took-over");
        if (!answer.equals("acquired") && !tookOver) {
            return Optional.empty();
        }
        if (tookOver) {
            LOG.warn("took over the lock of {} on {} from {}", service, transport.machine().name(),
                    describe(answer.substring("took-over".length()).strip()));
        }
        HELD.add(key(transport, service));
        return Optional.of(new Taken(tookOver, new CommandResult(r.exitCode(), end < 0 ? "" : r.stdout()
                .substring(end + 1), r.stderr(), r.duration(), r.exitSignal())));
    }

    private String owner() {
        return controllerId + " " + ProcessHandle.current().pid() + " " + hostName() + " " + START;
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
