package dev.portoser.heal;

/**
 * A fix for a kind of failure. Built-ins are in {@link Playbooks}; user playbooks come from YAML
 * ({@link PlaybookFile}); register custom ones on {@link Healer.Builder#playbook(Playbook)}. A playbook acts only on
 * what is Portoser's own — never a process, file or container it did not make — and is never interactive.
 * Implementations are stateless and thread-safe.
 */
public interface Playbook {

    /**
     * Its name, as the knowledge base records it ({@code stop-own-stale-instance}).
     *
     * @return the playbook's name
     */
    String name();

    /**
     * Whether it fixes this diagnosis.
     *
     * @param diagnosis the diagnosis
     * @return true when it applies
     */
    boolean handles(Diagnosis diagnosis);

    /**
     * What it would do, in one line, without doing it (for {@code portoser diagnose}).
     *
     * @param diagnosis the diagnosis
     * @return the sentence
     */
    String describe(Diagnosis diagnosis);

    /**
     * Applies the fix.
     *
     * @param diagnosis the diagnosis
     * @param context the service, its machine and the means to act
     * @return whether it fixed the cause, and what it did
     * @throws InterruptedException when interrupted while waiting
     */
    Result run(Diagnosis diagnosis, PlaybookContext context) throws InterruptedException;

    /**
     * What a playbook did.
     *
     * @param fixed whether the cause is gone
     * @param detail what it did or why it could not, in words
     */
    record Result(boolean fixed, String detail) {
        /**
         * Checks the detail.
         *
         * @param fixed whether the cause is gone
         * @param detail what it did or why it could not, in words
         */
        public Result {
            java.util.Objects.requireNonNull(detail, "detail == null");
        }

        /**
         * A fix that worked.
         *
         * @param detail what it did, in words
         * @return a result with {@code fixed} true
         */
        public static Result fixed(String detail) {
            return new Result(true, detail);
        }

        /**
         * A fix that did not work.
         *
         * @param detail why it could not fix the cause, in words
         * @return a result with {@code fixed} false
         */
        public static Result failed(String detail) {
            return new Result(false, detail);
        }
    }
}
