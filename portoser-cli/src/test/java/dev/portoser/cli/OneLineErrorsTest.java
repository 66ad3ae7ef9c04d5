package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Whatever a command throws, the person sees one line in words; the class and trace only with --verbose. */
class OneLineErrorsTest {
    /** A command that fails the way a bug or the file system would. */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Option(names = "--verbose")
        boolean verbose;
        @Option(names = "--what")
        String what = "npe";

        @Override
        public Integer call() {
            if (what.equals("file")) {
                throw new UncheckedIOException(new NoSuchFileException("/var/lib/portoser/state.json"));
            }
            if (what.equals("empty")) {
                throw new dev.portoser.transport.TransportException("m1", null, null);
            }
            String nothing = null;
            return nothing.length();
        }
    }

    private static String[] run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.addSubcommand("boom", new Boom());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        return err.toString().split("\n");
    }

    @Test
    void aBugIsOneLineWithoutItsClassName() {
        assertThat(run("boom")).containsExactly(
                "portoser: an unexpected internal error (--verbose shows the details)");
    }

    @Test
    void aFileSystemFailureNamesTheFileInWords() {
        assertThat(run("boom", "--what", "file")).containsExactly(
                "portoser: /var/lib/portoser/state.json: no such file or directory (--verbose shows the details)");
    }

    @Test
    void oneOfOursWithoutAMessageIsStillWords() {
        assertThat(run("boom", "--what", "empty")).singleElement().asString().startsWith("portoser: ")
                .doesNotContain("null").doesNotContain("Exception");
    }

    @Test
    void verboseAddsTheClassAndTheStackTrace() {
        String[] lines = run("boom", "--verbose");
        assertThat(lines[0]).isEqualTo("portoser: an unexpected internal error");
        assertThat(lines[1]).startsWith("java.lang.NullPointerException");
        assertThat(lines).anyMatch(l -> l.contains("at dev.portoser.cli.OneLineErrorsTest$Boom.call"));
    }
}
