package dev.portoser.cli;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portoser registry import-bash OLD.yml [-o registry.yml]}: from the Bash Portoser's schema to ours. */
@Command(name = "import-bash", mixinStandardHelpOptions = true,
        description = {"Convert a registry of the Bash Portoser (hosts: with ip and ssh_user; services with"
                + " current_host, deployment_type, docker_compose, healthcheck_url, dependencies) into this format.",
                "Every field that could not be mapped, or whose value was guessed, is reported with its line. The"
                        + " result is validated; exits 1 when it is not valid yet (the report says why)."})
final class ImportBashCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "OLD.yml", description = "The Bash Portoser registry to read.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the new registry here (default: standard output, the report on standard error).")
    Path output;

    @Option(names = "--force", description = "Overwrite the output file when it exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        String text;
        try {
            text = Files.readString(input, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FailedException(input + ": no such file");
        }
        String user = System.getProperty("user.name", "root");
        BashRegistryImport.Result result = BashRegistryImport.convert(text, input.toString(), user);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter report = output == null ? spec.commandLine().getErr() : out;
        String target = output == null ? "<output>" : output.toString();
        List<Problem> problems;
        boolean valid;
        try {
            problems = Registry.loader().build().parse(result.yaml(), target).warnings();
            valid = true;
        } catch (RegistryException e) {
            problems = e.problems();
            valid = false;
        }
        if (output == null) {
            out.print(result.yaml());
        } else {
            if (Files.exists(output) && !force) {
                throw new UsageException(output + " exists; choose another file or add --force");
            }
            Files.writeString(output, result.yaml(), StandardCharsets.UTF_8);
        }
        result.notes().forEach(report::println);
        problems.forEach(report::println);
        report.println(input + ": " + result.notes().size() + " field" + (result.notes().size() == 1 ? "" : "s")
                + " not mapped or guessed; " + (valid ? target + " is valid"
                : target + " is not valid yet: fix the errors above, then run 'portoser registry validate'"));
        out.flush();
        report.flush();
        return valid ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
