package dev.portoser.ssh;

import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportContract;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The transport contract over SSH against real OpenSSH sshd on a test bed host. */
@ExtendWith(TestBed.class)
class OpenSshTransportIT extends TransportContract {
    static SshTransportFactory factory;

    @BeforeAll
    static void openFactory() throws Exception {
        factory = SshTransportFactory.builder().knownHosts(TestBed.get().knownHosts()).build();
    }

    @AfterAll
    static void closeFactory() {
        if (factory != null) {  // null when the class was skipped (not root)
            factory.close();
        }
    }

    @Override
    protected Transport open() throws Exception {
        return factory.open(TestBed.get().machine(1));
    }

    @Override
    protected String scratchDirectory(Transport transport) {
        String dir = "/root/scratch-" + UUID.randomUUID();
        transport.exec(Command.of("mkdir", "-p", dir));
        return dir;
    }
}
