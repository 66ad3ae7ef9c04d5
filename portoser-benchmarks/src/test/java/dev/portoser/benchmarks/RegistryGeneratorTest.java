package dev.portoser.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.registry.Registry;
import org.junit.jupiter.api.Test;

/** The benchmark input is what it claims to be: a valid registry of the asked size, the same every time. */
class RegistryGeneratorTest {
    @Test
    void generatesAValidRegistryOfTheAskedSize() {
        String text = RegistryGenerator.generate(2_000, 100, 42);
        Registry registry = Registry.parse(text);
        assertThat(registry.services()).hasSize(2_000);
        assertThat(registry.machines()).hasSize(100);
        assertThat(registry.services().values().stream().mapToInt(s -> s.dependsOn().size()).sum()).isGreaterThan(2_000);
        assertThat(registry.groups()).hasSize(4);
        assertThat(RegistryGenerator.generate(2_000, 100, 42)).isEqualTo(text);
    }
}
