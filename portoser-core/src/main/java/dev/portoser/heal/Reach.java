package dev.portoser.heal;

import dev.portoser.registry.Machine;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import org.jspecify.annotations.Nullable;

/** How self-healing reaches a machine: the local factory for {@code localhost}, the remote one otherwise. */
record Reach(@Nullable TransportFactory remote, TransportFactory local) {

    Transport open(Machine machine) {
        if (machine.isLocalhost()) {
            return local.open(machine);
        }
        if (remote == null) {
            throw new TransportException(machine.name(), "machine " + machine.name() + " (" + machine.host()
                    + ") is remote and self-healing has no transport for it: set transports(SshTransportFactory...)",
                    null);
        }
        return remote.open(machine);
    }
}
