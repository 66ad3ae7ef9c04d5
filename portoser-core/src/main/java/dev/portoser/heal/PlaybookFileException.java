package dev.portoser.heal;

import dev.portoser.PortoserException;
import dev.portoser.registry.Problem;
import java.util.List;
import java.util.stream.Collectors;

/** A user playbook file is not valid: every problem, each pinned to its file, line and column. */
public final class PlaybookFileException extends PortoserException {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    PlaybookFileException(List<Problem> problems) {
        super(problems.stream().sorted(Problem.IN_SOURCE_ORDER).map(Problem::toString)
                .collect(Collectors.joining("\n")));
        this.problems = problems.stream().sorted(Problem.IN_SOURCE_ORDER).toList();
    }

    /**
     * The problems, in source order.
     *
     * @return every problem found in the file, sorted by file, line and column
     */
    public List<Problem> problems() {
        return problems;
    }
}
