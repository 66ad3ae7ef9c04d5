package dev.portoser.vault;

import dev.portoser.registry.Machine;
import dev.portoser.secret.Secret;
import dev.portoser.secret.SecretAccessDeniedException;
import dev.portoser.secret.SecretException;
import dev.portoser.secret.SecretNotFoundException;
import dev.portoser.secret.SecretProvider;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets from HashiCorp Vault's KV v2 engine, read with each machine's own AppRole token, so a machine reads
 * only what its role's policies allow.
 *
 * <pre>{@code
 * try (VaultSecretProvider vault = VaultSecretProvider.builder(URI.create("https://vault.internal:8200")).build()) {
 *     executor = Executor.builder().secrets(vault)....build();
 * }
 * }</pre>
 *
 * <p>Each machine logs in with the role id and secret id from {@link AppRoleCredentials} (by default the
 * registry's {@code vault_role_id}/{@code vault_secret_id}, else {@code ~/.portoser/approles/MACHINE.json}). Its
 * token is renewed before it expires; when renewal fails or the token's remaining life is too short, the machine
 * logs in again; an expired token is never renewed. Tokens it created are revoked on {@link #close()}. Paths are
 * written as in the registry docs ({@code secret/data/myapp}); only the listed keys are returned. A missing path or
 * key gives {@link SecretNotFoundException}, a 403 {@link SecretAccessDeniedException}, a sealed or unreachable
 * Vault a {@link SecretException} saying so; I/O errors, 5xx and 412 are retried. One shared HTTP client; open and
 * read timeouts always set; the driver never reads the host's {@code VAULT_*} variables unless
 * {@link Builder#environment()} is called. Thread-safe.
 */
public final class VaultSecretProvider implements SecretProvider, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VaultSecretProvider.class);
    private static final int ATTEMPTS = 3;

    private final String address;
    private final @Nullable String fixedToken;
    private final AppRoleCredentials credentials;
    private final String appRoleMount;
    private final int openTimeoutSeconds;
    private final int readTimeoutSeconds;
    private final Duration renewBefore;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A logged-in identity: its driver instance, token and lease. */
    private record Session(Vault vault, String token, Instant expires, boolean renewable, boolean ours) {
    }

    private VaultSecretProvider(Builder b) {
        this.address = b.address.toString().replaceAll("/+$", "");
        this.fixedToken = b.token;
        this.credentials = b.credentials;
        this.appRoleMount = b.appRoleMount;
        this.openTimeoutSeconds = (int) Math.max(1, b.openTimeout.toSeconds());
        this.readTimeoutSeconds = (int) Math.max(1, b.readTimeout.toSeconds());
        this.renewBefore = b.renewBefore;
        this.clock = b.clock;
        // One client for every request (the driver would otherwise build one per call); HTTP/1.1 as Vault Agent wants.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.openTimeout).build();
    }

    /**
     * A builder for a Vault at an address.
     *
     * @param address such as {@code https://vault.internal:8200}
     * @return the builder
     */
    public static Builder builder(URI address) {
        return new Builder(Objects.requireNonNull(address, "address == null"));
    }

    @Override
    public Secret read(Machine machine, String path, String key) {
        if (closed.get()) {
            throw new IllegalStateException("the Vault provider is closed");
        }
        VaultException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Session session = session(machine);
            try {
                LogicalResponse response = session.vault().logical().read(kvPath(path));
                int status = response.getRestResponse().getStatus();
                if (status == 200) {
                    String value = response.getData().get(key);
                    if (value == null) {
                        throw new SecretNotFoundException("no key '" + key + "' in the secret at " + path, null);
                    }
                    Long version = response.getDataMetadata() == null ? null : response.getDataMetadata().getVersion();
                    return new Secret(value, version == null ? null : String.valueOf(version));
                }
                if (status == 404) {
                    throw new SecretNotFoundException("no secret at " + path + " in Vault (" + address + ")", null);
                }
                if (status == 403) {
                    sessions.remove(machine.name(), session);
                    throw new SecretAccessDeniedException("machine " + machine.name() + " may not read " + path
                            + " (Vault answered 403: check the policies of its AppRole)", null);
                }
                if (status == 412 || status >= 500) {
                    last = new VaultException("status " + status, status);
                } else {
                    throw new SecretException("Vault answered status " + status + " for " + path, null);
                }
            } catch (VaultException e) {
                int status = e.getHttpStatusCode();
                if (status == 403) {
                    throw new SecretAccessDeniedException("machine " + machine.name() + " may not read " + path
                            + " (Vault answered 403)", null);
                }
                last = e;
            }
            pause(attempt);
        }
        throw unavailable("reading " + path, last);
    }

    /** The session of a machine: logged in, renewed or logged in again as its lease requires. */
    private Session session(Machine machine) {
        String id = fixedToken != null ? "" : machine.name();
        Session current = sessions.get(id);
        Instant now = clock.instant();
        if (current != null && now.isBefore(current.expires().minus(renewBefore))) {
            return current;
        }
        synchronized (sessions) {
            current = sessions.get(id);
            now = clock.instant();
            if (current != null && now.isBefore(current.expires().minus(renewBefore))) {
                return current;
            }
            Session fresh = null;
            if (current != null && current.renewable() && now.isBefore(current.expires())) {
                fresh = renew(current, machine);
            }
            if (fresh == null) {
                fresh = login(machine);
            }
            sessions.put(id, fresh);
            return fresh;
        }
    }

    private @Nullable Session renew(Session session, Machine machine) {
        try {
            AuthResponse renewed = session.vault().auth().renewSelf();
            long ttl = renewed.getAuthLeaseDuration();
            if (ttl <= renewBefore.toSeconds()) {
                return null; // the token's maximum TTL is near: a fresh login beats renewing a dying token
            }
            return new Session(session.vault(), session.token(), clock.instant().plusSeconds(ttl),
                    renewed.isAuthRenewable(), session.ours());
        } catch (VaultException e) {
            LOG.debug("renewing the Vault token of {} failed ({}); logging in again", machine.name(),
                    e.getHttpStatusCode());
            return null;
        }
    }

    private Session login(Machine machine) {
        if (fixedToken != null) {
            return new Session(vault(fixedToken), fixedToken, Instant.MAX, false, false);
        }
        AppRoleCredentials.Credentials creds = credentials.forMachine(machine).orElseThrow(() ->
                new SecretException("machine " + machine.name() + " has no AppRole credentials: give vault_role_id "
                        + "and vault_secret_id, or ~/.portoser/approles/" + machine.name() + ".json", null));
        VaultException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                AuthResponse auth = vault(null).auth().loginByAppRole(appRoleMount, creds.roleId(), creds.secretId());
                String token = auth.getAuthClientToken();
                if (token == null || token.isEmpty()) {
                    throw new SecretAccessDeniedException("Vault refused the AppRole login of machine "
                            + machine.name() + " (role id " + creds.roleId() + ")", null);
                }
                long ttl = auth.getAuthLeaseDuration();
                Instant expires = ttl <= 0 ? Instant.MAX : clock.instant().plusSeconds(ttl);
                return new Session(vault(token), token, expires, auth.isAuthRenewable(), true);
            } catch (VaultException e) {
                int status = e.getHttpStatusCode();
                if (status == 400 || status == 403) {
                    throw new SecretAccessDeniedException("Vault refused the AppRole login of machine "
                            + machine.name() + " (role id " + creds.roleId() + ", status " + status + ")", null);
                }
                last = e;
            }
            pause(attempt);
        }
        throw unavailable("logging in machine " + machine.name(), last);
    }

    private Vault vault(@Nullable String token) {
        try {
            VaultConfig config = new VaultConfig()
                    .environmentLoader(new NoEnvironment())
                    .address(address)
                    .openTimeout(openTimeoutSeconds)
                    .readTimeout(readTimeoutSeconds)
                    .engineVersion(2)
                    .httpClient(http);
            if (token != null) {
                config.token(token);
            }
            return Vault.create(config.build(), 2);
        } catch (VaultException e) {
            throw new SecretException("cannot configure the Vault client for " + address + ": " + e.getMessage(), null);
        }
    }

    /** {@code secret/data/myapp} (as in the registry) is {@code secret/myapp} to the driver, which adds "data". */
    static String kvPath(String path) {
        String[] parts = path.split("/", 3);
        return parts.length == 3 && parts[1].equals("data") ? parts[0] + "/" + parts[2] : path;
    }

    private SecretException unavailable(String doing, @Nullable VaultException last) {
        int status = last == null ? 0 : last.getHttpStatusCode();
        String why = status == 503 ? "Vault is sealed or unavailable (503)"
                : status == 0 ? "Vault at " + address + " cannot be reached"
                : "Vault answered " + status;
        String cause = last == null || last.getMessage() == null ? "" : ": " + shortened(last.getMessage());
        return new SecretException(why + " while " + doing + " (" + ATTEMPTS + " attempts)" + cause, null);
    }

    /** The driver's messages carry Vault's error list, never a secret; keep them short. */
    private static String shortened(String message) {
        String oneLine = message.replace('\n', ' ');
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    private static void pause(int attempt) {
        try {
            TimeUnit.MILLISECONDS.sleep(200L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretException("interrupted while waiting to retry Vault", e);
        }
    }

    /** Revokes the tokens this provider created (errors ignored); idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (Session s : sessions.values()) {
                if (s.ours() && clock.instant().isBefore(s.expires())) {
                    try {
                        s.vault().auth().revokeSelf();
                    } catch (VaultException | RuntimeException e) {
                        LOG.debug("revoking a Vault token failed: {}", e.getMessage());
                    }
                }
            }
            sessions.clear();
        }
    }

    @Override
    public String toString() {
        return "VaultSecretProvider[" + address + ", " + sessions.size() + " sessions]";
    }

    /** The driver must not read the host's VAULT_* variables behind the caller's back. */
    private static final class NoEnvironment extends EnvironmentLoader {
        private static final long serialVersionUID = 1L;

        @Override
        public String loadVariable(String name) {
            return null;
        }
    }

    /** Options of a {@link VaultSecretProvider}. Not thread-safe. */
    public static final class Builder {
        private final URI address;
        private @Nullable String token;
        private AppRoleCredentials credentials =
                AppRoleCredentials.files(Path.of(System.getProperty("user.home"), ".portoser", "approles"));
        private String appRoleMount = "approle";
        private Duration openTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration renewBefore = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();

        private Builder(URI address) {
            this.address = address;
        }

        /**
         * Where each machine's AppRole credentials come from.
         *
         * @param source the source
         * @return this builder
         */
        public Builder credentials(AppRoleCredentials source) {
            this.credentials = Objects.requireNonNull(source, "source == null");
            return this;
        }

        /**
         * Uses one token for every machine instead of AppRoles (for development; never revoked by us).
         *
         * @param vaultToken the vault token
         * @return this builder
         */
        public Builder token(String vaultToken) {
            this.token = Objects.requireNonNull(vaultToken, "vaultToken == null");
            return this;
        }

        /**
         * Reads the token from {@code VAULT_TOKEN} when set: the only way the host's environment is used.
         *
         * @return this builder
         */
        public Builder environment() {
            String fromEnvironment = System.getenv("VAULT_TOKEN");
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                this.token = fromEnvironment;
            }
            return this;
        }

        /**
         * The AppRole auth mount; {@code approle} by default.
         *
         * @param mount the mount
         * @return this builder
         */
        public Builder appRoleMount(String mount) {
            this.appRoleMount = Objects.requireNonNull(mount, "mount == null");
            return this;
        }

        /**
         * Connect timeout; 5 s by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder openTimeout(Duration timeout) {
            this.openTimeout = Objects.requireNonNull(timeout, "timeout == null");
            return this;
        }

        /**
         * Read timeout; 30 s by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Objects.requireNonNull(timeout, "timeout == null");
            return this;
        }

        /**
         * Renew (or log in again) this long before a token expires; 60 s by default.
         *
         * @param margin the margin
         * @return this builder
         */
        public Builder renewBefore(Duration margin) {
            this.renewBefore = Objects.requireNonNull(margin, "margin == null");
            return this;
        }

        /**
         * The clock token lifetimes are measured with (tests inject one).
         *
         * @param source the source
         * @return this builder
         */
        public Builder clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "source == null");
            return this;
        }

        /**
         * The provider.
         *
         * @return the provider
         */
        public VaultSecretProvider build() {
            return new VaultSecretProvider(this);
        }
    }
}
