package dev.portoser.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: whether a process really runs (here PID 1 reaps no orphans, so a dead one may linger as a zombie). */
public final class Processes {
    private Processes() {
    }

    /**
     * Whether a process exists and is not a zombie.
     *
     * @param pid its id
     * @return true while it runs
     */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
