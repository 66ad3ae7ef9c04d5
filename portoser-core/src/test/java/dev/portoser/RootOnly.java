package dev.portoser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need root (network namespaces, sshd on port 22, a Docker engine, PID namespaces) are skipped for a
 * contributor who is not, with one line saying which and why; as root (CI) they run. Call {@link #assume} first,
 * in {@code @BeforeAll} where a whole class needs root.
 */
public final class RootOnly {
    private static final boolean ROOT = uid() == 0;

    private RootOnly() {
    }

    /** Whether this JVM runs as root. */
    public static boolean isRoot() {
        return ROOT;
    }

    /**
     * Skips the calling test (or class, from {@code @BeforeAll}) unless this JVM runs as root.
     *
     * @param what what the test needs root for, such as "the SSH test bed (network namespaces, sshd)"
     */
    public static void assume(String what) {
        assume(callerClass(), what);
    }

    /**
     * Skips a test class unless this JVM runs as root; for extensions, which know the class from their context.
     *
     * @param testClass the name of the test class, shown in the note
     * @param what what the test needs root for
     */
    public static void assume(String testClass, String what) {
        if (!ROOT) {
            String line = "skipped: needs root for " + what + "; run as root (as CI does) to include it";
            // Also on the build's output, not only in the reports: the skip should be seen.
            System.out.println("[portoser] " + testClass + " " + line);
            Assumptions.abort(line);
        }
    }

    /** The test class that called: the first frame of a class named like a test. */
    private static String callerClass() {
        return StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(name -> name.startsWith("dev.portoser.") && (name.endsWith("Test") || name.endsWith("IT")))
                .findFirst().orElse("a test"));
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;  // not Linux: the root-only tests need Linux anyway
        }
    }
}
