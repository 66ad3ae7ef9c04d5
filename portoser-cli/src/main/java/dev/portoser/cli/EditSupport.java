package dev.portoser.cli;

import dev.portoser.registry.RegistryException;
import dev.portoser.registry.edit.RegistryEditor;
import dev.portoser.registry.edit.SaveResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every registry-editing verb shares: find the file, edit, then print the diff or save. */
abstract class EditSupport {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Option(names = "--dry-run", description = "Print the unified diff of the registry file and change nothing.")
    boolean dryRun;

    @Option(names = "--no-backup", description = "Do not keep the previous version as registry.yml.bak.")
    boolean noBackup;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Opens the registry for editing; a missing file is a usage error. */
    RegistryEditor open() {
        Path file = options.locate(System::getenv);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("no registry file at " + file);
        }
        try {
            return RegistryEditor.builder().loader(options.loader()).backups(noBackup ? 0 : RegistryEditor.DEFAULT_BACKUPS)
                    .open(file);
        } catch (RegistryException e) {
            e.problems().forEach(spec.commandLine().getErr()::println);
            throw new FailedException(file + ": cannot be edited: fix it first (portoser registry validate)");
        }
    }

    /**
     * Applies an edit, then prints the diff ({@code --dry-run}) or saves and says what changed.
     *
     * @param done the sentence printed after saving, such as "added machine 'm1'"
     */
    int edit(RegistryEditor editor, Consumer<RegistryEditor> edit, String done) {
        try {
            edit.accept(editor);
        } catch (RegistryException e) {
            e.errors().forEach(spec.commandLine().getErr()::println);
            throw new FailedException(editor.file() + ": refused: the registry would be invalid; nothing was written");
        }
        PrintWriter out = out();
        editor.notices().forEach(n -> out.println("note: " + n));
        if (dryRun) {
            out.print(editor.changed() ? editor.diff() : editor.file() + ": no change\n");
            out.flush();
            return ExitCodes.OK;
        }
        SaveResult saved = editor.save();
        out.println(editor.file() + ": " + (saved.written() ? done : "no change"));
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code a,b} and repeated flags as one list. */
    static List<String> splitCommas(List<String> values) {
        return values.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::trim).filter(s -> !s.isEmpty())
                .toList();
    }

    /** A port or {@code auto}, as the registry writes it. */
    static Object port(String value) {
        if (value.equalsIgnoreCase("auto")) {
            return "auto";
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--port expects a number or 'auto', found '" + value + "'");
        }
    }

    /** Puts a value when it is given. */
    static void maybe(Map<String, Object> fields, String key, Object value) {
        if (value != null) {
            fields.put(key, value);
        }
    }
}
