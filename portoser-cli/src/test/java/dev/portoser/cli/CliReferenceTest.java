package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code docs/cli-reference.md} is every command's {@code --help}, generated from the picocli model (the one the man
 * pages come from), so it cannot drift. {@code -Dportoser.docs.write=true} rewrites it.
 */
class CliReferenceTest {
    static final Path PAGE = Path.of("..", "docs", "cli-reference.md");

    @Test
    void thePageIsEveryCommandsHelp() throws Exception {
        StringBuilder out = new StringBuilder("# portoser command reference\n\n")
                .append("<!-- Generated from the picocli model by CliReferenceTest; do not edit: run\n")
                .append("     ./mvnw -pl portoser-cli -am test -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false")
                .append(" -Dportoser.docs.write=true -->\n\n")
                .append("The same text as `portoser COMMAND --help` and `man portoser-COMMAND` (in the distribution).\n");
        append(Main.commandLine(), out);
        String generated = out.toString();
        if (Boolean.getBoolean("portoser.docs.write")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
                .as("docs/cli-reference.md is stale: regenerate it with -Dportoser.docs.write=true")
                .isEqualTo(generated);
    }

    private static void append(CommandLine cli, StringBuilder out) {
        String name = cli.getCommandSpec().qualifiedName();
        out.append("\n## ").append(name).append("\n\n```\n")
                .append(cli.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommandSpec().parent() == cli.getCommandSpec() && sub.getCommandName().equals(
                    sub.getCommandSpec().name())) {
                append(sub, out);
            }
        }
    }
}
