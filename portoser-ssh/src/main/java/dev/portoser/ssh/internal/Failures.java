package dev.portoser.ssh.internal;

import dev.portoser.ErrorMessages;
import dev.portoser.registry.Machine;
import dev.portoser.transport.AuthenticationException;
import dev.portoser.transport.ConnectionLostException;
import dev.portoser.transport.HostKeyVerificationException;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.userauth.UserAuthException;
import org.jspecify.annotations.Nullable;

/** Turns SSHJ's checked exceptions into Portoser's transport exceptions, naming the machine, keeping the cause. */
public final class Failures {
    private Failures() {
    }

    /** {@code m1 (deploy@10.200.0.11:22)}. */
    public static String where(Machine machine) {
        return machine.name() + " (" + machine.user() + "@" + machine.host() + ":" + machine.sshPort() + ")";
    }

    /**
     * A failure while connecting.
     *
     * @param machine the machine
     * @param e what SSHJ threw
     * @param hostKeyRefusal why the host key was refused, if it was
     * @param connectTimeout the connect timeout, for the message
     * @return the exception to throw
     */
    public static TransportException connecting(Machine machine, IOException e, @Nullable String hostKeyRefusal,
                                                Duration connectTimeout) {
        if (hostKeyRefusal != null || (e instanceof SSHException s
                && s.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE)) {
            return new HostKeyVerificationException(machine.name(), "refused to connect to " + where(machine) + ": "
                    + (hostKeyRefusal != null ? hostKeyRefusal : "its host key could not be verified"), e);
        }
        Throwable root = root(e);
        if (root instanceof SocketTimeoutException) {
            return new TransportTimeoutException(machine.name(), "no answer from " + where(machine) + " within "
                    + connectTimeout, e);
        }
        if (root instanceof UnknownHostException) {
            return new TransportException(machine.name(), "cannot resolve the host of " + where(machine), e);
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException) {
            return new TransportException(machine.name(), "cannot connect to " + where(machine) + ": "
                    + root.getMessage(), e);
        }
        return new TransportException(machine.name(), "cannot connect to " + where(machine) + ": " + describe(e), e);
    }

    /**
     * A failure while logging in.
     *
     * @param machine the machine
     * @param e what SSHJ threw
     * @param key the private key used
     * @return the exception to throw
     */
    public static TransportException authenticating(Machine machine, IOException e, Path key) {
        if (e instanceof UserAuthException) {
            return new AuthenticationException(machine.name(), where(machine) + " refused the login of user '"
                    + machine.user() + "' with the key " + key + ": " + describe(e), e);
        }
        if (e instanceof SSHException) {
            return lost(machine, e, "logging in");
        }
        return new AuthenticationException(machine.name(), "cannot use the key " + key + " for " + where(machine)
                + ": " + describe(e) + " (an encrypted key needs a passphrase provider)", e);
    }

    /**
     * The connection broke while doing something.
     *
     * @param machine the machine
     * @param e what SSHJ threw
     * @param doing what was being done, such as "running a command"
     * @return the exception to throw
     */
    public static TransportException lost(Machine machine, Exception e, String doing) {
        return new ConnectionLostException(machine.name(), "the connection to " + where(machine) + " broke while "
                + doing + ": " + describe(e), e);
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable e) {
        Throwable root = root(e);
        // Never a class name where a person expects a sentence ("EOFException" says nothing to them).
        String message = root.getMessage() != null ? root.getMessage()
                : root instanceof java.io.EOFException ? "the server closed the connection"
                : ErrorMessages.describe(root);
        return root == e ? message : (e.getMessage() == null ? "" : e.getMessage() + " (" + message + ")");
    }
}
