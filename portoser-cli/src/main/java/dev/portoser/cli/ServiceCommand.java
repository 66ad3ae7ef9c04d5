package dev.portoser.cli;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.registry.edit.RegistryEditor;
import java.io.PrintWriter;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portoser service add|update|remove|list|show|move}: the services of the registry. */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = "Add, change, remove, list, show and move the services of the registry.",
        subcommands = {ServiceCommand.Add.class, ServiceCommand.Update.class, ServiceCommand.Remove.class,
                ServiceCommand.ListServices.class, ServiceCommand.Show.class, ServiceCommand.Move.class})
final class ServiceCommand implements Runnable {
    /** Version of the {@code --json} documents. */
    static final int SCHEMA_VERSION = 1;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "a service command is required (add, update, remove, list, show, move)");
    }

    /** The fields a service can be given on the command line. */
    static final class Fields {
        @Option(names = "--type", paramLabel = "TYPE", description = "docker, local or native.")
        @Nullable String type;

        @Option(names = "--path", paramLabel = "DIR", description = "Its directory on the machine (absolute).")
        @Nullable String path;

        @Option(names = "--machine", paramLabel = "MACHINE", description = "The machine it runs on.")
        @Nullable String machine;

        @Option(names = "--port", paramLabel = "PORT", description = "Its primary port, or auto.")
        @Nullable String port;

        @Option(names = "--command", paramLabel = "COMMAND", description = "What to run (local and native services).")
        @Nullable String command;

        @Option(names = "--compose-file", paramLabel = "FILE", description = "The Compose file (docker services).")
        @Nullable String composeFile;

        @Option(names = "--env-file", paramLabel = "FILE", description = "An environment file.")
        @Nullable String envFile;

        @Option(names = "--service-name", paramLabel = "UNIT", description = "The service manager's name (native).")
        @Nullable String serviceName;

        @Option(names = "--log-file", paramLabel = "FILE", description = "Where its output goes.")
        @Nullable String logFile;

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text.")
        @Nullable String description;

        @Option(names = "--depends-on", paramLabel = "SERVICE",
                description = "A dependency; repeatable or comma-separated. Replaces depends_on.")
        List<String> dependsOn = new ArrayList<>();

        @Option(names = "--group", paramLabel = "GROUP", description = "The group it is part of.")
        @Nullable String group;

        @Option(names = "--tag", paramLabel = "TAG", description = "A tag; repeatable or comma-separated. Replaces the tags.")
        List<String> tags = new ArrayList<>();

        @Option(names = "--env", paramLabel = "KEY=VALUE", description = "An environment variable; repeatable.")
        Map<String, String> env = new LinkedHashMap<>();

        @Option(names = "--health-type", paramLabel = "TYPE", description = "http, tcp or process.")
        @Nullable String healthType;

        @Option(names = "--health-endpoint", paramLabel = "PATH", description = "The HTTP path to check, e.g. /health.")
        @Nullable String healthEndpoint;

        @Option(names = "--health-port", paramLabel = "PORT", description = "The port to check (the service's by default).")
        @Nullable Integer healthPort;

        @Option(names = "--health-interval", paramLabel = "DURATION", description = "Time between checks: 30, 30s, 2m.")
        @Nullable String healthInterval;

        @Option(names = "--health-timeout", paramLabel = "DURATION", description = "Time one check may take.")
        @Nullable String healthTimeout;

        @Option(names = "--health-retries", paramLabel = "N", description = "Failed checks before unhealthy.")
        @Nullable Integer healthRetries;

        Map<String, Object> toMap() {
            Map<String, Object> fields = new LinkedHashMap<>();
            EditSupport.maybe(fields, "type", type);
            EditSupport.maybe(fields, "path", path);
            EditSupport.maybe(fields, "machine", machine);
            EditSupport.maybe(fields, "port", port == null ? null : EditSupport.port(port));
            EditSupport.maybe(fields, "command", command);
            EditSupport.maybe(fields, "compose_file", composeFile);
            EditSupport.maybe(fields, "env_file", envFile);
            EditSupport.maybe(fields, "service_name", serviceName);
            EditSupport.maybe(fields, "log_file", logFile);
            EditSupport.maybe(fields, "description", description);
            if (!dependsOn.isEmpty()) {
                fields.put("depends_on", EditSupport.splitCommas(dependsOn));
            }
            EditSupport.maybe(fields, "group", group);
            if (!tags.isEmpty()) {
                fields.put("tags", EditSupport.splitCommas(tags));
            }
            if (!env.isEmpty()) {
                fields.put("env", new LinkedHashMap<String, Object>(env));
            }
            Map<String, Object> health = new LinkedHashMap<>();
            EditSupport.maybe(health, "type", healthType);
            EditSupport.maybe(health, "endpoint", healthEndpoint);
            EditSupport.maybe(health, "port", healthPort);
            EditSupport.maybe(health, "interval", healthInterval);
            EditSupport.maybe(health, "timeout", healthTimeout);
            EditSupport.maybe(health, "retries", healthRetries);
            if (!health.isEmpty()) {
                fields.put("health", health);
            }
            return fields;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a service: portoser service add --name my-app --type docker --path /opt/my-app --machine m1")
    static final class Add extends EditSupport implements Callable<Integer> {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The service's name.")
        String name;

        @Mixin
        Fields fields;

        @Override
        public Integer call() {
            return edit(open(), e -> e.addService(name, fields.toMap()), "added service '" + name + "'");
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change fields of a service: portoser service update my-app --machine mini1 --port 9000")
    static final class Update extends EditSupport implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Mixin
        Fields fields;

        @Option(names = "--unset", paramLabel = "FIELD",
                description = "Remove a field: its YAML key (port, group), or env.KEY, health.FIELD; repeatable.")
        List<String> unset = new ArrayList<>();

        @Override
        public Integer call() {
            Map<String, Object> changes = fields.toMap();
            if (changes.isEmpty() && unset.isEmpty()) {
                throw new UsageException("nothing to change: give a field such as --port, or --unset FIELD");
            }
            return edit(open(), e -> {
                e.updateService(name, changes);
                for (String field : unset) {
                    List<String> path = new ArrayList<>(List.of("services", name));
                    path.addAll(List.of(field.split("\\.", 2)));
                    e.set(path, null);
                }
            }, "updated service '" + name + "'");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a service; refused while others depend on it, unless --force.")
    static final class Remove extends EditSupport implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Option(names = "--force", description = "Remove it although others depend on it (it leaves their depends_on).")
        boolean force;

        @Override
        public Integer call() {
            return edit(open(), e -> e.removeService(name, force), "removed service '" + name + "'");
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = "Move a service to another machine: edit the registry, deploy it there, then stop the old one.")
    static final class Move extends EditSupport implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Option(names = "--machine", required = true, paramLabel = "MACHINE", description = "The machine to move it to.")
        String machine;

        @Option(names = "--no-deploy", description = "Only edit the registry; deploy later.")
        boolean noDeploy;

        @Mixin
        ExecutionOptions execution;

        @Override
        public Integer call() {
            RegistryEditor editor = open();
            Registry before = editor.registry();
            Plan plan = noDeploy ? null : Planner.of(before).move(name, machine);
            PrintWriter out = out();
            int edited = edit(editor, e -> e.moveService(name, machine),
                    "moved service '" + name + "' to machine '" + machine + "'");
            if (plan == null || edited != ExitCodes.OK) {
                return edited;
            }
            if (dryRun) {
                out.println();
                out.print(plan.render());
                out.flush();
                return ExitCodes.OK;
            }
            int result = execution.execute(before, plan, out, err());
            if (result != ExitCodes.OK) {
                String from = before.service(name).orElseThrow().machine();
                RegistryEditor.builder().loader(options.loader()).open(editor.file()).moveService(name, from).save();
                throw new FailedException("the migration of '" + name + "' to '" + machine + "' failed; the registry "
                        + "says '" + from + "' again");
            }
            return result;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the services and where they run.")
    static final class ListServices implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions options;

        @Option(names = "--machine", paramLabel = "MACHINE", description = "Only the services on this machine.")
        @Nullable String machine;

        @Option(names = "--json", description = "Print one JSON document.")
        boolean json;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            List<Service> services = registry.services().values().stream()
                    .filter(s -> machine == null || machine.equals(s.machine())).toList();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("schemaVersion", SCHEMA_VERSION);
                doc.put("services", services.stream().map(ServiceCommand::describe).toList());
                out.println(Json.write(doc));
            } else {
                out.printf("%-20s %-7s %-14s %-6s %s%n", "NAME", "TYPE", "MACHINE", "PORT", "DEPENDS ON");
                for (Service s : services) {
                    out.printf("%-20s %-7s %-14s %-6s %s%n", s.name(), word(s.type()), s.machine(),
                            s.autoPort() ? "auto" : s.port() == null ? "-" : s.port().toString(),
                            String.join(", ", s.dependsOn()));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one service with every field.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions options;

        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Option(names = "--json", description = "Print one JSON document.")
        boolean json;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            Service service = registry.service(name).orElseThrow(() -> new FailedException("unknown service '" + name
                    + "'; services are: " + String.join(", ", registry.services().keySet())));
            Map<String, Object> described = describe(service);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("schemaVersion", SCHEMA_VERSION);
                doc.put("service", described);
                out.println(Json.write(doc));
            } else {
                described.forEach((k, v) -> {
                    if (v != null && !(v instanceof List<?> l && l.isEmpty()) && !(v instanceof Map<?, ?> m && m.isEmpty())) {
                        out.printf("%-13s %s%n", k + ":", v instanceof List<?> l
                                ? String.join(", ", l.stream().map(String::valueOf).toList()) : v);
                    }
                });
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** A service as JSON-ready fields; env values are not shown, only their names. */
    static Map<String, Object> describe(Service s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("type", word(s.type()));
        out.put("machine", s.machine());
        out.put("path", s.path());
        out.put("port", s.autoPort() ? "auto" : s.port());
        out.put("ports", s.ports());
        out.put("command", s.command());
        out.put("composeFile", s.composeFile());
        out.put("envFile", s.envFile());
        out.put("serviceName", s.serviceName());
        out.put("dependsOn", s.dependsOn());
        out.put("group", s.group());
        out.put("tags", s.tags());
        out.put("env", List.copyOf(s.env().keySet()));
        out.put("vaultSecrets", s.vaultSecrets().stream().map(r -> r.path()).toList());
        HealthSpec h = s.health();
        if (h != null) {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("type", word(h.type()));
            health.put("endpoint", h.endpoint());
            health.put("port", h.port());
            health.put("interval", h.interval().toString());
            health.put("timeout", h.timeout().toString());
            health.put("retries", h.retries());
            out.put("health", health);
        } else {
            out.put("health", null);
        }
        out.put("description", s.description());
        return out;
    }
}
