package dev.portoser.transport;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract on this machine. */
class LocalTransportTest extends TransportContract {
    @TempDir
    Path dir;

    static Machine localhost() {
        return new Machine("local", "localhost", System.getProperty("user.name"), Platform.LINUX, 22, null, null,
                null, null, null, List.of());
    }

    @Override
    protected Transport open() {
        return new LocalTransport(localhost());
    }

    @Override
    protected String scratchDirectory(Transport transport) throws java.io.IOException {
        return dir.toRealPath().toString();
    }
}
