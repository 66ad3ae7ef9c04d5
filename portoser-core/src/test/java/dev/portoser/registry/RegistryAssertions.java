package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

/** Helpers shared by the registry tests: load text and get the problems as the CLI would print them. */
final class RegistryAssertions {
    /** A machine every test registry can run services on. */
    static final String MACHINE = """
            machines:
              m1:
                host: 10.200.0.11
                user: deploy
                platform: linux
            """;

    private RegistryAssertions() {
    }

    /** Parses text that must be invalid and returns every problem rendered as {@code <string>:L:C: ...}. */
    static List<String> problems(String yaml) {
        RegistryException[] caught = new RegistryException[1];
        assertThatThrownBy(() -> Registry.parse(yaml)).isInstanceOfSatisfying(RegistryException.class,
                e -> caught[0] = e);
        return caught[0].problems().stream().map(Problem::toString).toList();
    }

    /** Parses text that must be invalid and returns only the errors, rendered. */
    static List<String> errors(String yaml) {
        RegistryException[] caught = new RegistryException[1];
        assertThatThrownBy(() -> Registry.parse(yaml)).isInstanceOfSatisfying(RegistryException.class,
                e -> caught[0] = e);
        return caught[0].errors().stream().map(Problem::toString).toList();
    }
}
