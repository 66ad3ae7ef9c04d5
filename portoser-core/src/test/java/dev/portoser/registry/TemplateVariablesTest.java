package dev.portoser.registry;

import static dev.portoser.registry.RegistryAssertions.MACHINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** {@code {{ NAME }}} in values: resolved from the loader's variables, errors at their own line and column. */
class TemplateVariablesTest {
    private static final String APP = MACHINE + """
            services:
              app:
                type: local
                path: /opt/{{ APP }}
                machine: m1
                command: "run --env {{ENVIRONMENT}} --region {{ REGION }}"
            """;

    @Test
    void variablesAreReplacedInAnyStringValue() {
        Registry registry = Registry.loader().variable("APP", "shop").variable("ENVIRONMENT", "prod")
                .variable("REGION", "eu").build().parse(APP, "r.yml");
        Service app = registry.service("app").orElseThrow();
        assertThat(app.path()).isEqualTo("/opt/shop");
        assertThat(app.command()).isEqualTo("run --env prod --region eu");
    }

    @Test
    void anUndefinedVariableIsAnErrorAtItsOwnColumn() {
        RegistryLoader loader = Registry.loader().variable("APP", "shop").build();
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> loader.parse(APP, "r.yml"));
        assertThat(e.problems()).extracting(Problem::toString).containsExactly(
                "r.yml:11:25: error: services.app.command: undefined template variable 'ENVIRONMENT'; give it to the "
                        + "loader (portoser --var ENVIRONMENT=VALUE) or remove the reference",
                "r.yml:11:50: error: services.app.command: undefined template variable 'REGION'; give it to the "
                        + "loader (portoser --var REGION=VALUE) or remove the reference");
    }

    @Test
    void theProcessEnvironmentIsReadOnlyWhenAsked() {
        String name = System.getenv().keySet().stream().filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*")
                && System.getenv(k).matches("[A-Za-z0-9 ._-]{1,40}")).findFirst().orElseThrow();
        String yaml = MACHINE + "    description: \"{{ " + name + " }}\"\n";
        assertThat(catchThrowableOfType(RegistryException.class, () -> Registry.parse(yaml)).getMessage())
                .contains("undefined template variable '" + name + "'");
        Registry registry = Registry.loader().environmentVariables().build().parse(yaml, "r.yml");
        assertThat(registry.machine("m1").orElseThrow().description()).isEqualTo(System.getenv(name));
    }

    @Test
    void givenVariablesWinOverTheEnvironment() {
        String name = System.getenv().keySet().stream().filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .findFirst().orElseThrow();
        String yaml = MACHINE + "    description: \"{{ " + name + " }}\"\n";
        Registry registry = Registry.loader().environmentVariables().variable(name, "given").build().parse(yaml, "r");
        assertThat(registry.machine("m1").orElseThrow().description()).isEqualTo("given");
    }

    @Test
    void aReplacementIsNeverExpandedAgain() {
        Registry registry = Registry.loader().variable("A", "{{ B }}").variable("B", "oops").build()
                .parse(MACHINE + "    description: \"{{ A }}\"\n", "r");
        assertThat(registry.machine("m1").orElseThrow().description()).isEqualTo("{{ B }}");
    }

    @Test
    void aMalformedReferenceIsAnError() {
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> Registry.parse(MACHINE + "    description: x {{ 1BAD }} y\n"));
        assertThat(e.problems()).extracting(Problem::toString).containsExactly(
                "<string>:6:20: error: machines.m1.description: malformed template reference; expected {{ NAME }} "
                        + "with a name of letters, digits and '_'");
    }
}
