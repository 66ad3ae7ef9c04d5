package dev.portoser.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Shell#quote}: whatever the text, a real POSIX shell reads back exactly that one word. */
class ShellTest {

    @Provide
    Arbitrary<String> hostileWords() {
        Arbitrary<Character> special = Arbitraries.of('\'', '"', '\\', '$', '`', ' ', '\t', '\n', '\r', ';', '&', '|',
                '<', '>', '(', ')', '{', '}', '[', ']', '*', '?', '!', '#', '~', '=', '%', '^', ',', '-', '.', '/',
                ':', '@', '+', 'é', '☃', '日', '\u0001', '\u007f');
        Arbitrary<Character> any = Arbitraries.chars().range('\u0001', '\uffff')
                .filter(c -> !Character.isSurrogate(c));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, special),
                        net.jqwik.api.Tuple.of(1, any),
                        net.jqwik.api.Tuple.of(2, Arbitraries.chars().alpha()))
                .list().ofMaxSize(24).map(chars -> {
                    StringBuilder sb = new StringBuilder();
                    chars.forEach(sb::append);
                    return sb.toString();
                });
    }

    @Property(tries = 300)
    void aRealShellReadsBackExactlyTheQuotedWords(@ForAll("hostileWords") String first,
                                                 @ForAll("hostileWords") String second) throws Exception {
        List<String> words = List.of(first, second);
        String line = "printf '%s\\0' " + Shell.join(words);
        Process sh = new ProcessBuilder("/bin/sh", "-c", line).redirectErrorStream(true).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sh.waitFor()).isZero();
        List<String> expected = new ArrayList<>(words);
        expected.add("");
        assertThat(out.split("\0", -1)).containsExactlyElementsOf(expected);
    }

    @Test
    void plainWordsStayReadable() {
        assertThat(Shell.quote("docker")).isEqualTo("docker");
        assertThat(Shell.quote("/opt/my-app/compose.yml")).isEqualTo("/opt/my-app/compose.yml");
        assertThat(Shell.join(List.of("docker", "compose", "-p", "web app"))).isEqualTo("docker compose -p 'web app'");
    }

    @Test
    void specialWordsAreQuoted() {
        assertThat(Shell.quote("")).isEqualTo("''");
        assertThat(Shell.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(Shell.quote("~")).isEqualTo("'~'");
        assertThat(Shell.quote("A=1")).isEqualTo("'A=1'");
    }

    @Test
    void nulIsRefused() {
        assertThatThrownBy(() -> Shell.quote("a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a shell word cannot contain NUL");
        assertThatThrownBy(() -> Shell.join(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnquotedJoinWouldHaveRunTheCommand() throws IOException, InterruptedException {
        // The control: without quoting, the same shell really does expand what quote() protects.
        Process sh = new ProcessBuilder("/bin/sh", "-c", "printf '%s' " + "$((6*7))").start();
        assertThat(new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("42");
        sh.waitFor();
        Process quoted = new ProcessBuilder("/bin/sh", "-c", "printf '%s' " + Shell.quote("$((6*7))")).start();
        assertThat(new String(quoted.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("$((6*7))");
        quoted.waitFor();
    }
}
