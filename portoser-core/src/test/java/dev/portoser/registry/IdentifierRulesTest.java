package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each identifier rule both accepts what real registries use and rejects what could be misread by a shell or a
 * file system, so a rule that rejects everything (or nothing) fails here.
 */
class IdentifierRulesTest {

    private static Registry machineWith(String field, String value) {
        return Registry.parse("""
                machines:
                  m1:
                    host: h1
                    user: deploy
                    platform: linux
                    %s: %s
                """.formatted(field, quoted(value)));
    }

    private static Registry serviceWith(String field, String value) {
        return Registry.parse("""
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    %s: %s
                """.formatted(field, quoted(value)));
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void assertRejected(Runnable load, String path) {
        RegistryException e = catchThrowableOfType(RegistryException.class, load::run);
        assertThat(e).as("expected the value to be rejected").isNotNull();
        assertThat(e.errors()).extracting(Problem::path).contains(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.0.245", "10.200.0.11", "localhost", "mini1.local", "db-1.example.com",
            "::1", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8", "a"})
    void hostsAcceptNamesAndAddresses(String host) {
        String yaml = "machines:\n  m1: {host: %s, user: deploy, platform: linux}\n".formatted(quoted(host));
        assertThat(Registry.parse(yaml).machine("m1").orElseThrow().host()).isEqualTo(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "h1;reboot", "h 1", "-leading.dash", "trailing-.x", "256.1.1.1", "1.2.3",
            "01.2.3.4", "h1$(id)", "[::1]", "1::2::3", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "a..b", "h1/x",
            "user@h1"})
    void hostsRejectAnythingElse(String host) {
        String yaml = """
                machines:
                  m1: {host: %s, user: deploy, platform: linux}
                """.formatted(quoted(host));
        assertRejected(() -> Registry.parse(yaml), "machines.m1.host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin", "ubuntu", "_svc", "deploy-bot", "john.doe", "Admin"})
    void usersAcceptPosixNames(String user) {
        String yaml = "machines:\n  m1: {host: h1, user: %s, platform: linux}\n".formatted(quoted(user));
        assertThat(Registry.parse(yaml).machine("m1").orElseThrow().user()).isEqualTo(user);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "root;id", "ro ot", "-root", "1root", "root$", "a@b", "waytoolongusernamewaytoolongusername"})
    void usersRejectAnythingElse(String user) {
        String yaml = "machines:\n  m1: {host: h1, user: %s, platform: linux}\n".formatted(quoted(user));
        assertRejected(() -> Registry.parse(yaml), "machines.m1.user");
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "api-gateway-production", "user_service", "v2.api", "A1", "m1"})
    void namesAcceptWordsWithDashesDotsAndUnderscores(String name) {
        String yaml = "machines:\n  %s: {host: h1, user: u, platform: linux}\n".formatted(quoted(name));
        assertThat(Registry.parse(yaml).machines()).containsKey(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-web", ".hidden", "we b", "web;ls", "a/b", "..", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "web$", "ünï"})
    void namesRejectAnythingElse(String name) {
        String yaml = "machines:\n  %s: {host: h1, user: u, platform: linux}\n".formatted(quoted(name));
        assertRejected(() -> Registry.parse(yaml), "machines." + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/opt/my-app", "/srv/app v2", "/home/u/Application Support/x", "/opt/app+1@2,3:4=5%",
            "/opt/café"})
    void servicePathsAcceptAbsolutePaths(String path) {
        String yaml = """
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web: {type: docker, machine: m1, path: %s}
                """.formatted(quoted(path));
        assertThat(Registry.parse(yaml).service("web").orElseThrow().path()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"opt/app", "~/app", "/opt/../etc", "/opt/a;b", "/opt/$HOME", "/opt/`x`", "/opt/a|b",
            "/opt/a\\nb", "/opt/a\\tb", "/opt/a\\\\b", "/opt/a*", "/opt/a?", "/opt/'a'", "/opt/\\\"a\\\"", "/opt/a>b",
            "/opt/(a)", "/opt/{a}", "/opt/[a]", "/opt/a&b", "/opt/!a", "/opt/#a", "/opt/a~"})
    void servicePathsRejectRelativeTraversalAndMetacharacters(String path) {
        String yaml = """
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web: {type: docker, machine: m1, path: "%s"}
                """.formatted(path);
        assertRejected(() -> Registry.parse(yaml), "services.web.path");
    }

    @ParameterizedTest
    @ValueSource(strings = {".env", "config/.env.production", "/etc/app/env", "./compose.yml"})
    void filesInsideTheServiceAcceptRelativeAndAbsolutePaths(String file) {
        assertThat(serviceWith("env_file", file).service("web").orElseThrow().envFile()).isEqualTo(file);
        assertThat(serviceWith("compose_file", file).service("web").orElseThrow().composeFile()).isEqualTo(file);
        assertThat(serviceWith("log_file", file).service("web").orElseThrow().logFile()).isEqualTo(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../.env", "a/../../b", "..", "x;y", "$(id).env", ""})
    void filesInsideTheServiceRejectTraversalAndMetacharacters(String file) {
        assertRejected(() -> serviceWith("env_file", file), "services.web.env_file");
        assertRejected(() -> serviceWith("compose_file", file), "services.web.compose_file");
        assertRejected(() -> serviceWith("log_file", file), "services.web.log_file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"~/.ssh/id_ed25519", "/home/u/.ssh/id_rsa", "/keys/deploy key"})
    void sshKeysAcceptAbsoluteAndHomePaths(String key) {
        assertThat(machineWith("ssh_key", key).machine("m1").orElseThrow().sshKey()).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"id_rsa", "~root/.ssh/id", "~/../x", "/k;rm", "$HOME/.ssh/id"})
    void sshKeysRejectRelativeTraversalAndMetacharacters(String key) {
        assertRejected(() -> machineWith("ssh_key", key), "machines.m1.ssh_key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret/data/myapp", "kv/data/team-a/app_1", "secret/data/v1.2"})
    void vaultPathsAcceptKvPaths(String path) {
        Registry registry = Registry.parse("""
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    vault_secrets: [{path: %s, keys: [api_key, db.url]}]
                """.formatted(quoted(path)));
        assertThat(registry.service("web").orElseThrow().vaultSecrets().get(0).path()).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/secret/data/x", "secret/../sys", "secret//x", "secret/data/a b", "secret/$x", ""})
    void vaultPathsRejectAbsoluteTraversalAndMetacharacters(String path) {
        String yaml = """
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web:
                    type: docker
                    path: /opt/web
                    machine: m1
                    vault_secrets: [{path: %s, keys: [api_key]}]
                """.formatted(quoted(path));
        assertRejected(() -> Registry.parse(yaml), "services.web.vault_secrets[0].path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/", "/api/v1/health?deep=true&x=1", "/status.json"})
    void endpointsAcceptHttpPaths(String endpoint) {
        Registry registry = Registry.parse("""
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web: {type: docker, path: /opt/web, machine: m1, health: {type: http, port: 80, endpoint: %s}}
                """.formatted(quoted(endpoint)));
        assertThat(registry.service("web").orElseThrow().health().endpoint()).isEqualTo(endpoint);
    }

    @ParameterizedTest
    @ValueSource(strings = {"health", "/he alth", "/x\\\"y", "/$(id)", "/a;b", "http://h/x"})
    void endpointsRejectAnythingElse(String endpoint) {
        String yaml = """
                machines:
                  m1: {host: h1, user: deploy, platform: linux}
                services:
                  web: {type: docker, path: /opt/web, machine: m1, health: {type: http, port: 80, endpoint: "%s"}}
                """.formatted(endpoint);
        assertRejected(() -> Registry.parse(yaml), "services.web.health.endpoint");
    }

    @ParameterizedTest
    @ValueSource(strings = {"production", "high-memory", "tier:web", "v1.2"})
    void tagsAcceptWords(String tag) {
        String yaml = "machines:\n  m1: {host: h1, user: u, platform: linux, tags: [%s]}\n".formatted(quoted(tag));
        assertThat(Registry.parse(yaml).machine("m1").orElseThrow().tags()).containsExactly(tag);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "two words", "-x", "a;b", "a/b"})
    void tagsRejectAnythingElse(String tag) {
        String yaml = "machines:\n  m1: {host: h1, user: u, platform: linux, tags: [%s]}\n".formatted(quoted(tag));
        assertRejected(() -> Registry.parse(yaml), "machines.m1.tags[0]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"my-service", "app@1", "nginx.service"})
    void serviceManagerNamesAcceptUnitNames(String unit) {
        assertThat(serviceWith("service_name", unit).service("web").orElseThrow().unitName()).isEqualTo(unit);
    }

    @ParameterizedTest
    @ValueSource(strings = {"my service", "../x", "a;b", "-x"})
    void serviceManagerNamesRejectAnythingElse(String unit) {
        assertRejected(() -> serviceWith("service_name", unit), "services.web.service_name");
    }
}
