package dev.portoser.registry.edit;

import dev.portoser.PortoserException;

/**
 * An edit that the editor refuses before anything is written: a name that is unknown or taken, a machine that
 * services still use, a service that others depend on, or a change that would go through a YAML alias or merge
 * key and so change other places too. The message says why and lists what is in the way.
 */
public final class RegistryEditException extends PortoserException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the edit was refused; must not be null
     */
    public RegistryEditException(String message) {
        super(message);
    }
}
