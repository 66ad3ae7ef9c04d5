package dev.portoser.registry;

import dev.portoser.PortoserException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A registry could not be loaded or is not valid.
 *
 * <p>It carries every problem found, errors and warnings, in source order, not just the first, so that one run
 * of {@code portoser registry validate} shows all that needs fixing.
 */
public final class RegistryException extends PortoserException {
    private static final long serialVersionUID = 1L;
    private static final int PROBLEMS_IN_MESSAGE = 20;

    private final transient List<Problem> problems;

    /**
     * Creates the exception.
     *
     * @param problems every problem found; must contain at least one error
     * @throws IllegalArgumentException when {@code problems} holds no error
     */
    public RegistryException(List<Problem> problems) {
        super(render(problems));
        this.problems = problems.stream().sorted(Problem.IN_SOURCE_ORDER).toList();
        if (this.problems.stream().noneMatch(Problem::isError)) {
            throw new IllegalArgumentException("a RegistryException needs at least one error");
        }
    }

    /**
     * Every problem found, errors and warnings, in source order.
     *
     * @return every problem found, errors and warnings, in source order
     */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * Only the problems of severity {@link Severity#ERROR}, in source order.
     *
     * @return only the problems of severity {@link Severity#ERROR}, in source order
     */
    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    private static String render(List<Problem> problems) {
        List<Problem> errors = problems.stream().filter(Problem::isError).sorted(Problem.IN_SOURCE_ORDER).toList();
        String head = errors.size() == 1 ? "Invalid registry: 1 error" : "Invalid registry: " + errors.size() + " errors";
        String shown = errors.stream().limit(PROBLEMS_IN_MESSAGE).map(Problem::toString)
                .collect(Collectors.joining("\n  ", "\n  ", ""));
        int more = errors.size() - PROBLEMS_IN_MESSAGE;
        return head + shown + (more > 0 ? "\n  (" + more + " more)" : "");
    }
}
