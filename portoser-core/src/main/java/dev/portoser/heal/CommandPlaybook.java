package dev.portoser.heal;

import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A playbook of commands, from the user's {@code playbooks.yml} or a fix recorded by hand: for one fingerprint, a
 * list of commands, each an argument list run without a shell. Parameters ({@code ${service}}, {@code ${machine}},
 * {@code ${path}}, {@code ${port}} and the diagnosis's facts such as {@code ${pid}} or {@code ${mount}}) are put into
 * arguments as text; since no shell reads the arguments, a value is always one argument, never code. The commands
 * run in the service's {@code path}, one after the other; the first that fails ends the playbook.
 * Immutable and thread-safe.
 *
 * @param name its name
 * @param fingerprint the diagnosis it fixes
 * @param description what it does, in words
 * @param commands the commands, each an argument list
 */
public record CommandPlaybook(String name, String fingerprint, String description, List<List<String>> commands)
        implements Playbook {
    /** The parameters every diagnosis has. */
    public static final List<String> STANDARD_PARAMETERS = List.of("service", "machine", "path", "port");
    /** The facts built-in diagnoses carry. */
    public static final List<String> FACTS = List.of("pid", "command", "holder", "pidFile", "mount", "usedPercent",
            "exitCode", "container", "unit", "program", "file", "dependency");
    static final Pattern PARAMETER = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9]*)}");

    /**
     * Checks the components and copies the commands.
     *
     * @param name its name, as the knowledge base records it
     * @param fingerprint the fingerprint of the diagnosis it fixes
     * @param description what it does, in words; empty to describe it by its command count
     * @param commands the commands, each a non-empty argument list, run in order
     * @throws IllegalArgumentException when there is no command or a command is empty
     */
    public CommandPlaybook {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(fingerprint, "fingerprint == null");
        Objects.requireNonNull(description, "description == null");
        commands = commands.stream().map(List::copyOf).toList();
        if (commands.isEmpty() || commands.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("a playbook needs at least one command, and no command may be empty");
        }
    }

    @Override
    public boolean handles(Diagnosis diagnosis) {
        return diagnosis.fingerprint().equals(fingerprint);
    }

    @Override
    public String describe(Diagnosis diagnosis) {
        return (description.isEmpty() ? "run " + commands.size() + " command(s)" : description) + ": "
                + String.join("; ", commands.stream().map(c -> String.join(" ", expand(c, values(diagnosis, null))))
                .toList());
    }

    @Override
    public Result run(Diagnosis diagnosis, PlaybookContext context) {
        Map<String, String> values = values(diagnosis, context);
        List<String> done = new ArrayList<>();
        for (List<String> command : commands) {
            List<String> argv = expand(command, values);
            CommandResult r = context.transport().exec(Command.of(argv).workingDirectory(context.service().path())
                    .timeout(context.timeout()));
            if (!r.succeeded()) {
                return Result.failed(argv.get(0) + " failed with exit " + r.exitCode() + ": " + r.tail(3).strip());
            }
            done.add(argv.get(0));
        }
        return Result.fixed("ran " + String.join(", ", done));
    }

    private static Map<String, String> values(Diagnosis d, PlaybookContext c) {
        Map<String, String> v = new LinkedHashMap<>(d.facts());
        v.put("service", d.service());
        v.put("machine", d.machine());
        if (c != null) {
            v.put("path", c.service().path());
            v.putIfAbsent("port", c.service().port() == null ? "" : String.valueOf(c.service().port()));
        }
        return v;
    }

    static List<String> expand(List<String> command, Map<String, String> values) {
        List<String> out = new ArrayList<>(command.size());
        for (String arg : command) {
            Matcher m = PARAMETER.matcher(arg);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "${" + m.group(1) + "}")));
            }
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return out;
    }
}
