package dev.portoser.registry.internal;

/**
 * The regular expressions and messages for identifiers in the registry.
 *
 * <p>They are deliberately narrow: registry values end up in file names, unit names and (quoted) command
 * arguments on remote machines, so a name that could be misread by a shell or a file system is refused at load.
 */
public final class Patterns {
    private Patterns() {
    }

    /** Service, machine and group names: they become file and unit names on the machines. */
    public static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";
    /** Message for {@link #NAME}. */
    public static final String NAME_MESSAGE =
            "expected a name of letters, digits, '-', '_' or '.', starting with a letter or digit, at most 63 characters";

    /** SSH login names (POSIX portable user names, plus upper case for macOS). */
    public static final String USER = "[A-Za-z_][A-Za-z0-9_.-]{0,31}";
    /** Message for {@link #USER}. */
    public static final String USER_MESSAGE =
            "expected a user name of letters, digits, '-', '_' or '.', starting with a letter or '_', at most 32 characters";

    /** Environment variable names. */
    public static final String ENV_KEY = "[A-Za-z_][A-Za-z0-9_]{0,127}";
    /** Message for {@link #ENV_KEY}. */
    public static final String ENV_KEY_MESSAGE =
            "expected an environment variable name of letters, digits and '_', not starting with a digit";

    /** Tags on machines and services. */
    public static final String TAG = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}";
    /** Message for {@link #TAG}. */
    public static final String TAG_MESSAGE =
            "expected a tag of letters, digits, '-', '_', '.' or ':', starting with a letter or digit";

    /** Vault secret paths such as {@code secret/data/myapp}: segments never start with a dot, so no {@code ..}. */
    public static final String VAULT_PATH = "[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*";
    /** Message for {@link #VAULT_PATH}. */
    public static final String VAULT_PATH_MESSAGE =
            "expected a Vault path such as secret/data/myapp: segments of letters, digits, '-', '_' or '.', "
                    + "no leading '/', no '..'";

    /** Keys inside a Vault secret. */
    public static final String VAULT_KEY = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    /** Message for {@link #VAULT_KEY}. */
    public static final String VAULT_KEY_MESSAGE = "expected a secret key of letters, digits, '-', '_' or '.'";

    /** AppRole names and role ids. */
    public static final String VAULT_ROLE = "[A-Za-z0-9][A-Za-z0-9_.-]{0,127}";
    /** Message for {@link #VAULT_ROLE}. */
    public static final String VAULT_ROLE_MESSAGE = "expected a role name or id of letters, digits, '-', '_' or '.'";

    /** Service manager unit names ({@code service_name}), which may carry systemd's {@code @} instance marker. */
    public static final String UNIT_NAME = "[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}";
    /** Message for {@link #UNIT_NAME}. */
    public static final String UNIT_NAME_MESSAGE =
            "expected a service manager name of letters, digits, '-', '_', '.' or '@'";

    /** HTTP health endpoints: an absolute path with an optional query. */
    public static final String ENDPOINT = "/[A-Za-z0-9._~%/?=&+,:@-]*";
    /** Message for {@link #ENDPOINT}. */
    public static final String ENDPOINT_MESSAGE =
            "expected an HTTP path starting with '/', such as /health, without spaces or quotes";

    /** Sizes such as {@code 512M}, {@code 1G}, {@code 1.5g}, {@code 200MiB} (the units Docker accepts). */
    public static final String SIZE = "[0-9]+(\\.[0-9]+)?([bB]|[kKmMgGtT]([iI]?[bB])?)?";
    /** Message for {@link #SIZE}. */
    public static final String SIZE_MESSAGE = "expected a size such as 512M, 1G or 200MiB";
}
