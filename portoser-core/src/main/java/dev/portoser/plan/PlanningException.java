package dev.portoser.plan;

import dev.portoser.PortoserException;

/** A plan cannot be made as asked: an unknown service, group or machine, or a move that cannot work. */
public final class PlanningException extends PortoserException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked and why it cannot be planned
     */
    public PlanningException(String message) {
        super(message);
    }
}
