package dev.portoser.registry;

import static dev.portoser.registry.RegistryAssertions.MACHINE;
import static dev.portoser.registry.RegistryAssertions.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input written to hurt: it is refused with a clear message, quickly, and nothing in it is executed. */
class HostileInputTest {
    @TempDir
    Path dir;

    @Test
    void anAliasBombFailsAtTheAliasLimitWithoutExpanding() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        String previous = "a";
        for (char c = 'b'; c <= 'z'; c++) {
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                yaml.append(i == 0 ? "" : ",").append('*').append(previous);
            }
            yaml.append("]\n");
            previous = String.valueOf(c);
        }
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.parse(yaml.toString()));
        assertThat(e.problems()).singleElement().asString()
                .matches("<string>:\\d+:\\d+: error: more than 200 aliases in one document; the limit guards against alias bombs");
    }

    @Test
    void aFewAliasesForSharedSettingsAreFine() {
        Registry registry = Registry.parse(MACHINE + """
                services:
                  web: &base
                    type: docker
                    path: /opt/web
                    machine: m1
                    tags: &tags [prod, web]
                  api:
                    <<: *base
                    path: /opt/api
                    tags: *tags
                """);
        assertThat(registry.service("api").orElseThrow().path()).isEqualTo("/opt/api");
        assertThat(registry.service("api").orElseThrow().type()).isEqualTo(ServiceType.DOCKER);
        assertThat(registry.service("api").orElseThrow().tags()).containsExactly("prod", "web");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead() throws IOException {
        Path huge = dir.resolve("huge.yml");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(100L << 20); // 100 MiB, sparse: the loader must not read it to refuse it
        }
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.load(huge));
        assertThat(e.problems()).singleElement().asString().isEqualTo(huge + ": error: the file is 104857600 bytes; "
                + "the limit is 16777216 bytes (RegistryLoader.Builder.maxDocumentBytes)");
    }

    @Test
    void theSizeLimitIsConfigurable() {
        RegistryLoader loader = Registry.loader().maxDocumentBytes(10).build();
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> loader.parse(MACHINE, "r.yml"));
        assertThat(e.getMessage()).contains("the limit is 10");
    }

    @Test
    void deepNestingIsRefusedAtTheDepthLimit() {
        String deep = "machines: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.parse(deep));
        assertThat(e.problems()).singleElement().asString().isEqualTo(
                "<string>:1:42: error: nesting deeper than 32 levels; a registry never needs that many");
    }

    @Test
    void deepBlockNestingIsRefusedToo() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            yaml.append("  ".repeat(i)).append("k").append(i).append(":\n");
        }
        yaml.append("  ".repeat(200)).append("v\n");
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.parse(yaml.toString()));
        assertThat(e.problems()).singleElement().asString().contains("nesting deeper than 32 levels");
    }

    @Test
    void duplicateServiceNamesAreErrorsThatNameBothPlaces() {
        assertThat(errors(MACHINE + """
                services:
                  web: {type: docker, path: /opt/a, machine: m1}
                  web: {type: docker, path: /opt/b, machine: m1}
                """)).containsExactly(
                "<string>:8:3: error: duplicate key 'web' (first defined at line 7, column 3)");
    }

    @Test
    void duplicateKeysInsideAnEntryAreErrors() {
        assertThat(errors("""
                machines:
                  m1:
                    host: a
                    host: b
                """)).containsExactly("<string>:4:5: error: duplicate key 'host' (first defined at line 3, column 5)");
    }

    @Test
    void nonUtf8BytesArePointedAt() throws IOException {
        Path file = dir.resolve("latin1.yml");
        byte[] head = "machines:\n  m1:\n    description: caf".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xE9; // é in Latin-1
        bytes[head.length + 1] = '\n';
        Files.write(file, bytes);
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.load(file));
        assertThat(e.problems()).singleElement().asString().isEqualTo(file + ":3:21: error: expected UTF-8 text, "
                + "found the byte 0xE9; save the registry as UTF-8");
    }

    @Test
    void utf16IsRefusedWithAHint() throws IOException {
        Path file = dir.resolve("utf16.yml");
        Files.write(file, "machines: {}\n".getBytes(StandardCharsets.UTF_16));
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.load(file));
        assertThat(e.getMessage()).contains("the file is UTF-16; save it as UTF-8");
    }

    @Test
    void aUtf8ByteOrderMarkIsAccepted() throws IOException {
        Path file = dir.resolve("bom.yml");
        Files.write(file, ("\uFEFF" + MACHINE).getBytes(StandardCharsets.UTF_8));
        assertThat(Registry.load(file).machines()).containsKey("m1");
    }

    @Test
    void nulInAValueIsRefused() {
        assertThat(errors(MACHINE + """
                services:
                  web: {type: local, path: /opt/web, machine: m1, command: "run\\0rm -rf /"}
                """)).containsExactly(
                "<string>:7:60: error: services.web.command: the NUL character is not allowed in registry values");
    }

    @Test
    void aRawNulByteIsRefusedByTheParser() {
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> Registry.parse("machines:\n  m1:\n    host: a\u0000b\n"));
        assertThat(e.problems()).singleElement().asString().isEqualTo(
                "<string>:3:12: error: the control character U+0000 is not allowed in a registry");
    }

    @Test
    void shellMetacharactersInIdentifiersAreRejectedNotRun() throws IOException {
        Path canary = dir.resolve("pwned");
        String payload = "$(touch " + canary + ")";
        assertThat(errors("""
                machines:
                  "m1;reboot": {host: "h1`id`", user: "root$(id)", platform: linux, ssh_key: "/k;rm -rf ~"}
                services:
                  "web|nc": {type: docker, path: "/opt/%s", machine: "m1;reboot", log_file: "a'b"}
                """.formatted(payload))).containsExactly(
                "<string>:2:3: error: machines.m1;reboot: expected a name of letters, digits, '-', '_' or '.', "
                        + "starting with a letter or digit, at most 63 characters, found 'm1;reboot'",
                "<string>:2:23: error: machines.m1;reboot.host: expected a host name, an IPv4 address or an IPv6 "
                        + "address, found 'h1`id`'",
                "<string>:2:39: error: machines.m1;reboot.user: expected a user name of letters, digits, '-', '_' or "
                        + "'.', starting with a letter or '_', at most 32 characters, found 'root$(id)'",
                "<string>:2:78: error: machines.m1;reboot.ssh_key: expected an absolute path or one starting with ~/ "
                        + "of letters, digits, spaces and ._-+@%,:=/ (';' is not allowed), found '/k;rm -rf ~'",
                "<string>:4:3: error: services.web|nc: expected a name of letters, digits, '-', '_' or '.', "
                        + "starting with a letter or digit, at most 63 characters, found 'web|nc'",
                "<string>:4:34: error: services.web|nc.path: expected an absolute path of letters, digits, spaces "
                        + "and ._-+@%,:=/ ('$' is not allowed), found '/opt/" + payload + "'",
                "<string>:4:" + (75 + payload.length()) + ": error: services.web|nc.log_file: expected an absolute path, or a relative one that "
                        + "stays inside the service's path of letters, digits, spaces and ._-+@%,:=/ (''' is not "
                        + "allowed), found 'a'b'");
        assertThat(canary).doesNotExist();
    }

    @Test
    void pathTraversalIsRejected() {
        assertThat(errors(MACHINE + """
                services:
                  web:
                    type: docker
                    path: /opt/web/../../etc
                    machine: m1
                    env_file: ../../root/.ssh/id_rsa
                    compose_file: sub/../../x.yml
                    health: {type: process, pid_file: "/run/../etc/passwd"}
                """)).containsExactly(
                "<string>:9:11: error: services.web.path: expected an absolute path of letters, digits, spaces and "
                        + "._-+@%,:=/ ('..' segments are not allowed), found '/opt/web/../../etc'",
                "<string>:11:15: error: services.web.env_file: expected an absolute path, or a relative one that stays "
                        + "inside the service's path of letters, digits, spaces and ._-+@%,:=/ ('..' segments are not "
                        + "allowed), found '../../root/.ssh/id_rsa'",
                "<string>:12:19: error: services.web.compose_file: expected an absolute path, or a relative one that "
                        + "stays inside the service's path of letters, digits, spaces and ._-+@%,:=/ ('..' segments are "
                        + "not allowed), found 'sub/../../x.yml'",
                "<string>:13:39: error: services.web.health.pid_file: expected an absolute path, or a relative one "
                        + "that stays inside the service's path of letters, digits, spaces and ._-+@%,:=/ ('..' "
                        + "segments are not allowed), found '/run/../etc/passwd'");
    }

    @Test
    void aHostileTemplateVariableIsCheckedLikeTextInTheFile() {
        RegistryLoader loader = Registry.loader().variable("HOST", "h1; reboot").build();
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> loader.parse("""
                machines:
                  m1: {host: "{{ HOST }}", user: u, platform: linux}
                """, "r.yml"));
        assertThat(e.problems()).singleElement().asString().isEqualTo("r.yml:2:14: error: machines.m1.host: expected "
                + "a host name, an IPv4 address or an IPv6 address, found 'h1; reboot'");
    }

    @Test
    void aSecondDocumentIsRefused() {
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> Registry.parse(MACHINE + "---\nmachines: {}\n"));
        assertThat(e.problems()).singleElement().asString()
                .isEqualTo("<string>:6:1: error: expected one YAML document, found a second one ('---')");
    }

    @Test
    void brokenYamlNamesTheLineAndColumn() {
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> Registry.parse("machines:\n  m1: {host: a\n  m2: b\n"));
        assertThat(e.problems()).singleElement().asString().startsWith("<string>:3:5: error: invalid YAML:");
    }

    @Test
    void anEmptyDocumentSaysWhatIsExpected() {
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.parse("# nothing\n"));
        assertThat(e.getMessage()).contains("the registry is empty; expected a mapping with 'machines:' and 'services:'");
    }

    @Test
    void aMissingFileIsARegistryException() {
        Path missing = dir.resolve("nope.yml");
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.load(missing));
        assertThat(e.problems()).singleElement().asString().isEqualTo(missing + ": error: no such file");
    }

    @Test
    void aComplexKeyIsRefused() {
        RegistryException e = catchThrowableOfType(RegistryException.class,
                () -> Registry.parse("machines:\n  ? [a, b]\n  : {}\n"));
        assertThat(e.problems()).singleElement().asString()
                .isEqualTo("<string>:2:5: error: expected a plain key, found a list used as a key");
    }
}
