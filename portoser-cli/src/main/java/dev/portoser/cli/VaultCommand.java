package dev.portoser.cli;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.SecretRef;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.secret.SecretException;
import dev.portoser.vault.AppRoleCredentials;
import dev.portoser.vault.VaultSecretProvider;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code portoser vault check}: does every secret reference resolve, for its machine's identity? */
@Command(name = "vault", mixinStandardHelpOptions = true, description = "Work with HashiCorp Vault.",
        subcommands = {VaultCommand.Check.class})
final class VaultCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a vault command is required (check)");
    }

    /** {@code portoser vault check [SERVICE...]}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Check that the vault_secrets references of services resolve with their machine's AppRole.",
                    "All services by default. Prints names and versions, never values. Exits 1 when one does not."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions options;

        @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Services to check (default: all).")
        List<String> services = new ArrayList<>();

        @Option(names = "--vault-addr", paramLabel = "URL", description = "Vault's address (default: $VAULT_ADDR).")
        @Nullable String address;

        @Option(names = "--approles", paramLabel = "DIR",
                description = "AppRole credentials, one MACHINE.json each (default: ~/.portoser/approles).")
        @Nullable Path approles;

        @Option(names = "--json", description = "Print the result as one JSON document.")
        boolean json;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            String vault = address != null ? address : System.getenv("VAULT_ADDR");
            if (vault == null || vault.isBlank()) {
                throw new UsageException("no Vault address: give --vault-addr URL or set VAULT_ADDR");
            }
            VaultSecretProvider.Builder builder = VaultSecretProvider.builder(URI.create(vault));
            if (approles != null) {
                builder.credentials(AppRoleCredentials.files(approles));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            boolean ok = true;
            try (VaultSecretProvider provider = builder.build()) {
                for (Service service : registry.services().values()) {
                    if (!services.isEmpty() && !services.contains(service.name())) {
                        continue;
                    }
                    Machine machine = registry.machine(service.machine()).orElseThrow();
                    for (SecretRef ref : service.vaultSecrets()) {
                        for (String key : ref.keys()) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("service", service.name());
                            row.put("machine", machine.name());
                            row.put("path", ref.path());
                            row.put("key", key);
                            try {
                                Secret secret = provider.read(machine, ref.path(), key);
                                row.put("version", secret.version());
                                row.put("status", "ok");
                            } catch (SecretException e) {
                                ok = false;
                                row.put("status", "error");
                                row.put("error", e.getMessage());
                            }
                            rows.add(row);
                        }
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(Map.of("schemaVersion", 1, "ok", ok, "secrets", rows)));
            } else {
                out.printf(Locale.ROOT, "%-16s %-12s %-28s %-16s %-8s %s%n", "SERVICE", "MACHINE", "PATH", "KEY",
                        "VERSION", "STATUS");
                for (Map<String, Object> r : rows) {
                    out.printf(Locale.ROOT, "%-16s %-12s %-28s %-16s %-8s %s%n", r.get("service"), r.get("machine"),
                            r.get("path"), r.get("key"), r.getOrDefault("version", "-"),
                            r.get("status").equals("ok") ? "ok" : "ERROR: " + r.get("error"));
                }
                out.println(rows.isEmpty() ? "no vault_secrets to check" : ok ? "every secret resolves"
                        : "some secrets do not resolve");
            }
            out.flush();
            return ok ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
