package dev.portoser.registry;

import static dev.portoser.registry.RegistryAssertions.MACHINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of registries written to hurt, beyond {@link HostileInputTest}: each is refused (or loaded) within a
 * time bound, with one located line per problem in words: no Java class name, no raw control or invisible
 * character that could break or rearrange the line on a terminal.
 */
class HostileRegistryCorpusTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Pattern LOCATED = Pattern.compile("^[^\\n]+:\\d+:\\d+: error: [^\\n]+$");
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b|java\\.|snakeyaml");

    @TempDir
    Path dir;

    /** Loads the text as a file, within the bound, and returns every problem as the CLI prints it. */
    private List<String> refused(String yaml) {
        return refused(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> refused(byte[] bytes) {
        Path file = dir.resolve("r.yml");
        RegistryException e = assertTimeoutPreemptively(BOUND, () -> {
            Files.write(file, bytes);
            return catchThrowableOfType(RegistryException.class, () -> Registry.load(file));
        });
        assertThat(e).as("refused").isNotNull();
        List<String> lines = e.errors().stream().map(Problem::toString).map(l -> l.replace(file + ":", "r.yml:"))
                .toList();
        assertThat(lines).allSatisfy(line -> {
            assertThat(line).matches(LOCATED).doesNotContainPattern(CLASS_NAME);
            assertThat(line.codePoints().filter(cp -> cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
                    || Character.getType(cp) == Character.FORMAT)).isEmpty();
        });
        return lines;
    }

    private static String service(String fields) {
        return MACHINE + "services:\n  web: {type: docker, path: /opt/web, machine: m1, " + fields + "}\n";
    }

    // --- alias bombs -------------------------------------------------------------------------------------------

    @Test
    void aMergeKeyBombFailsAtTheAliasLimit() {
        StringBuilder yaml = new StringBuilder("base: &l0 {type: docker, path: /opt/web, machine: m1}\n");
        for (int level = 1; level <= 30; level++) {
            yaml.append("l").append(level).append(": &l").append(level).append(" {<<: [");
            for (int i = 0; i < 10; i++) {
                yaml.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
            }
            yaml.append("]}\n");
        }
        assertThat(refused(yaml.toString())).singleElement().asString()
                .matches("r\\.yml:\\d+:\\d+: error: more than 200 aliases in one document; the limit guards against "
                        + "alias bombs");
    }

    @Test
    void aSelfReferenceCannotLoop() {
        assertThat(refused("machines: &m {m1: *m}\n")).containsExactly(
                "r.yml:1:19: error: alias '*m' names no anchor defined before it");
    }

    @Test
    void manyServicesSharingOneLargeMappingStayWithinTheBound() {
        // 99 aliases of one service with 2,000 env entries: 200,000 bound values from a 30 KB file.
        StringBuilder yaml = new StringBuilder(MACHINE + "services:\n  s0: &big\n    type: docker\n"
                + "    path: /opt/web\n    machine: m1\n    env:\n");
        for (int i = 0; i < 2_000; i++) {
            yaml.append("      K").append(i).append(": v\n");
        }
        for (int i = 1; i < 100; i++) {
            yaml.append("  s").append(i).append(": *big\n");
        }
        Registry registry = assertTimeoutPreemptively(BOUND, () -> Registry.parse(yaml.toString()));
        assertThat(registry.services()).hasSize(100);
        assertThat(registry.service("s99").orElseThrow().env()).hasSize(2_000);
    }

    // --- size and depth ----------------------------------------------------------------------------------------

    @Test
    void aHugeScalarIsShownCutShort() {
        String host = "a".repeat(1_000_000);
        List<String> problems = refused(MACHINE.replace("10.200.0.11", host));
        assertThat(problems).singleElement().asString()
                .startsWith("r.yml:3:11: error: machines.m1.host: expected a host name, an IPv4 address or an IPv6 "
                        + "address, found 'aaaa")
                .endsWith("...'");
        assertThat(problems.get(0)).hasSizeLessThan(200);
    }

    @Test
    void aSixMegabyteValueIsReadInLinearTime() {
        // SnakeYAML's reader alone took 26 to 57 s over such a value: its window was copied per 1 KB read.
        String value = "a".repeat(6_000_000);
        for (String yaml : List.of(MACHINE + "    description: " + value + "\n",
                MACHINE + "    description: \"" + value + "\"\n", "# " + value + "\n" + MACHINE)) {
            Registry registry = assertTimeoutPreemptively(BOUND, () -> Registry.parse(yaml));
            assertThat(registry.machines()).containsKey("m1");
        }
    }

    @Test
    void aLongKeyIsShownCutShort() {
        List<String> problems = refused("machines:\n  m1: {host: a, user: u, platform: linux, "
                + "k".repeat(1_000) + ": 1}\n");
        assertThat(problems).singleElement().asString()
                .startsWith("r.yml:2:43: error: machines.m1.kkkk").contains(": unknown field 'kkkk").contains("...'");
        assertThat(problems.get(0)).hasSizeLessThan(400);
    }

    @Test
    void aHugeKeyIsRefusedByTheParserWithinTheBound() {
        // YAML caps implicit keys at 1024 characters; the parser stops where the key should have ended.
        assertThat(refused("machines:\n  m1: {host: a, " + "k".repeat(500_000) + ": 1}\n")).containsExactly(
                "r.yml:2:500017: error: invalid YAML: expected ',' or '}', but got : (while parsing a flow mapping)");
    }

    @Test
    void aFileJustUnderTheSizeLimitIsReadWithinTheBound() {
        // 16 MiB of comments and one machine: read, decoded and parsed, never copied into a tree.
        StringBuilder yaml = new StringBuilder(17 << 20);
        String comment = "# " + "x".repeat(1020) + "\n";
        while (yaml.length() + comment.length() < RegistryLoader.DEFAULT_MAX_DOCUMENT_BYTES - 200) {
            yaml.append(comment);
        }
        yaml.append("machines:\n  m1: {host: a, user: u, platform: linux, port: 70000}\n");
        assertThat(refused(yaml.toString())).singleElement().asString()
                .endsWith(": error: machines.m1.port: expected a port number from 1 to 65535, found 70000");
    }

    @Test
    void deepNestingInsideAValueIsRefused() {
        assertThat(refused(service("env: {A: " + "{a: ".repeat(5_000) + "1" + "}".repeat(5_000) + "}")))
                .singleElement().asString().endsWith("error: nesting deeper than 32 levels; a registry never "
                        + "needs that many");
    }

    // --- bytes that are not UTF-8 ------------------------------------------------------------------------------

    @Test
    void anOverlongEncodingIsNotUtf8() {
        assertThat(refused(bytes("machines:\n  m1:\n    host: a", 0xC0, 0xAF, '\n'))).containsExactly(
                "r.yml:3:12: error: expected UTF-8 text, found the byte 0xC0; save the registry as UTF-8");
    }

    @Test
    void anEncodedSurrogateIsNotUtf8() {
        assertThat(refused(bytes("machines: {}\n#", 0xED, 0xA0, 0x80, '\n'))).containsExactly(
                "r.yml:2:2: error: expected UTF-8 text, found the byte 0xED; save the registry as UTF-8");
    }

    @Test
    void aSequenceCutShortAtTheEndIsNotUtf8() {
        assertThat(refused(bytes("machines: {}\r\n# \u20ac ", 0xE2, 0x82))).containsExactly(
                "r.yml:2:5: error: expected UTF-8 text, found the byte 0xE2; save the registry as UTF-8");
    }

    @Test
    void aLoneCarriageReturnEndsALineInPositions() {
        assertThat(refused(bytes("machines: {}\r#", 0xFF, '\r'))).containsExactly(
                "r.yml:2:2: error: expected UTF-8 text, found the byte 0xFF; save the registry as UTF-8");
        assertThat(refused("machines: {}\r\u0007")).containsExactly(
                "r.yml:2:1: error: the control character U+0007 is not allowed in a registry");
    }

    // --- control characters ------------------------------------------------------------------------------------

    @Test
    void aRawEscapeCharacterIsRefused() {
        assertThat(refused(MACHINE + "#\u001b]0;owned\u0007\n")).containsExactly(
                "r.yml:6:2: error: the control character U+001B is not allowed in a registry");
    }

    @Test
    void aTerminalEscapeSequenceWrittenAsAYamlEscapeIsRefusedInAValue() {
        assertThat(refused(service("description: \"\\e[2J\\e]0;owned\\a\""))).containsExactly(
                "r.yml:7:65: error: services.web.description: the control character U+001B is not allowed in "
                        + "registry values");
    }

    @Test
    void aC1ControlIsRefusedInAValue() {
        assertThat(refused(service("command: \"run\\x9b31m\""))).containsExactly(
                "r.yml:7:61: error: services.web.command: the control character U+009B is not allowed in registry "
                        + "values");
    }

    @Test
    void aControlCharacterInAKeyIsShownEscaped() {
        assertThat(refused("machines:\n  \"m\\e[2J\": {host: a, user: u, platform: linux}\n")).containsExactly(
                "r.yml:2:3: error: machines.m\\x1b[2J: expected a name of letters, digits, '-', '_' or '.', starting "
                        + "with a letter or digit, at most 63 characters, found 'm\\x1b[2J'");
    }

    @Test
    void aLineBreakInANameIsShownEscaped() {
        assertThat(refused(MACHINE + "services:\n  \"web\\nINFO: all good\": {type: docker, path: /opt/web, "
                + "machine: m1}\n")).containsExactly(
                "r.yml:7:3: error: services.web\\nINFO: all good: expected a name of letters, digits, '-', '_' or "
                        + "'.', starting with a letter or digit, at most 63 characters, found 'web\\nINFO: all good'");
    }

    @Test
    void tabIndentationIsExplainedInWords() {
        assertThat(refused("machines:\n\tm1: {host: a}\n")).containsExactly(
                "r.yml:2:1: error: invalid YAML: found a tab that cannot start any token. (Do not use tabs for "
                        + "indentation) (while scanning for the next token)");
    }

    @Test
    void aTabInsideAValueIsKept() {
        Registry registry = Registry.parse(service("description: \"a\\tb\""));
        assertThat(registry.service("web").orElseThrow().description()).isEqualTo("a\tb");
    }

    @Test
    void anEscapeCutShortAtTheEndOfTheFileIsInvalidYamlNotACrash() {
        // SnakeYAML itself throws NumberFormatException here (found by RegistryLoaderFuzzTest).
        assertThat(refused("machines: {}\n\"\\u")).containsExactly(
                "r.yml:1:12: error: invalid YAML: an escape in a double-quoted value after this point needs hex "
                        + "digits: 2 after \\x, 4 after \\u, 8 after \\U");
    }

    // --- look-alike unicode ------------------------------------------------------------------------------------

    @Test
    void aCyrillicLetterInAServiceNameIsNamed() {
        assertThat(refused(MACHINE + "services:\n  w\u0435b: {type: docker, path: /opt/web, machine: m1}\n"))
                .containsExactly("r.yml:7:3: error: services.w\u0435b: expected a name of letters, digits, '-', '_' "
                        + "or '.', starting with a letter or digit, at most 63 characters, found 'w\u0435b'; "
                        + "character 2 is U+0435 CYRILLIC SMALL LETTER IE, not ASCII");
    }

    @Test
    void aCyrillicLetterInAMachineReferenceIsNamedNextToTheSuggestion() {
        assertThat(refused(MACHINE + "services:\n  web: {type: docker, path: /opt/web, machine: \"\u043c1\"}\n"))
                .containsExactly(
                "r.yml:7:48: error: services.web.machine: unknown machine '\u043c1' (did you mean 'm1'? character 1 "
                        + "is U+043C CYRILLIC SMALL LETTER EM, not ASCII); machines are: m1");
    }

    @Test
    void aCyrillicLetterInAFieldNameIsNamed() {
        List<String> problems = refused(MACHINE.replace("user:", "us\u0435r:"));
        assertThat(problems).contains("r.yml:4:5: error: machines.m1.us\u0435r: unknown field 'us\u0435r' in "
                + "machines.m1 (did you mean 'user'? character 3 is U+0435 CYRILLIC SMALL LETTER IE, not ASCII); "
                + "expected one of host, user, platform, port, ssh_port, ssh_key, vault_role, vault_role_id, "
                + "vault_secret_id, description, tags");
    }

    @Test
    void aRightToLeftOverrideInANameIsShownEscaped() {
        assertThat(refused(MACHINE + "services:\n  \"web\u202egnp.exe\": {type: docker, path: /opt/web, machine: m1}\n"))
                .containsExactly("r.yml:7:3: error: services.web\\u202egnp.exe: expected a name of letters, digits, "
                        + "'-', '_' or '.', starting with a letter or digit, at most 63 characters, found "
                        + "'web\\u202egnp.exe'; character 4 is U+202E RIGHT-TO-LEFT OVERRIDE, not ASCII");
    }

    @Test
    void aRightToLeftOverrideInFreeTextIsRefused() {
        assertThat(refused(service("description: \"safe \u202e--force\""))).containsExactly(
                "r.yml:7:65: error: services.web.description: the bidirectional control U+202E is not allowed in "
                        + "registry values: it makes text read differently from how it is stored");
    }

    @Test
    void aZeroWidthSpaceInAHostIsNamed() {
        assertThat(refused(MACHINE.replace("10.200.0.11", "exa\u200bmple.com"))).containsExactly(
                "r.yml:3:11: error: machines.m1.host: expected a host name, an IPv4 address or an IPv6 address, "
                        + "found 'exa\\u200bmple.com'; character 4 is U+200B ZERO WIDTH SPACE, not ASCII");
    }

    @Test
    void aZeroWidthJoinerInAMachineNameIsNamed() {
        assertThat(refused(MACHINE.replace("m1:", "m\u200d1:"))).containsExactly(
                "r.yml:2:3: error: machines.m\\u200d1: expected a name of letters, digits, '-', '_' or '.', starting "
                        + "with a letter or digit, at most 63 characters, found 'm\\u200d1'; character 2 is U+200D "
                        + "ZERO WIDTH JOINER, not ASCII");
    }

    @Test
    void fullWidthDigitsInAnAddressAreNamed() {
        assertThat(refused(MACHINE.replace("10.200.0.11", "\uff11\uff10.200.0.11"))).containsExactly(
                "r.yml:3:11: error: machines.m1.host: expected a host name, an IPv4 address or an IPv6 address, "
                        + "found '\uff11\uff10.200.0.11'; character 1 is U+FF11 FULLWIDTH DIGIT ONE, not ASCII");
    }

    // --- byte order marks --------------------------------------------------------------------------------------

    @Test
    void aByteOrderMarkInsideANameIsNamed() {
        assertThat(refused(MACHINE.replace("m1:", "\"m1\ufeff\":"))).containsExactly(
                "r.yml:2:3: error: machines.m1\\ufeff: expected a name of letters, digits, '-', '_' or '.', starting "
                        + "with a letter or digit, at most 63 characters, found 'm1\\ufeff'; character 3 is U+FEFF "
                        + "ZERO WIDTH NO-BREAK SPACE, not ASCII");
    }

    @Test
    void aUtf32ByteOrderMarkIsNotUtf8() {
        assertThat(refused(bytes("", 0x00, 0x00, 0xFE, 0xFF, 0, 0, 0, 'm'))).containsExactly(
                "r.yml:1:3: error: expected UTF-8 text, found the byte 0xFE; save the registry as UTF-8");
    }

    // --- duplicate keys ----------------------------------------------------------------------------------------

    @Test
    void duplicateEnvKeysAreErrors() {
        assertThat(refused(service("env: {A: \"1\", A: \"2\"}"))).containsExactly(
                "r.yml:7:66: error: duplicate key 'A' (first defined at line 7, column 58)");
    }

    @Test
    void aQuotedKeyDuplicatesAPlainOne() {
        assertThat(refused(MACHINE + "services:\n  web: {type: docker, path: /opt/a, machine: m1}\n"
                + "  'web': {type: docker, path: /opt/b, machine: m1}\n")).containsExactly(
                "r.yml:8:3: error: duplicate key 'web' (first defined at line 7, column 3)");
    }

    @Test
    void aLookAlikeKeyIsNoDuplicateButIsRefused() {
        assertThat(refused(MACHINE + "services:\n  web: {type: docker, path: /opt/a, machine: m1}\n"
                + "  w\u0435b: {type: docker, path: /opt/b, machine: m1}\n")).singleElement().asString()
                .startsWith("r.yml:8:3: error: services.w\u0435b: expected a name").endsWith("not ASCII");
    }

    private static byte[] bytes(String head, int... tail) {
        byte[] start = head.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[start.length + tail.length];
        System.arraycopy(start, 0, all, 0, start.length);
        for (int i = 0; i < tail.length; i++) {
            all[start.length + i] = (byte) tail[i];
        }
        return all;
    }
}
