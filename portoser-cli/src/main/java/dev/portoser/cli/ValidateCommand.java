package dev.portoser.cli;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portoser registry validate}: load the registry and print every problem, compiler style. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check the registry: syntax, fields, references, dependency cycles, port clashes.",
                "Each problem is printed as FILE:LINE:COL: error|warning: message.",
                "Exits 0 when valid (warnings allowed), 1 when invalid, 2 on usage errors."})
final class ValidateCommand implements Callable<Integer> {
    /** Version of the {@code --json} document. */
    static final int SCHEMA_VERSION = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Option(names = "--json", description = "Print the result as one JSON document.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path file = options.locate(System::getenv);
        PrintWriter out = spec.commandLine().getOut();
        List<Problem> problems;
        Registry registry = null;
        try {
            registry = options.loader().load(file);
            problems = registry.warnings();
        } catch (RegistryException e) {
            problems = e.problems();
        }
        if (json) {
            out.println(json(file, registry, problems));
        } else {
            problems.forEach(out::println);
            out.println(summary(file, registry, problems));
        }
        out.flush();
        return registry != null ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static String summary(Path file, Registry registry, List<Problem> problems) {
        long errors = problems.stream().filter(Problem::isError).count();
        long warnings = problems.size() - errors;
        String warned = warnings == 0 ? "" : ", " + plural(warnings, "warning");
        if (registry == null) {
            return file + ": invalid: " + plural(errors, "error") + warned;
        }
        return file + ": valid: " + plural(registry.machines().size(), "machine") + ", "
                + plural(registry.services().size(), "service") + ", " + plural(registry.groups().size(), "group")
                + warned;
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static String json(Path file, Registry registry, List<Problem> problems) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", SCHEMA_VERSION);
        doc.put("registry", file.toString());
        doc.put("valid", registry != null);
        if (registry != null) {
            doc.put("machines", registry.machines().size());
            doc.put("services", registry.services().size());
            doc.put("groups", registry.groups().size());
        }
        doc.put("problems", problems.stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("severity", p.severity().label());
            m.put("file", p.source());
            m.put("line", p.line());
            m.put("column", p.column());
            m.put("path", p.path());
            m.put("message", p.message());
            return m;
        }).toList());
        return Json.write(doc);
    }
}
