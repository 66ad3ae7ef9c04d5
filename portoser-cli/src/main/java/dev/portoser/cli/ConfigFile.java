package dev.portoser.cli;

import dev.portoser.ErrorMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * {@code ~/.portoser/config.yml}: defaults for the CLI ({@code registry}, {@code known_hosts}, {@code state_dir},
 * {@code vault_addr}, {@code approles}). Flags and environment variables win over it.
 */
final class ConfigFile {
    private final Map<?, ?> values;

    private ConfigFile(Map<?, ?> values) {
        this.values = values;
    }

    /** The user's config file, or an empty one when there is none. */
    static ConfigFile load() {
        Path file = Path.of(System.getProperty("user.home"), ".portoser", "config.yml");
        if (!Files.isRegularFile(file)) {
            return new ConfigFile(Map.of());
        }
        try {
            Object doc = new Load(LoadSettings.builder().setLabel(file.toString()).build())
                    .loadFromString(Files.readString(file));
            if (!(doc instanceof Map<?, ?> map)) {
                throw new UsageException(file + ": expected a mapping such as 'registry: /path/registry.yml'");
            }
            return new ConfigFile(map);
        } catch (UsageException e) {
            throw e;
        } catch (MarkedYamlEngineException e) {
            // SnakeYAML's own message spans lines (a snippet and a caret): keep the problem and its place.
            String where = e.getProblemMark().map(m -> ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("");
            throw new UsageException(file + where + ": invalid YAML: "
                    + (e.getProblem() == null ? "not valid YAML" : e.getProblem()));
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot read " + file + ": " + ErrorMessages.describe(e));
        }
    }

    /** A path setting, {@code ~/} meaning the home directory. */
    Optional<Path> path(String key) {
        return text(key).map(v -> v.startsWith("~/") ? Path.of(System.getProperty("user.home"), v.substring(2))
                : Path.of(v));
    }

    /** A text setting. */
    Optional<String> text(String key) {
        Object v = values.get(key);
        return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
    }
}
