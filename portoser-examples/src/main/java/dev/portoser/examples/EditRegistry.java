package dev.portoser.examples;

import dev.portoser.registry.Registry;
import dev.portoser.registry.edit.RegistryEditException;
import dev.portoser.registry.edit.RegistryEditor;
import dev.portoser.registry.edit.SaveResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Edits a copy of a registry with {@link RegistryEditor}: adds a machine, moves a service to it, prints the diff
 * (only the edited lines change; comments and blank lines stay), shows a refused edit, then saves with a backup.
 */
public final class EditRegistry {
    private EditRegistry() {
    }

    /** Usage: {@code EditRegistry REGISTRY [NAME=VALUE...]}; the registry itself is not changed, a copy is. */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("portoser-edit");
        try {
            Path file = Files.copy(Path.of(args[0]), dir.resolve("registry.yml"));
            var loader = Registry.loader();
            for (int i = 1; i < args.length; i++) {
                String[] kv = args[i].split("=", 2);
                loader.variable(kv[0], kv[1]);
            }
            RegistryEditor editor = RegistryEditor.builder().loader(loader.build()).open(file);

            Map<String, Object> machine = new LinkedHashMap<>();
            machine.put("host", "10.200.0.14");
            machine.put("user", "deploy");
            machine.put("platform", "linux");
            editor.addMachine("app2", machine);
            editor.moveService("worker", "app2");
            System.out.print(editor.diff());

            try {
                editor.removeService("postgres", false);
            } catch (RegistryEditException e) {
                System.out.println("refused: " + e.getMessage());
            }

            SaveResult saved = editor.save();
            System.out.println("saved " + saved.file().getFileName() + " (sha256 " + saved.sha256().substring(0, 12)
                    + "), previous version in " + saved.backup().getFileName());
            System.out.println("worker now runs on " + loader.build().load(file).service("worker").orElseThrow().machine());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
