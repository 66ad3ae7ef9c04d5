package dev.portoser.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An in-process SSH server on loopback (Apache MINA SSHD) that runs commands with the real {@code /bin/sh} and
 * serves SFTP: fast enough for every unit test run, real enough to exercise the SSH protocol.
 */
final class MinaServer implements AutoCloseable {
    final SshServer server;
    final Path knownHosts;

    MinaServer(Path dir, Path authorizedKeys) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host-key")));
        server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorizedKeys));
        // The whole command line goes to a real shell, as sshd does with the login shell.
        server.setCommandFactory((channel, command) -> new ShellProcessCommand(command));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.start();
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, knownHostsLine());
    }

    int port() {
        return server.getPort();
    }

    /** The known_hosts line for this server's host key. */
    String knownHostsLine() throws IOException {
        KeyPairProvider keys = server.getKeyPairProvider();
        try {
            PublicKey key = keys.loadKeys(null).iterator().next().getPublic();
            return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key) + "\n";
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
