package dev.portoser.registry;

import dev.portoser.registry.internal.Host;
import dev.portoser.registry.internal.Patterns;
import dev.portoser.registry.internal.SafePath;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A machine that services run on, reached over SSH (or locally when its host is {@code localhost}).
 *
 * <p>A record on its own is not validated; {@link Registry} checks every field when it is loaded or built.
 * {@link #toString()} never shows the AppRole secret id. Instances are immutable and thread-safe.
 *
 * @param name the key under {@code machines:}
 * @param host IP address or host name ({@code host})
 * @param user SSH login ({@code user})
 * @param platform operating system family ({@code platform})
 * @param sshPort SSH port ({@code port} or {@code ssh_port}); 22 by default
 * @param sshKey SSH private key on the controller ({@code ssh_key}); {@code ~/.ssh/id_rsa} by default
 * @param vaultRole Vault AppRole name for this machine ({@code vault_role}), or null
 * @param vaultRoleId AppRole role id ({@code vault_role_id}), or null
 * @param vaultSecretId AppRole secret id ({@code vault_secret_id}), or null; better kept out of the registry
 * @param description free text, or null
 * @param tags tags for organisation, in file order
 */
public record Machine(
        @NotNull(message = "missing required field") @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE)
        String name,
        @NotNull(message = "missing required field (an IP address or host name)") @Host
        String host,
        @NotNull(message = "missing required field (the SSH login)") @Pattern(regexp = Patterns.USER, message = Patterns.USER_MESSAGE)
        String user,
        @NotNull(message = "missing required field (one of darwin, linux, bsd)")
        Platform platform,
        @Min(value = 1, message = "expected a port number from 1 to 65535") @Max(value = 65535, message = "expected a port number from 1 to 65535")
        int sshPort,
        @NotNull @SafePath(SafePath.Kind.ABSOLUTE_OR_HOME)
        String sshKey,
        @Nullable @Pattern(regexp = Patterns.VAULT_ROLE, message = Patterns.VAULT_ROLE_MESSAGE)
        String vaultRole,
        @Nullable @Pattern(regexp = Patterns.VAULT_ROLE, message = Patterns.VAULT_ROLE_MESSAGE)
        String vaultRoleId,
        @Nullable
        String vaultSecretId,
        @Nullable
        String description,
        List<@NotNull @Pattern(regexp = Patterns.TAG, message = Patterns.TAG_MESSAGE) String> tags) {

    /** The SSH port used when the registry names none. */
    public static final int DEFAULT_SSH_PORT = 22;
    /** The SSH key used when the registry names none. */
    public static final String DEFAULT_SSH_KEY = "~/.ssh/id_rsa";

    /**
     * Copies the tags and fills the defaults for a null {@code sshKey}.
     *
     * @param tags the tags
     * @param sshKey the ssh key
     * @param host the host
     * @param description the description
     * @param name the name
     * @param platform the platform
     * @param sshPort the ssh port
     * @param user the user
     * @param vaultRole the vault role
     * @param vaultRoleId the vault role id
     * @param vaultSecretId the vault secret id
     */
    public Machine {
        tags = List.copyOf(Objects.requireNonNullElse(tags, List.of()));
        sshKey = Objects.requireNonNullElse(sshKey, DEFAULT_SSH_KEY);
    }

    /**
     * Whether this machine is this one, reached without SSH by default ({@code host: localhost}).
     *
     * @return whether this machine is this one, reached without SSH by default ({@code host: localhost})
     */
    public boolean isLocalhost() {
        return "localhost".equalsIgnoreCase(host);
    }

    /** Shows every field but the secret id, which is shown as {@code ***} when present. */
    @Override
    public String toString() {
        return "Machine[name=" + name + ", host=" + host + ", user=" + user + ", platform=" + platform
                + ", sshPort=" + sshPort + ", sshKey=" + sshKey + ", vaultRole=" + vaultRole
                + ", vaultRoleId=" + vaultRoleId + ", vaultSecretId=" + (vaultSecretId == null ? null : "***")
                + ", description=" + description + ", tags=" + tags + "]";
    }
}
