package dev.portoser.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counts, success rates and the order of candidate playbooks follow the recorded outcomes. */
class KnowledgeBaseTest {
    @TempDir
    Path dir;

    static final Diagnosis DISK = new Diagnosis(FailurePatterns.DISK_FULL, "web", "here", "full", List.of(),
            Map.of("mount", "/"), true);

    static Playbook named(String name) {
        return new Playbook() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean handles(Diagnosis d) {
                return d.fingerprint().equals(FailurePatterns.DISK_FULL);
            }

            @Override
            public String describe(Diagnosis d) {
                return name;
            }

            @Override
            public Result run(Diagnosis d, PlaybookContext c) {
                return Result.fixed(name);
            }
        };
    }

    static Occurrence occurrence(String playbook, Occurrence.Outcome outcome) {
        return new Occurrence(Instant.parse("2026-01-01T00:00:00Z"), FailurePatterns.DISK_FULL, "web", "here",
                playbook, outcome, "", Occurrence.Source.HEALER, List.of());
    }

    @Test
    void countsAndSuccessRatesFollowTheRecords() throws Exception {
        KnowledgeBase kb = KnowledgeBase.under(dir);
        kb.record(occurrence("a", Occurrence.Outcome.FAILED));
        kb.record(occurrence("b", Occurrence.Outcome.FIXED));
        kb.record(occurrence("b", Occurrence.Outcome.FIXED));
        kb.record(occurrence("a", Occurrence.Outcome.FIXED));
        kb.record(new Occurrence(Instant.EPOCH, FailurePatterns.PORT_FOREIGN, "api", "here", null,
                Occurrence.Outcome.NOT_ATTEMPTED, "", Occurrence.Source.HEALER, List.of()));
        assertThat(Files.readString(dir.resolve("knowledge/occurrences.jsonl")).lines()).hasSize(5)
                .allMatch(l -> l.startsWith("{\"schemaVersion\":1,"));
        KnowledgeBase.FingerprintStats disk = kb.stats(FailurePatterns.DISK_FULL);
        assertThat(disk.occurrences()).isEqualTo(4);
        assertThat(disk.fixed()).isEqualTo(3);
        assertThat(disk.playbook("a").successRate()).isEqualTo(0.5);
        assertThat(disk.playbook("b").successRate()).isEqualTo(1.0);
        assertThat(disk.services()).containsEntry("web@here", 4);
        assertThat(kb.stats()).extracting(KnowledgeBase.FingerprintStats::fingerprint)
                .containsExactly(FailurePatterns.DISK_FULL, FailurePatterns.PORT_FOREIGN);
    }

    @Test
    void candidatesAreOrderedByPastSuccessAndTheOrderChangesWithOutcomes() {
        KnowledgeBase kb = KnowledgeBase.under(dir);
        List<Playbook> available = List.of(named("first"), named("second"));
        assertThat(kb.candidates(DISK, available)).extracting(Playbook::name).containsExactly("first", "second");
        kb.record(occurrence("first", Occurrence.Outcome.FAILED));
        assertThat(kb.candidates(DISK, available)).extracting(Playbook::name)
                .as("an untried playbook comes before one that failed").containsExactly("second", "first");
        kb.record(occurrence("second", Occurrence.Outcome.FAILED));
        kb.record(occurrence("second", Occurrence.Outcome.FAILED));
        kb.record(occurrence("first", Occurrence.Outcome.FIXED));
        kb.record(occurrence("first", Occurrence.Outcome.FIXED));
        assertThat(kb.candidates(DISK, available)).extracting(Playbook::name).containsExactly("first", "second");
    }

    @Test
    void aFixRecordedByHandBecomesACandidate() {
        KnowledgeBase kb = KnowledgeBase.under(dir);
        kb.record(new Occurrence(Instant.EPOCH, FailurePatterns.DISK_FULL, "web", "here", "clear-tmp",
                Occurrence.Outcome.FIXED, "cleared the cache", Occurrence.Source.BY_HAND,
                List.of(List.of("rm", "-rf", "${path}/tmp"))));
        List<Playbook> c = kb.candidates(DISK, List.of(named("builtin")));
        assertThat(c).extracting(Playbook::name).containsExactly("clear-tmp", "builtin");
        assertThat(c.get(0)).isInstanceOf(CommandPlaybook.class);
        assertThat(((CommandPlaybook) c.get(0)).commands()).containsExactly(List.of("rm", "-rf", "${path}/tmp"));
        Diagnosis foreign = new Diagnosis(FailurePatterns.DISK_FULL, "web", "here", "x", List.of(), Map.of(), false);
        assertThat(kb.candidates(foreign, List.of())).as("never for a failure whose fix is not ours").isEmpty();
    }

    @Test
    void aGarbledLineIsSkippedWithOneWarning() throws Exception {
        KnowledgeBase kb = KnowledgeBase.under(dir);
        kb.record(occurrence("a", Occurrence.Outcome.FIXED));
        Files.writeString(kb.file(), "{\"schemaVersion\":1,\"occurrence\":{\"time\":\"2026\n{not json\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        kb.record(occurrence("a", Occurrence.Outcome.FIXED));
        assertThat(kb.occurrences()).hasSize(2);
        assertThat(kb.warnings()).singleElement().asString().contains("occurrences.jsonl:2: warning: skipped 2 "
                + "unreadable lines");
    }

    @Test
    void aSymbolicLinkIsNeverWrittenThrough() throws Exception {
        KnowledgeBase kb = new KnowledgeBase(dir.resolve("k"));
        Files.createDirectories(kb.directory());
        Path target = dir.resolve("elsewhere");
        Files.writeString(target, "");
        Files.createSymbolicLink(kb.file(), target);
        assertThatThrownBy(() -> kb.record(occurrence("a", Occurrence.Outcome.FIXED)))
                .hasMessageContaining("symbolic link");
        assertThat(Files.readString(target)).isEmpty();
    }
}
