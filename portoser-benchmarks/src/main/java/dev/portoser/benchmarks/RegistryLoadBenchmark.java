package dev.portoser.benchmarks;

import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Loading and validating a registry against SnakeYAML Engine parsing the same text into plain maps, in one run.
 * Target (issue "Foundation and the registry"): {@code portoserLoadAndValidate} at most 2x {@code snakeYamlParse}.
 *
 * <p>Both start from the same in-memory string, so file I/O is not measured on either side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class RegistryLoadBenchmark {
    @Param({"10000"})
    int services;

    @Param({"500"})
    int machines;

    String text;
    RegistryLoader loader;
    LoadSettings snakeSettings;

    @Setup
    public void setUp() {
        text = RegistryGenerator.generate(services, machines, 42);
        loader = Registry.loader().build();
        snakeSettings = LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build();
        // Fail fast if the generated registry is not valid: the comparison would be meaningless.
        Registry registry = loader.parse(text, "generated.yml");
        if (registry.services().size() != services) {
            throw new IllegalStateException("generated " + registry.services().size() + " services");
        }
    }

    /** The baseline: SnakeYAML Engine alone, text to maps and lists. */
    @Benchmark
    public Object snakeYamlParse() {
        return new Load(snakeSettings).loadFromString(text);
    }

    /** Portoser: text to a fully validated, immutable registry. */
    @Benchmark
    public Registry portoserLoadAndValidate() {
        return loader.parse(text, "generated.yml");
    }
}
