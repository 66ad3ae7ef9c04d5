package dev.portoser.cli;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

/** {@code portoser machine add|update|remove|list|show}: the machines of the registry. */
@Command(name = "machine", mixinStandardHelpOptions = true,
        description = "Add, change, remove, list and show the machines of the registry.",
        subcommands = {MachineCommand.Add.class, MachineCommand.Update.class, MachineCommand.Remove.class,
                MachineCommand.ListMachines.class, MachineCommand.Show.class})
final class MachineCommand implements Runnable {
    /** Version of the {@code --json} documents. */
    static final int SCHEMA_VERSION = 1;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a machine command is required (add, update, remove, list, show)");
    }

    /** The fields a machine can be given on the command line. */
    static final class Fields {
        @Option(names = "--host", paramLabel = "HOST", description = "IP address or host name.")
        @Nullable String host;

        @Option(names = "--user", paramLabel = "USER", description = "SSH login.")
        @Nullable String user;

        @Option(names = "--platform", paramLabel = "PLATFORM", description = "darwin, linux or bsd.")
        @Nullable String platform;

        @Option(names = "--port", paramLabel = "PORT", description = "SSH port (22 by default).")
        @Nullable Integer port;

        @Option(names = "--ssh-key", paramLabel = "FILE", description = "SSH private key on this controller.")
        @Nullable String sshKey;

        @Option(names = "--vault-role", paramLabel = "ROLE", description = "Vault AppRole of the machine.")
        @Nullable String vaultRole;

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text.")
        @Nullable String description;

        @Option(names = "--tag", paramLabel = "TAG", description = "A tag; repeatable or comma-separated. Replaces the tags.")
        List<String> tags = new ArrayList<>();

        Map<String, Object> toMap() {
            Map<String, Object> fields = new LinkedHashMap<>();
            EditSupport.maybe(fields, "host", host);
            EditSupport.maybe(fields, "user", user);
            EditSupport.maybe(fields, "platform", platform);
            EditSupport.maybe(fields, "port", port);
            EditSupport.maybe(fields, "ssh_key", sshKey);
            EditSupport.maybe(fields, "vault_role", vaultRole);
            EditSupport.maybe(fields, "description", description);
            if (!tags.isEmpty()) {
                fields.put("tags", EditSupport.splitCommas(tags));
            }
            return fields;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a machine: portoser machine add --name m1 --host 192.168.0.245 --user admin --platform darwin")
    static final class Add extends EditSupport implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The machine's name.")
        String name;

        @Mixin
        Fields fields;

        @Override
        public Integer call() {
            return edit(open(), e -> e.addMachine(name, fields.toMap()), "added machine '" + name + "'");
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change fields of a machine: portoser machine update m1 --host 10.0.0.5")
    static final class Update extends EditSupport implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The machine.")
        String name;

        @Mixin
        Fields fields;

        @Option(names = "--unset", paramLabel = "FIELD", description = "Remove a field (its YAML key, e.g. vault_role); repeatable.")
        List<String> unset = new ArrayList<>();

        @Override
        public Integer call() {
            Map<String, Object> changes = new LinkedHashMap<>(fields.toMap());
            unset.forEach(f -> changes.put(f, null));
            if (changes.isEmpty()) {
                throw new UsageException("nothing to change: give a field such as --host, or --unset FIELD");
            }
            return edit(open(), e -> e.updateMachine(name, changes), "updated machine '" + name + "'");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a machine; refused while services run on it, unless --force (which removes them too).")
    static final class Remove extends EditSupport implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The machine.")
        String name;

        @Option(names = "--force", description = "Also remove the services that run on it.")
        boolean force;

        @Override
        public Integer call() {
            return edit(open(), e -> e.removeMachine(name, force), "removed machine '" + name + "'");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the machines and what runs on them.")
    static final class ListMachines implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions options;

        @Option(names = "--json", description = "Print one JSON document.")
        boolean json;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("schemaVersion", SCHEMA_VERSION);
                doc.put("machines", registry.machines().values().stream().map(m -> describe(registry, m)).toList());
                out.println(Json.write(doc));
            } else {
                out.printf("%-16s %-24s %-12s %-8s %s%n", "NAME", "HOST", "USER", "PLATFORM", "SERVICES");
                for (Machine m : registry.machines().values()) {
                    out.printf("%-16s %-24s %-12s %-8s %s%n", m.name(), m.host() + (m.sshPort() == 22 ? "" : ":"
                            + m.sshPort()), m.user(), m.platform().name().toLowerCase(java.util.Locale.ROOT),
                            String.join(", ", registry.servicesOn(m.name()).stream().map(Service::name).toList()));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one machine with every field.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions options;

        @Parameters(paramLabel = "NAME", description = "The machine.")
        String name;

        @Option(names = "--json", description = "Print one JSON document.")
        boolean json;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            Machine machine = registry.machine(name).orElseThrow(() -> new FailedException("unknown machine '" + name
                    + "'; machines are: " + String.join(", ", registry.machines().keySet())));
            Map<String, Object> described = describe(registry, machine);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("schemaVersion", SCHEMA_VERSION);
                doc.put("machine", described);
                out.println(Json.write(doc));
            } else {
                described.forEach((k, v) -> {
                    if (v != null && !(v instanceof List<?> l && l.isEmpty())) {
                        out.printf("%-12s %s%n", k + ":", v instanceof List<?> l ? String.join(", ",
                                l.stream().map(String::valueOf).toList()) : v);
                    }
                });
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** A machine as JSON-ready fields; never the AppRole secret id. */
    static Map<String, Object> describe(Registry registry, Machine m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("host", m.host());
        out.put("user", m.user());
        out.put("platform", m.platform().name().toLowerCase(java.util.Locale.ROOT));
        out.put("port", m.sshPort());
        out.put("sshKey", m.sshKey());
        out.put("vaultRole", m.vaultRole());
        out.put("description", m.description());
        out.put("tags", m.tags());
        out.put("services", registry.servicesOn(m.name()).stream().map(Service::name).toList());
        return out;
    }
}
