package dev.portoser.cli;

/** The exit codes of {@code portoser}, documented in the README and in {@code portoser --help}. */
final class ExitCodes {
    /** Success; for {@code registry validate}, the registry is valid (warnings allowed). */
    static final int OK = 0;
    /** The command ran and found a failure: an invalid registry, say. */
    static final int FAILED = 1;
    /** The command line was wrong, or what it names (the registry file) could not be found. */
    static final int USAGE = 2;
    /**
     * Every step did what it reported on the machines, but the controller's history or journal could not be
     * written (a full disk, say): the output says what was not recorded.
     */
    static final int NOT_RECORDED = 4;

    private ExitCodes() {
    }
}
