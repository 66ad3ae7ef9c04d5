package dev.portoser.registry;

import static dev.portoser.registry.RegistryAssertions.MACHINE;
import static dev.portoser.registry.RegistryAssertions.errors;
import static dev.portoser.registry.RegistryAssertions.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each registry rule: the failing case names the rule's message and its line and column. */
class RegistryValidationTest {

    @Test
    void missingRequiredMachineFieldsPointAtTheMachine() {
        assertThat(errors("""
                machines:
                  m1:
                    description: no host, user or platform
                """)).containsExactly(
                "<string>:2:3: error: machines.m1.host: missing required field (an IP address or host name)",
                "<string>:2:3: error: machines.m1.platform: missing required field (one of darwin, linux, bsd)",
                "<string>:2:3: error: machines.m1.user: missing required field (the SSH login)");
    }

    @Test
    void missingRequiredServiceFieldsPointAtTheService() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    port: 8080
                """)).containsExactly(
                "<string>:7:3: error: services.web.machine: missing required field (the machine it runs on)",
                "<string>:7:3: error: services.web.path: missing required field (the service's directory on the machine)",
                "<string>:7:3: error: services.web.type: missing required field (one of docker, local, native)");
    }

    @Test
    void aServiceWithNoBodyReportsItsMissingFields() {
        assertThat(errors(MACHINE + "services:\n  database:\n    # No dependencies\n"))
                .contains("<string>:7:3: error: services.database.type: missing required field (one of docker, local, native)");
    }

    @Test
    void invalidTypePlatformAndHealthTypeNameTheChoices() {
        assertThat(errors("""
                machines:
                  m1: {host: h1, user: u, platform: windows}
                services:
                  web:
                    type: kubernetes
                    path: /opt/web
                    machine: m1
                    health: {type: grpc, port: 80}
                """)).containsExactly(
                "<string>:2:37: error: machines.m1.platform: expected one of darwin, linux, bsd, found 'windows'",
                "<string>:5:11: error: services.web.type: expected one of docker, local, native, found 'kubernetes'",
                "<string>:8:20: error: services.web.health.type: expected one of http, tcp, process, found 'grpc'");
    }

    @Test
    void enumWordsIgnoreCase() {
        Registry registry = Registry.parse("""
                machines:
                  m1: {host: h1, user: u, platform: Linux}
                services:
                  web: {type: Docker, path: /opt/web, machine: m1, health: {type: HTTP, port: 80}}
                """);
        assertThat(registry.machine("m1").orElseThrow().platform()).isEqualTo(Platform.LINUX);
        assertThat(registry.service("web").orElseThrow().type()).isEqualTo(ServiceType.DOCKER);
        assertThat(registry.service("web").orElseThrow().health().type()).isEqualTo(HealthType.HTTP);
    }

    @Test
    void portsOutsideTheRangeAreRejectedWhereverTheyAppear() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    port: 0
                    ports: [8080, 65536]
                    port_mapping: {host: -1, container: 70000}
                    health: {type: tcp, port: 99999}
                """)).containsExactly(
                "<string>:11:11: error: services.web.port: expected a port number from 1 to 65535 or 'auto', found 0",
                "<string>:12:19: error: services.web.ports[1]: expected a port number from 1 to 65535, found 65536",
                "<string>:13:26: error: services.web.port_mapping.host: expected a port number from 1 to 65535, found -1",
                "<string>:13:41: error: services.web.port_mapping.container: expected a port number from 1 to 65535, found 70000",
                "<string>:14:31: error: services.web.health.port: expected a port number from 1 to 65535, found 99999");
    }

    @Test
    void portsOnTheBoundariesAreAccepted() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  web: {type: docker, path: /opt/web, machine: m1, port: 1, ports: [65535]}
                """);
        assertThat(registry.service("web").orElseThrow().boundPorts()).containsExactly(1, 65535);
    }

    @Test
    void machineSshPortIsCheckedAndDefaultsTo22() {
        assertThat(errors("""
                machines:
                  m1: {host: h1, user: u, platform: linux, port: 70000}
                """)).containsExactly(
                "<string>:2:50: error: machines.m1.port: expected a port number from 1 to 65535, found 70000");
        Registry registry = Registry.parse("""
                machines:
                  a: {host: h1, user: u, platform: linux}
                  b: {host: h2, user: u, platform: linux, ssh_port: 2222}
                """);
        assertThat(registry.machine("a").orElseThrow().sshPort()).isEqualTo(22);
        assertThat(registry.machine("b").orElseThrow().sshPort()).isEqualTo(2222);
    }

    @Test
    void sshPortGivenTwiceIsAnError() {
        assertThat(errors("""
                machines:
                  m1: {host: h1, user: u, platform: linux, port: 22, ssh_port: 2222}
                """)).containsExactly("<string>:2:64: error: machines.m1.ssh_port: give the SSH port once, as 'port' "
                + "or as 'ssh_port', not both");
    }

    @Test
    void nonPositiveDurationsAreRejected() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    port: 80
                    health:
                      type: http
                      interval: 0
                      timeout: -2s
                      retries: 0
                """)).containsExactly(
                "<string>:14:17: error: services.web.health.interval: expected a positive duration, found 0s",
                "<string>:15:16: error: services.web.health.timeout: expected a positive duration, found -2s",
                "<string>:16:16: error: services.web.health.retries: expected at least 1, found 0");
    }

    @Test
    void durationsAcceptSecondsAndUnits() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    port: 80
                    health: {type: http, interval: 250ms, timeout: 1.5}
                  api:
                    type: docker
                    path: /opt/api
                    machine: m1
                    port: 81
                    health: {type: http, interval: 2m, timeout: "1h"}
                """);
        HealthSpec web = registry.service("web").orElseThrow().health();
        HealthSpec api = registry.service("api").orElseThrow().health();
        assertThat(web.interval()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(web.timeout()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(api.interval()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(api.timeout()).isEqualTo(java.time.Duration.ofHours(1));
    }

    @Test
    void aDurationThatIsNotOneNamesTheAcceptedForms() {
        assertThat(errors(MACHINE + """
                services:
                  web: {type: docker, path: /opt/web, machine: m1, port: 80, health: {type: http, interval: soon}}
                """)).containsExactly("<string>:7:93: error: services.web.health.interval: expected a duration in "
                + "seconds such as 30, or with a unit such as 500ms, 30s, 2m, 1h, found 'soon'");
    }

    @Test
    void aServiceOnAnUnknownMachineIsAnErrorWithASuggestion() {
        assertThat(errors(MACHINE + """
                services:
                  web: {type: docker, path: /opt/web, machine: m2}
                """)).containsExactly(
                "<string>:7:48: error: services.web.machine: unknown machine 'm2' (did you mean 'm1'?); machines are: m1");
    }

    @Test
    void dependingOnAnUnknownServiceIsAnError() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    depends_on: [databse, cache]
                  database: {type: docker, path: /opt/db, machine: m1}
                """)).containsExactly(
                "<string>:11:18: error: services.web.depends_on[0]: depends on unknown service 'databse' (did you mean 'database'?)",
                "<string>:11:27: error: services.web.depends_on[1]: depends on unknown service 'cache'");
    }

    @Test
    void aDependencyCycleIsReportedAsThePathAroundIt() {
        assertThat(errors(MACHINE + """
                services:
                  a: {type: docker, path: /opt/a, machine: m1, depends_on: [b]}
                  b: {type: docker, path: /opt/b, machine: m1, depends_on: [c]}
                  c: {type: docker, path: /opt/c, machine: m1, depends_on: [a]}
                  d: {type: docker, path: /opt/d, machine: m1, depends_on: [a]}
                """)).containsExactly("<string>:7:61: error: services.a.depends_on[0]: circular dependency: a -> b -> c -> a");
    }

    @Test
    void aServiceThatDependsOnItselfIsACycle() {
        assertThat(errors(MACHINE + """
                services:
                  a: {type: docker, path: /opt/a, machine: m1, depends_on: [a]}
                """)).containsExactly("<string>:7:61: error: services.a.depends_on[0]: circular dependency: a -> a");
    }

    @Test
    void eachSeparateCycleIsReported() {
        assertThat(errors(MACHINE + """
                services:
                  a: {type: docker, path: /opt/a, machine: m1, depends_on: [b]}
                  b: {type: docker, path: /opt/b, machine: m1, depends_on: [a]}
                  x: {type: docker, path: /opt/x, machine: m1, depends_on: [y]}
                  y: {type: docker, path: /opt/y, machine: m1, depends_on: [x]}
                """)).containsExactly(
                "<string>:7:61: error: services.a.depends_on[0]: circular dependency: a -> b -> a",
                "<string>:9:61: error: services.x.depends_on[0]: circular dependency: x -> y -> x");
    }

    @Test
    void aDiamondIsNotACycle() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  top: {type: docker, path: /opt/t, machine: m1, depends_on: [left, right]}
                  left: {type: docker, path: /opt/l, machine: m1, depends_on: [bottom]}
                  right: {type: docker, path: /opt/r, machine: m1, depends_on: [bottom]}
                  bottom: {type: docker, path: /opt/b, machine: m1}
                """);
        assertThat(registry.services()).hasSize(4);
    }

    @Test
    void twoServicesOnOneMachineCannotShareAPortInAnyForm() {
        assertThat(errors(MACHINE + """
                  m2: {host: h2, user: u, platform: linux}
                services:
                  a: {type: docker, path: /opt/a, machine: m1, port: 8080}
                  b: {type: docker, path: /opt/b, machine: m1, ports: [9000, 8080]}
                  c: {type: docker, path: /opt/c, machine: m1, port_mapping: {host: 9000, container: 80}}
                  d: {type: docker, path: /opt/d, machine: m2, port: 8080}
                """)).containsExactly(
                "<string>:9:62: error: services.b.ports[1]: port 8080 on machine 'm1' is already used by service 'a' (line 8)",
                "<string>:10:69: error: services.c.port_mapping.host: port 9000 on machine 'm1' is already used by service 'b' (line 9)");
    }

    @Test
    void oneServiceMayNameItsPortInPortAndPorts() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  web: {type: docker, path: /opt/web, machine: m1, port: 8080, ports: [8080, 8443]}
                """);
        assertThat(registry.service("web").orElseThrow().boundPorts()).containsExactly(8080, 8443);
    }

    @Test
    void groupMembersMustExistAndServicesMustNameDefinedGroups() {
        assertThat(errors(MACHINE + """
                groups:
                  web-stack: [nginx, web-ap]
                services:
                  nginx: {type: docker, path: /opt/n, machine: m1, group: web-stak}
                  web-app: {type: docker, path: /opt/w, machine: m1}
                """)).containsExactly(
                "<string>:7:22: error: groups.web-stack[1]: group member 'web-ap' is not a service (did you mean 'web-app'?)",
                "<string>:9:59: error: services.nginx.group: unknown group 'web-stak' (did you mean 'web-stack'?); define it under 'groups:'");
    }

    @Test
    void groupMembershipIsTheUnionOfBothForms() {
        Registry registry = Registry.parse(MACHINE + """
                groups:
                  web-stack: [nginx, redis]
                  empty:
                services:
                  nginx: {type: docker, path: /opt/n, machine: m1, group: web-stack}
                  web-app: {type: docker, path: /opt/w, machine: m1, group: web-stack}
                  redis: {type: docker, path: /opt/r, machine: m1}
                """);
        assertThat(registry.group("web-stack").orElseThrow().members()).containsExactly("nginx", "redis", "web-app");
        assertThat(registry.group("empty").orElseThrow().members()).isEmpty();
    }

    @Test
    void unknownFieldsAreReportedWithADidYouMean() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    depends_On: []
                    helth: {type: http}
                """)).containsExactly(
                "<string>:11:5: error: services.web.depends_On: unknown field 'depends_On' in services.web (did you mean "
                        + "'depends_on'?); expected one of type, path, machine, port, ports, port_mapping, health, "
                        + "depends_on, env, env_file, vault_secrets, resources, tags, group, compose_file, command, "
                        + "log_file, service_name, description",
                "<string>:12:5: error: services.web.helth: unknown field 'helth' in services.web (did you mean "
                        + "'health'?); expected one of type, path, machine, port, ports, port_mapping, health, "
                        + "depends_on, env, env_file, vault_secrets, resources, tags, group, compose_file, command, "
                        + "log_file, service_name, description");
    }

    @Test
    void unknownTopLevelAndNestedFieldsAreReported() {
        assertThat(errors(MACHINE + """
                servics: {}
                """)).singleElement().asString().startsWith(
                "<string>:6:1: error: servics: unknown field 'servics' at the top level (did you mean 'services'?)");
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    port: 80
                    health: {type: http, intervall: 5}
                """)).singleElement().asString().startsWith(
                "<string>:12:26: error: services.web.health.intervall: unknown field 'intervall' in services.web.health "
                        + "(did you mean 'interval'?)");
    }

    @Test
    void aSecretLookingLiteralInEnvIsAWarningThatNeverShowsTheValue() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  web:
                    type: local
                    path: /opt/web
                    machine: m1
                    command: ./run
                    env:
                      API_KEY: "secret-key-123"
                      DB_PASSWORD: hunter2
                      LOG_LEVEL: info
                      EMPTY_SECRET: ""
                """);
        assertThat(registry.warnings()).extracting(Problem::toString).containsExactly(
                "<string>:13:16: warning: services.web.env.API_KEY: 'API_KEY' looks like a secret stored in the "
                        + "registry; move it to vault_secrets",
                "<string>:14:20: warning: services.web.env.DB_PASSWORD: 'DB_PASSWORD' looks like a secret stored in "
                        + "the registry; move it to vault_secrets");
        assertThat(registry.warnings().toString()).doesNotContain("secret-key-123").doesNotContain("hunter2");
    }

    @Test
    void aSecretTakenFromATemplateVariableIsNotWarnedAbout() {
        Registry registry = Registry.loader().variable("TOKEN", "abc").build().parse(MACHINE + """
                services:
                  web:
                    type: local
                    path: /opt/web
                    machine: m1
                    command: ./run
                    env: {GITHUB_TOKEN: "{{ TOKEN }}"}
                """, "r.yml");
        assertThat(registry.warnings()).isEmpty();
        assertThat(registry.service("web").orElseThrow().env()).containsEntry("GITHUB_TOKEN", "abc");
    }

    @Test
    void aLiteralVaultSecretIdIsAWarningThatNeverShowsTheValue() {
        Registry registry = Registry.parse("""
                machines:
                  m1: {host: h1, user: u, platform: linux, vault_role_id: role-1, vault_secret_id: s3cr3t-id}
                """);
        assertThat(registry.warnings()).extracting(Problem::toString).containsExactly(
                "<string>:2:84: warning: machines.m1.vault_secret_id: a literal AppRole secret id is stored in the "
                        + "registry; keep it in ~/.portoser/approles/m1.json (mode 0600) or pass it as a {{ VARIABLE }}");
        assertThat(registry.machine("m1").orElseThrow().toString()).doesNotContain("s3cr3t-id").contains("***");
    }

    @Test
    void warningsAloneDoNotStopLoadingButAppearBesideErrors() {
        assertThat(problems(MACHINE + """
                services:
                  web: {type: local, path: /opt/web, machine: m1, command: x, env: {PASSWORD: p}, port: 0}
                """)).containsExactly(
                "<string>:7:79: warning: services.web.env.PASSWORD: 'PASSWORD' looks like a secret stored in the "
                        + "registry; move it to vault_secrets",
                "<string>:7:89: error: services.web.port: expected a port number from 1 to 65535 or 'auto', found 0");
    }

    @Test
    void envValuesMustBePresentAndEnvValuesAreNeverShownInMessages() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: local
                    path: /opt/web
                    machine: m1
                    command: x
                    env:
                      EMPTY:
                      NESTED: {a: b}
                      "1BAD": "do-not-show-me"
                """)).containsExactly(
                "<string>:13:13: error: services.web.env.EMPTY: expected a value (write \"\" for an empty one)",
                "<string>:14:15: error: services.web.env.NESTED: expected a text value, found a mapping",
                "<string>:15:7: error: services.web.env.1BAD: expected an environment variable name of letters, digits "
                        + "and '_', not starting with a digit");
    }

    @Test
    void localAndNativeServicesNeedACommand() {
        assertThat(errors(MACHINE + """
                services:
                  a: {type: local, path: /opt/a, machine: m1}
                  b: {type: native, path: /opt/b, machine: m1}
                """)).containsExactly(
                "<string>:7:3: error: services.a.command: missing required field for a local service (what to run, "
                        + "such as 'python3 -m http.server 8080')",
                "<string>:8:3: error: services.b.command: missing required field for a native service (what to run, "
                        + "such as 'python3 -m http.server 8080')");
    }

    @Test
    void httpAndTcpChecksNeedAPortAndProcessChecksNeedAPidFile() {
        assertThat(errors(MACHINE + """
                services:
                  a: {type: docker, path: /opt/a, machine: m1, health: {type: http}}
                  b: {type: docker, path: /opt/b, machine: m1, health: {type: process}}
                """)).containsExactly(
                "<string>:7:56: error: services.a.health.port: a http check needs a port: give health.port, or a port "
                        + "for the service",
                "<string>:8:56: error: services.b.health.pid_file: a process check of a docker service needs pid_file "
                        + "(only local services have a PID file that Portoser writes)");
    }

    @Test
    void healthDefaultsFollowTheSeed() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  web: {type: docker, path: /opt/web, machine: m1, port: 8080, health: {type: http}}
                """);
        HealthSpec health = registry.service("web").orElseThrow().health();
        assertThat(health.endpoint()).isEqualTo("/");
        assertThat(health.interval()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(health.timeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(health.retries()).isEqualTo(3);
        assertThat(health.expectedStatus()).isEqualTo(200);
        assertThat(health.port()).isNull();
    }

    @Test
    void resourcesOnANonDockerServiceAreAWarning() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  a: {type: local, path: /opt/a, machine: m1, command: x, resources: {memory: 512M}}
                """);
        assertThat(registry.warnings()).extracting(Problem::toString).containsExactly(
                "<string>:7:70: warning: services.a.resources: resource limits apply to docker services only; ignored "
                        + "for a local service");
    }

    @Test
    void resourceSizesAndCpusAreChecked() {
        assertThat(errors(MACHINE + """
                services:
                  a: {type: docker, path: /opt/a, machine: m1, resources: {memory: lots, cpus: 0, disk: 1Q}}
                """)).containsExactly(
                "<string>:7:68: error: services.a.resources.memory: expected a size such as 512M, 1G or 200MiB, found 'lots'",
                "<string>:7:80: error: services.a.resources.cpus: expected a positive number of CPUs such as 0.5, found 0.0",
                "<string>:7:89: error: services.a.resources.disk: expected a size such as 512M, 1G or 200MiB, found '1Q'");
    }

    @Test
    void wrongShapesSayWhatWasExpected() {
        assertThat(errors("""
                machines:
                  m1: [a, b]
                services: [x]
                """)).containsExactly(
                "<string>:2:7: error: machines.m1: expected a mapping of fields, found a list",
                "<string>:3:11: error: services: expected a mapping, found a list");
        assertThat(errors("- just\n- a list\n")).containsExactly(
                "<string>:1:1: error: expected a mapping with 'machines:' and 'services:' at the top, found a list");
        assertThat(errors(MACHINE + """
                services:
                  web: {type: docker, path: /opt/web, machine: m1, tags: prod, depends_on: {a: b}, port: 80.5}
                """)).containsExactly(
                "<string>:7:58: error: services.web.tags: expected a list, found a value",
                "<string>:7:76: error: services.web.depends_on: expected a list, found a mapping",
                "<string>:7:90: error: services.web.port: expected a whole number, found '80.5'");
    }

    @Test
    void allProblemsAreReportedAtOnceInSourceOrder() {
        RegistryException e = org.assertj.core.api.Assertions.catchThrowableOfType(RegistryException.class,
                () -> Registry.parse("""
                        machines:
                          m1: {host: "a b", user: u, platform: linux}
                        services:
                          x: {type: docker, path: /opt/x, machine: nope}
                          y: {type: docker, path: rel, machine: m1}
                        """));
        assertThat(e.errors()).extracting(Problem::line).containsExactly(2, 4, 5);
        assertThat(e.getMessage()).startsWith("Invalid registry: 3 errors\n  <string>:2:");
    }
}
