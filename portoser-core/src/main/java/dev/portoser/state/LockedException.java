package dev.portoser.state;

import dev.portoser.PortoserException;

/** Another controller holds the lock of a service on its machine; the message names the holder. */
public final class LockedException extends PortoserException {
    private static final long serialVersionUID = 1L;
    /** Who holds the lock, as the message names it. */
    private final String holder;

    /**
     * Creates the exception.
     *
     * @param service the service
     * @param machine the machine
     * @param holder who holds the lock and until when
     */
    public LockedException(String service, String machine, String holder) {
        super("service " + service + " on " + machine + " is locked by another run: " + holder);
        this.holder = holder;
    }

    /**
     * Who holds the lock: controller id, process id, host, lease end.
     *
     * @return who holds the lock: controller id, process id, host, lease end
     */
    public String holder() {
        return holder;
    }
}
