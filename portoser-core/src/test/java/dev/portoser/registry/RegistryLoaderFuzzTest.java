package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portoser.registry.internal.Texts;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of {@link RegistryLoader} with Jazzer: whatever bytes a registry file holds, loading
 * either succeeds or throws a {@link RegistryException} whose every problem is a sentence at a sane place.
 *
 * <p>A plain {@code ./mvnw verify} runs it in Jazzer's fuzzing mode ({@code JAZZER_FUZZ=1}) in the
 * {@code fuzz-registry-loader} surefire execution of {@code portoser-core/pom.xml}, for {@code portoser.fuzz.seconds}
 * seconds (15 by default), after replaying the saved inputs under
 * {@code src/test/resources/dev/portoser/registry/RegistryLoaderFuzzTestInputs}. Fuzz longer with
 * {@code ./mvnw -pl portoser-core verify -Dportoser.fuzz.seconds=600 -Dportoser.fuzz.timeout=900}, or not at all
 * with {@code -Dportoser.fuzz.skip=true}; {@code -Dtest=RegistryLoaderFuzzTest} replays the saved inputs only
 * (regression mode). Jazzer saves a finding as {@code crash-*} in that inputs directory, so every later build
 * replays it; the corpus it grows is kept in {@code portoser-core/.cifuzz-corpus} (not in git).
 */
class RegistryLoaderFuzzTest {
    /** Any Java type name a person should not see: {@code JsonEOFException}, {@code java.io.IOException}. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b|\\b(java|javax|jakarta|org|com|dev)\\.[a-z]+\\.[A-Za-z.]+");
    /** What the author wrote, quoted in a message: it may say anything. */
    private static final Pattern QUOTED = Pattern.compile("'[^'\\n]*'");
    /** YAML 1.2's line breaks. */
    private static final Pattern LINE_BREAK = Pattern.compile("\\r\\n|\\r|\\n");
    /**
     * A registry file of at most 64 KiB that takes longer than this to load or refuse is a finding. Loading takes
     * milliseconds; the margin is for a shared, instrumented JVM. Memory is bounded by the fork's heap (-Xmx in
     * the pom): an input that needs more fails with an OutOfMemoryError, which is a finding too.
     */
    private static final long SLOW_NANOS = 5_000_000_000L;

    private static final RegistryLoader LOADER = Registry.loader()
            .variable("HOST", "10.200.0.11")
            .maxDocumentBytes(64 << 10)
            .build();

    static {
        // The first load starts Hibernate Validator (seconds under instrumentation): keep it out of the budget.
        LOADER.parse(RegistryAssertions.MACHINE + "services:\n  web: {type: docker, path: /opt/web, machine: m1}\n",
                "warm-up.yml");
    }

    private static final String SOURCE = "fuzz.yml";

    @FuzzTest(maxDuration = "15s")
    @DictionaryEntries({"machines:", "services:", "groups:", "host:", "user:", "platform: linux", "type: docker",
            "type: local", "type: native", "path: /opt/", "machine: m1", "port:", "ports:", "health:", "type: http",
            "endpoint: /health", "depends_on:", "env:", "vault_secrets:", "keys:", "resources:", "memory: 512M",
            "cpus:", "interval: 10s", "timeout: 500ms", "&a", "*a", "<<: *a", "{{ HOST }}", "{{", "}}", "---", "...",
            "? ", "!!str", "!!binary", "%YAML 1.2", "\"\\u0000\"", "\uFEFF", "\u202E", "\u200B", "\u0430"})
    void loadingAnyBytesSucceedsOrNamesEveryProblemInWords(byte[] bytes) {
        long start = System.nanoTime();
        try {
            // What load(Path) does after reading the file, without the file system in the loop.
            LOADER.parse(RegistryLoader.decode(bytes, SOURCE), SOURCE);
        } catch (RegistryException e) {
            String[] lines = LINE_BREAK.split(new String(bytes, StandardCharsets.UTF_8), -1);
            for (Problem p : e.problems()) {
                checkProblem(p, lines);
            }
        }
        long took = System.nanoTime() - start;
        if (took > SLOW_NANOS) {
            fail("loading " + bytes.length + " bytes took " + took / 1_000_000 + " ms");
        }
    }

    private void checkProblem(Problem p, String[] lines) {
        assertThat(p.source()).isEqualTo(SOURCE);
        String words = QUOTED.matcher(p.message()).replaceAll("''");
        assertThat(words).as("a problem in words: %s", p).doesNotContainPattern(CLASS_NAME);
        assertThat(p.message()).as("a message: %s", p).isNotBlank();
        assertThat(p.toString().codePoints().filter(Texts::isInvisible).toArray())
                .as("one line without invisible characters: %s", p).isEmpty();
        assertThat(p.line()).as("line of %s", p).isBetween(0, lines.length);
        if (p.line() == 0) {
            assertThat(p.column()).as("column of %s", p).isZero();
        } else {
            // The column may point at the line break or, at the end of the text, just past it.
            assertThat(p.column()).as("column of %s", p).isBetween(1, lines[p.line() - 1].length() + 2);
        }
    }
}
