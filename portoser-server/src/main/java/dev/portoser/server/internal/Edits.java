package dev.portoser.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import dev.portoser.registry.RegistryLoader;
import dev.portoser.registry.Service;
import dev.portoser.registry.edit.RegistryConflictException;
import dev.portoser.registry.edit.RegistryEditException;
import dev.portoser.registry.edit.RegistryEditor;
import dev.portoser.registry.edit.SaveResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Registry edits from the API, through the same {@link RegistryEditor} as the CLI (so the same validation,
 * conflict rules and byte-for-byte fidelity). A client sends the version it saw ({@code If-Match}); an edit of a
 * file that changed since is refused, so that nobody overwrites a change they have not seen.
 */
public final class Edits {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrySource source;
    private final RegistryLoader loader;
    private final Object lock;

    /**
     * Edits of one registry file.
     *
     * @param source the file
     * @param loader how it is validated
     * @param lock held while the file is edited (also by moves)
     */
    public Edits(RegistrySource source, RegistryLoader loader, Object lock) {
        this.source = source;
        this.loader = loader;
        this.lock = lock;
    }

    /** Which kind of entry an edit is about. */
    public enum Kind {
        /** An entry under {@code machines:}. */
        MACHINE,
        /** An entry under {@code services:}. */
        SERVICE
    }

    /**
     * Adds a machine or service: {@code {"name": "...", "fields": {YAML key: value}}}.
     *
     * @param kind what to add
     * @param body the request's body
     * @param ifMatch the registry version the client saw
     * @param dryRun whether to only say what would change
     * @return the outcome: the new version, the diff, notices
     */
    public Map<String, Object> add(Kind kind, JsonNode body, @Nullable String ifMatch, boolean dryRun) {
        String name = Api.text(body, "name", true);
        Map<String, Object> fields = fields(body);
        return edit(ifMatch, dryRun, e -> {
            if (kind == Kind.MACHINE) {
                e.addMachine(name, fields);
            } else {
                e.addService(name, fields);
            }
        });
    }

    /**
     * Changes fields of a machine or service ({@code {"fields": {...}}}, null removes a field).
     *
     * @param kind what to change
     * @param name its name
     * @param body the request's body
     * @param ifMatch the registry version the client saw
     * @param dryRun whether to only say what would change
     * @return the outcome
     */
    public Map<String, Object> update(Kind kind, String name, JsonNode body, @Nullable String ifMatch, boolean dryRun) {
        exists(kind, name);
        Map<String, Object> fields = fields(body);
        return edit(ifMatch, dryRun, e -> {
            if (kind == Kind.MACHINE) {
                e.updateMachine(name, fields);
            } else {
                e.updateService(name, fields);
            }
        });
    }

    /**
     * Removes a machine or service; refused while something depends on it unless forced.
     *
     * @param kind what to remove
     * @param name its name
     * @param force whether to remove what depends on it from it
     * @param ifMatch the registry version the client saw
     * @param dryRun whether to only say what would change
     * @return the outcome
     */
    public Map<String, Object> remove(Kind kind, String name, boolean force, @Nullable String ifMatch, boolean dryRun) {
        exists(kind, name);
        Registry registry = source.snapshot().registry();
        List<String> users = kind == Kind.MACHINE
                ? registry.servicesOn(name).stream().map(Service::name).toList()
                : dependents(registry, name);
        if (!force && !users.isEmpty()) {
            throw new ApiError(409, (kind == Kind.MACHINE ? "services run on machine '" : "services depend on '")
                    + name + "': " + String.join(", ", users) + "; remove them first, or force")
                    .with(kind == Kind.MACHINE ? "services" : "dependents", users).with("forceable", true);
        }
        return edit(ifMatch, dryRun, e -> {
            if (kind == Kind.MACHINE) {
                e.removeMachine(name, force);
            } else {
                e.removeService(name, force);
            }
        });
    }

    /**
     * The services that depend on one.
     *
     * @param registry the registry
     * @param service the service
     * @return their names, in registry order
     */
    public static List<String> dependents(Registry registry, String service) {
        return registry.services().values().stream().filter(s -> s.dependsOn().contains(service))
                .map(Service::name).toList();
    }

    private void exists(Kind kind, String name) {
        Registry registry = source.snapshot().registry();
        boolean there = kind == Kind.MACHINE ? registry.machine(name).isPresent() : registry.service(name).isPresent();
        if (!there) {
            throw new ApiError(404, "no " + (kind == Kind.MACHINE ? "machine" : "service") + " '" + name
                    + "' in the registry");
        }
    }

    private static Map<String, Object> fields(JsonNode body) {
        JsonNode fields = body.get("fields");
        if (fields == null || !fields.isObject()) {
            throw new ApiError(400, "\"fields\" must be an object of YAML keys and values");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        fields.fields().forEachRemaining(f -> values.put(f.getKey(),
                JSON.convertValue(f.getValue(), Object.class)));
        return values;
    }

    private Map<String, Object> edit(@Nullable String ifMatch, boolean dryRun, Consumer<RegistryEditor> change) {
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ApiError(428, "say which registry version you edit: send If-Match with the registrySha256 of "
                    + "GET /api/v1/registry");
        }
        String expected = ifMatch.trim().replace("\"", "");
        synchronized (lock) {
            String onDisk = source.shaOnDisk();
            if (!onDisk.equals(expected)) {
                throw new ApiError(412, "the registry changed since you read it; reload and edit again")
                        .with("stale", true).with("registrySha256", onDisk);
            }
            RegistryEditor editor = RegistryEditor.builder().loader(loader).open(source.file());
            try {
                change.accept(editor);
            } catch (RegistryException e) {
                String first = e.errors().isEmpty() ? "the registry would be invalid" : e.errors().get(0).message();
                throw new ApiError(422, "refused: " + first + "; nothing was written")
                        .with("problems", Views.problems(e.errors()));
            } catch (RegistryEditException e) {
                throw new ApiError(409, e.getMessage());
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("diff", editor.diff());
            doc.put("notices", editor.notices());
            if (dryRun) {
                doc.put("written", false);
                doc.put("registrySha256", onDisk);
                return doc;
            }
            SaveResult saved;
            try {
                saved = editor.save();
            } catch (RegistryConflictException e) {
                throw new ApiError(412, e.getMessage()).with("stale", true);
            }
            doc.put("written", saved.written());
            doc.put("registrySha256", saved.sha256());
            source.reload(false);
            return doc;
        }
    }
}
