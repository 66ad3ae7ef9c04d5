package dev.portoser.examples;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import java.nio.file.Path;

/** Loads a registry, prints a summary and its warnings, or every problem with its position. */
public final class LoadAndValidate {
    private LoadAndValidate() {
    }

    /** Usage: {@code LoadAndValidate REGISTRY [NAME=VALUE...]}. */
    public static void main(String[] args) {
        var loader = Registry.loader();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            loader.variable(kv[0], kv[1]);
        }
        try {
            Registry registry = loader.build().load(Path.of(args[0]));
            System.out.println(registry.machines().size() + " machines, " + registry.services().size() + " services");
            registry.services().values().forEach(s -> System.out.println("  " + s.name() + " (" + s.type().yamlName()
                    + ") on " + s.machine() + (s.dependsOn().isEmpty() ? "" : ", after " + s.dependsOn())));
            registry.warnings().forEach(System.out::println);
        } catch (RegistryException e) {
            for (Problem p : e.problems()) {
                System.out.println(p);
            }
        }
    }
}
