package dev.portoser.registry.edit;

import dev.portoser.PortoserException;

/**
 * Saving was refused because the file changed on disk since the editor read it (another editor saved first),
 * or because another process held the registry's lock for longer than the editor waits. Nothing was written;
 * open the file again and redo the edit.
 */
public final class RegistryConflictException extends PortoserException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what changed or who held the lock; must not be null
     */
    public RegistryConflictException(String message) {
        super(message);
    }
}
