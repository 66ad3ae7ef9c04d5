package dev.portoser.benchmarks;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
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

/**
 * Planning every service of a large registry against loading it, in one run.
 * Target (issue "Planner"): {@code planAll} at most half of {@code loadAndValidate}.
 *
 * <p>{@code planAll} includes building the planner (dependency graph, registry fingerprint, port choices), not
 * only {@code all()}, because that is what a caller pays for a fresh registry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PlanBenchmark {
    @Param({"10000"})
    int services;

    @Param({"500"})
    int machines;

    String text;
    RegistryLoader loader;
    Registry registry;

    @Setup
    public void setUp() {
        text = RegistryGenerator.generate(services, machines, 42);
        loader = Registry.loader().build();
        registry = loader.parse(text, "generated.yml");
        Plan plan = Planner.of(registry).all();
        if (plan.steps().size() != services) {
            throw new IllegalStateException("planned " + plan.steps().size() + " steps");
        }
    }

    /** Text to a validated registry, the reference. */
    @Benchmark
    public Registry loadAndValidate() {
        return loader.parse(text, "generated.yml");
    }

    /** A planner for the registry and its deploy-everything plan. */
    @Benchmark
    public Plan planAll() {
        return Planner.of(registry).all();
    }
}
