package dev.portoser.registry.edit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A separate editor process for {@link RegistryEditorProcessesTest}: real JVMs contending for one file.
 *
 * <ul>
 *   <li>{@code add FILE NAME READY_DIR GO_FILE ATTEMPTS}: open, add service NAME, say it is ready, wait for
 *       GO_FILE, save; on a conflict print {@code CONFLICT NAME} and try again up to ATTEMPTS times; print
 *       {@code OK NAME} on success.</li>
 *   <li>{@code save-loop FILE}: save new versions forever, printing {@code SAVING <sha256>} before each save and
 *       {@code SAVED} after it, until killed.</li>
 * </ul>
 */
public final class EditorChild {
    private EditorChild() {
    }

    /**
     * Runs one mode.
     *
     * @param args the mode and its arguments
     * @throws Exception on any failure (the test sees the exit code and the output)
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        if (args[0].equals("add")) {
            add(file, args[2], Path.of(args[3]), Path.of(args[4]), Integer.parseInt(args[5]));
        } else {
            saveLoop(file);
        }
    }

    private static void add(Path file, String name, Path readyDir, Path go, int attempts) throws Exception {
        for (int attempt = 1; attempt <= attempts; attempt++) {
            RegistryEditor editor = RegistryEditor.builder().backups(2).lockTimeout(java.time.Duration.ofSeconds(60))
                    .open(file);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("type", "local");
            fields.put("path", "/opt/" + name);
            fields.put("machine", "m1");
            fields.put("command", "./" + name);
            editor.addService(name, fields);
            if (attempt == 1) {
                Files.createFile(readyDir.resolve(name));
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!Files.exists(go)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no go signal within 60 s");
                    }
                    Thread.onSpinWait();
                }
            }
            try {
                editor.save();
                System.out.println("OK " + name);
                return;
            } catch (RegistryConflictException e) {
                System.out.println("CONFLICT " + name);
            }
        }
    }

    private static void saveLoop(Path file) {
        String padding = "p".repeat(20_000);
        for (long i = 0; ; i++) {
            RegistryEditor editor = RegistryEditor.builder().backups(1).open(file);
            editor.updateService("web", Map.of("description", "version " + i + " " + padding));
            System.out.println("SAVING " + RegistryFiles.sha256(editor.text().getBytes(StandardCharsets.UTF_8)));
            System.out.flush();
            editor.save();
            System.out.println("SAVED");
            System.out.flush();
        }
    }
}
