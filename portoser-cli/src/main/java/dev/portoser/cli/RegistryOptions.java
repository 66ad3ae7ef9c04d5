package dev.portoser.cli;

import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Where the registry is and how to load it: shared by every command that reads one. */
final class RegistryOptions {
    @Option(names = "--registry", paramLabel = "FILE",
            description = "The registry file. Default: $REGISTRY_FILE, then 'registry:' in ~/.portoser/config.yml, "
                    + "then ./registry.yml.")
    @Nullable Path registry;

    @Option(names = "--var", paramLabel = "NAME=VALUE",
            description = "Defines a template variable: {{ NAME }} in the registry becomes VALUE. Repeatable.")
    Map<String, String> variables = new LinkedHashMap<>();

    @Option(names = "--env-vars",
            description = "Let {{ NAME }} fall back to this process's environment variables.")
    boolean environmentVariables;

    @Option(names = "--verbose", description = "Show stack traces of errors.")
    boolean verbose;

    /**
     * The registry file, found as the docs say: {@code --registry}, then {@code $REGISTRY_FILE}, then
     * {@code registry:} in {@code ~/.portoser/config.yml}, then {@code ./registry.yml}.
     */
    Path locate(Function<String, String> environment) {
        if (registry != null) {
            return registry;
        }
        String fromEnvironment = environment.apply("REGISTRY_FILE");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        java.util.Optional<Path> configured = ConfigFile.load().path("registry");
        if (configured.isPresent()) {
            return configured.get();
        }
        Path local = Path.of("registry.yml");
        if (Files.exists(local)) {
            return local;
        }
        throw new UsageException("no registry found: give --registry FILE, set REGISTRY_FILE, set 'registry:' in "
                + "~/.portoser/config.yml, or create ./registry.yml");
    }

    /**
     * Loads the registry, or prints its problems to standard error and fails with exit code 1.
     *
     * @param err where problems go
     * @return the registry
     */
    Registry load(java.io.PrintWriter err) {
        Path file = locate(System::getenv);
        try {
            Registry registry = loader().load(file);
            registry.warnings().forEach(err::println);
            return registry;
        } catch (dev.portoser.registry.RegistryException e) {
            e.problems().forEach(err::println);
            throw new FailedException(file + ": invalid: fix the registry first (portoser registry validate)");
        }
    }

    /** A loader with the template variables and environment fallback asked for. */
    RegistryLoader loader() {
        RegistryLoader.Builder builder = Registry.loader().variables(variables);
        if (environmentVariables) {
            builder.environmentVariables();
        }
        return builder.build();
    }
}
