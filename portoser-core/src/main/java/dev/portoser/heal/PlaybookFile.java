package dev.portoser.heal;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Severity;
import dev.portoser.registry.internal.Suggestions;
import dev.portoser.registry.internal.YamlComposer;
import dev.portoser.registry.internal.YamlNode;
import dev.portoser.registry.internal.YamlSyntaxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Reads user playbooks from YAML ({@code playbooks.yml} in the knowledge directory), validated as strictly as the
 * registry, every problem with its file, line and column:
 *
 * <pre>
 * playbooks:
 *   clear-cache:                       # the playbook's name
 *     fingerprint: disk.full           # the diagnosis it fixes
 *     description: remove the service's cache
 *     run:                             # commands, each an argument list run without a shell
 *       - [find, "${path}/cache", -type, f, -delete]
 * </pre>
 */
public final class PlaybookFile {
    /** The file name in the knowledge directory. */
    public static final String FILE_NAME = "playbooks.yml";
    private static final Set<String> KEYS = Set.of("fingerprint", "description", "run");
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private PlaybookFile() {
    }

    /**
     * Reads a playbook file; a missing file has no playbooks.
     *
     * @param file the file
     * @param fingerprints the fingerprints that exist (a playbook for another could never run)
     * @return the playbooks, in file order
     * @throws PlaybookFileException when the file is not valid
     */
    public static List<CommandPlaybook> load(Path file, Collection<String> fingerprints) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new PlaybookFileException(List.of(new Problem(Severity.ERROR, file.toString(), 0, 0, "",
                    "cannot read the file: " + e.getMessage())));
        }
        return parse(text, file.toString(), fingerprints);
    }

    /**
     * Parses playbook text.
     *
     * @param text the YAML
     * @param source the file name for problems
     * @param fingerprints the fingerprints that exist
     * @return the playbooks, in file order
     * @throws PlaybookFileException when the text is not valid
     */
    public static List<CommandPlaybook> parse(String text, String source, Collection<String> fingerprints) {
        List<Problem> problems = new ArrayList<>();
        YamlNode root;
        try {
            root = new YamlComposer(20, 50).compose(text, source).orElse(null);
        } catch (YamlSyntaxException e) {
            throw new PlaybookFileException(List.of(new Problem(Severity.ERROR, source, e.line(), e.column(), "",
                    e.getMessage())));
        }
        if (root == null) {
            return List.of();
        }
        List<CommandPlaybook> out = new ArrayList<>();
        if (!(root instanceof YamlNode.Mapping top)) {
            error(problems, source, root, "", "expected a mapping with 'playbooks:', found " + root.kind());
            throw new PlaybookFileException(problems);
        }
        top.entries().forEach((key, entry) -> {
            if (!key.equals("playbooks")) {
                error(problems, source, entry.key(), key, "unknown key" + Suggestions.didYouMean(key, List.of("playbooks")));
            }
        });
        YamlNode.Entry books = top.entries().get("playbooks");
        if (books != null) {
            if (books.value() instanceof YamlNode.Mapping m) {
                m.entries().forEach((name, e) -> {
                    CommandPlaybook p = playbook(source, name, e, fingerprints, problems);
                    if (p != null) {
                        out.add(p);
                    }
                });
            } else if (!(books.value() instanceof YamlNode.Scalar s && s.isNull())) {
                error(problems, source, books.value(), "playbooks", "expected a mapping of playbook names, found "
                        + books.value().kind());
            }
        }
        if (!problems.isEmpty()) {
            throw new PlaybookFileException(problems);
        }
        return List.copyOf(out);
    }

    private static CommandPlaybook playbook(String source, String name, YamlNode.Entry entry,
                                            Collection<String> fingerprints, List<Problem> problems) {
        String at = "playbooks." + name;
        int before = problems.size();
        if (!NAME.matcher(name).matches()) {
            error(problems, source, entry.key(), at, "a playbook name is lowercase letters, digits, '.', '_' and '-' "
                    + "(at most 63), starting with a letter or digit");
        }
        if (!(entry.value() instanceof YamlNode.Mapping m)) {
            error(problems, source, entry.value(), at, "expected a mapping with fingerprint and run, found "
                    + entry.value().kind());
            return null;
        }
        m.entries().forEach((key, e) -> {
            if (!KEYS.contains(key)) {
                error(problems, source, e.key(), at + "." + key, "unknown key" + Suggestions.didYouMean(key, KEYS));
            }
        });
        String fingerprint = scalar(source, m, entry.key(), "fingerprint", at, problems, true);
        if (fingerprint != null && !fingerprints.contains(fingerprint)) {
            error(problems, source, m.entries().get("fingerprint").value(), at + ".fingerprint", "unknown fingerprint '"
                    + fingerprint + "'" + Suggestions.didYouMean(fingerprint, fingerprints) + "; known: "
                    + String.join(", ", new java.util.TreeSet<>(fingerprints)));
        }
        String description = scalar(source, m, entry.key(), "description", at, problems, false);
        List<List<String>> commands = new ArrayList<>();
        YamlNode.Entry run = m.entries().get("run");
        if (run == null) {
            error(problems, source, entry.key(), at + ".run", "missing required field (a list of commands, each a list of "
                    + "arguments)");
        } else if (!(run.value() instanceof YamlNode.Sequence seq) || seq.items().isEmpty()) {
            error(problems, source, run.value(), at + ".run", "expected a non-empty list of commands, found "
                    + run.value().kind());
        } else {
            for (int i = 0; i < seq.items().size(); i++) {
                commands.add(command(source, seq.items().get(i), at + ".run[" + i + "]", problems));
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new CommandPlaybook(name, fingerprint, description == null ? "" : description, commands);
    }

    private static List<String> command(String source, YamlNode node, String at, List<Problem> problems) {
        if (!(node instanceof YamlNode.Sequence seq) || seq.items().isEmpty()) {
            error(problems, source, node, at, "expected a command as a list of arguments, such as [systemctl, restart, "
                    + "\"${service}\"], found " + node.kind() + " (commands run without a shell, so a value is always "
                    + "one argument)");
            return List.of();
        }
        List<String> argv = new ArrayList<>();
        Set<String> known = new LinkedHashSet<>(CommandPlaybook.STANDARD_PARAMETERS);
        known.addAll(CommandPlaybook.FACTS);
        for (int i = 0; i < seq.items().size(); i++) {
            YamlNode item = seq.items().get(i);
            if (!(item instanceof YamlNode.Scalar s) || s.isNull()) {
                error(problems, source, item, at + "[" + i + "]", "expected an argument (text), found " + item.kind());
                continue;
            }
            Matcher p = CommandPlaybook.PARAMETER.matcher(s.value());
            while (p.find()) {
                if (!known.contains(p.group(1))) {
                    error(problems, source, s, at + "[" + i + "]", "unknown parameter ${" + p.group(1) + "}"
                            + Suggestions.didYouMean(p.group(1), known) + "; known: " + String.join(", ", known));
                }
            }
            argv.add(s.value());
        }
        return argv;
    }

    private static String scalar(String source, YamlNode.Mapping m, YamlNode owner, String key, String at,
                                 List<Problem> problems, boolean required) {
        YamlNode.Entry e = m.entries().get(key);
        if (e == null) {
            if (required) {
                error(problems, source, owner, at + "." + key, "missing required field");
            }
            return null;
        }
        if (!(e.value() instanceof YamlNode.Scalar s) || s.isNull()) {
            error(problems, source, e.value(), at + "." + key, "expected text, found " + e.value().kind());
            return null;
        }
        return s.value();
    }

    private static void error(List<Problem> problems, String source, YamlNode at, String path, String message) {
        problems.add(new Problem(Severity.ERROR, source, at.line(), at.column(), path, message));
    }
}
