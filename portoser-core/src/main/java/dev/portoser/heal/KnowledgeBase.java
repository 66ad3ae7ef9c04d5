package dev.portoser.heal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portoser.PortoserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What self-healing has learnt: one JSON line per occurrence of a failure ({@code occurrences.jsonl} in the
 * knowledge directory, {@code ~/.portoser/knowledge} by default), with how often each fingerprint was seen and how
 * often each playbook fixed it. The healer asks it for {@link #candidates the playbooks to try, best first}; a fix
 * recorded by hand becomes a candidate too. The knowledge directory also holds the user's
 * {@link PlaybookFile playbooks.yml}.
 *
 * <p>Lines are appended with one write under a file lock, so concurrent controllers do not interleave; a line a
 * crash cut short (or any garbled line) is skipped with one warning, never fatal. Thread-safe.
 */
public final class KnowledgeBase {
    /** Version of each line written. */
    public static final int SCHEMA_VERSION = 1;
    /** The file name of the occurrences. */
    public static final String FILE_NAME = "occurrences.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeBase.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path directory;
    private final Object lock = new Object();
    private List<String> warnings = List.of();

    /** One line: the schema version and the occurrence. */
    record Line(int schemaVersion, Occurrence occurrence) {
    }

    /**
     * A knowledge base in a directory (created on first write).
     *
     * @param directory the knowledge directory
     */
    public KnowledgeBase(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory == null").toAbsolutePath();
    }

    /**
     * The knowledge base under a state directory: {@code STATE/knowledge}.
     *
     * @param stateDirectory the controller's state directory ({@code ~/.portoser} by default)
     * @return the knowledge base
     */
    public static KnowledgeBase under(Path stateDirectory) {
        return new KnowledgeBase(stateDirectory.resolve("knowledge"));
    }

    /**
     * The knowledge directory.
     *
     * @return the absolute directory that holds the occurrences file and the user playbook file
     */
    public Path directory() {
        return directory;
    }

    /**
     * The occurrences file.
     *
     * @return {@code occurrences.jsonl} in the knowledge directory, one occurrence per line
     */
    public Path file() {
        return directory.resolve(FILE_NAME);
    }

    /**
     * The user playbook file.
     *
     * @return {@code playbooks.yml} in the knowledge directory
     */
    public Path playbookFile() {
        return directory.resolve(PlaybookFile.FILE_NAME);
    }

    /**
     * Appends an occurrence.
     *
     * @param occurrence what happened
     * @throws KnowledgeException when the file cannot be written
     */
    public void record(Occurrence occurrence) {
        Objects.requireNonNull(occurrence, "occurrence == null");
        Path file = file();
        try {
            byte[] line = (JSON.writeValueAsString(new Line(SCHEMA_VERSION, occurrence)) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Files.createDirectories(directory);
            if (Files.isSymbolicLink(file)) {
                throw new KnowledgeException("refusing to write " + file + ": it is a symbolic link", null);
            }
            synchronized (lock) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
                     FileLock ignored = ch.lock()) {
                    ByteBuffer buf = ByteBuffer.wrap(line);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ch.force(false);
                }
            }
        } catch (IOException e) {
            throw new KnowledgeException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every occurrence, oldest first; garbled lines are skipped (see {@link #warnings()}).
     *
     * @return the occurrences
     * @throws KnowledgeException when the file exists and cannot be read
     */
    public List<Occurrence> occurrences() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new KnowledgeException("cannot read " + file() + ": " + e.getMessage(), e);
        }
        List<Occurrence> all = new ArrayList<>();
        int skipped = 0;
        int first = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            try {
                Line line = JSON.readValue(l, Line.class);
                if (line.schemaVersion() != SCHEMA_VERSION || line.occurrence() == null) {
                    throw new IOException("schemaVersion " + line.schemaVersion());
                }
                all.add(line.occurrence());
            } catch (IOException | RuntimeException e) {
                if (skipped++ == 0) {
                    first = i + 1;
                }
            }
        }
        List<String> w = skipped == 0 ? List.of() : List.of(file() + ":" + first + ": warning: skipped " + skipped
                + " unreadable line" + (skipped == 1 ? "" : "s") + " (the first here), which a crash may have cut short");
        if (!w.isEmpty()) {
            LOG.warn("{}", w.get(0));
        }
        synchronized (lock) {
            warnings = w;
        }
        return List.copyOf(all);
    }

    /**
     * The warnings of the last read: garbled lines skipped, at most one line.
     *
     * @return one line naming the file, the first skipped line and how many were skipped, or none
     */
    public List<String> warnings() {
        synchronized (lock) {
            return warnings;
        }
    }

    /**
     * The occurrences of one fingerprint.
     *
     * @param fingerprint the fingerprint
     * @return them, oldest first
     */
    public List<Occurrence> occurrences(String fingerprint) {
        return occurrences().stream().filter(o -> o.fingerprint().equals(fingerprint)).toList();
    }

    /**
     * Frequency and success per fingerprint, most frequent first.
     *
     * @return the statistics
     */
    public List<FingerprintStats> stats() {
        Map<String, List<Occurrence>> by = new TreeMap<>();
        for (Occurrence o : occurrences()) {
            by.computeIfAbsent(o.fingerprint(), k -> new ArrayList<>()).add(o);
        }
        List<FingerprintStats> out = new ArrayList<>();
        by.forEach((fp, list) -> out.add(FingerprintStats.of(fp, list)));
        out.sort(Comparator.comparingInt(FingerprintStats::occurrences).reversed());
        return out;
    }

    /**
     * The statistics of one fingerprint.
     *
     * @param fingerprint the fingerprint
     * @return them (zero counts when never seen)
     */
    public FingerprintStats stats(String fingerprint) {
        return FingerprintStats.of(fingerprint, occurrences(fingerprint));
    }

    /**
     * The playbooks to try for a diagnosis, best first: those that handle it, and the fixes recorded by hand for
     * its fingerprint, ordered by past success ({@code (fixed + 1) / (attempts + 2)}, so an untried playbook comes
     * before one that failed and after one that worked), then by how often they were tried, then as given.
     *
     * @param diagnosis the diagnosis
     * @param available the registered playbooks, in their own order
     * @return the candidates
     */
    public List<Playbook> candidates(Diagnosis diagnosis, List<Playbook> available) {
        List<Occurrence> past = occurrences(diagnosis.fingerprint());
        Map<String, Playbook> pool = new LinkedHashMap<>();
        for (Playbook p : available) {
            if (p.handles(diagnosis)) {
                pool.putIfAbsent(p.name(), p);
            }
        }
        if (diagnosis.oursToFix()) {
            for (Occurrence o : past) {
                if (o.source() == Occurrence.Source.BY_HAND && o.outcome() == Occurrence.Outcome.FIXED
                        && !o.commands().isEmpty() && o.playbook() != null) {
                    pool.putIfAbsent(o.playbook(), new CommandPlaybook(o.playbook(), o.fingerprint(),
                            "recorded by hand: " + o.detail(), o.commands()));
                }
            }
        }
        FingerprintStats stats = FingerprintStats.of(diagnosis.fingerprint(), past);
        List<Playbook> ordered = new ArrayList<>(pool.values());
        List<Playbook> given = List.copyOf(ordered);
        ordered.sort(Comparator.<Playbook>comparingDouble(p -> -stats.playbook(p.name()).score())
                .thenComparingInt(p -> -stats.playbook(p.name()).attempts())
                .thenComparingInt(given::indexOf));
        return ordered;
    }

    /**
     * How often a playbook was tried for a fingerprint and how often it fixed it.
     *
     * @param playbook the playbook
     * @param attempts times tried (by hand or by the healer)
     * @param fixed times it fixed it
     */
    public record PlaybookStats(String playbook, int attempts, int fixed) {
        /**
         * The share of attempts that fixed it (0 when never tried).
         *
         * @return {@code fixed / attempts}, from 0 to 1
         */
        public double successRate() {
            return attempts == 0 ? 0 : (double) fixed / attempts;
        }

        /** Past success with a prior of one success and one failure: 0.5 for an untried playbook. */
        double score() {
            return (fixed + 1.0) / (attempts + 2.0);
        }
    }

    /**
     * What is known of one fingerprint.
     *
     * @param fingerprint the fingerprint
     * @param occurrences how often it was seen
     * @param fixed how often a playbook fixed it
     * @param services the services it was seen on, with counts
     * @param playbooks the playbooks tried, best first
     */
    public record FingerprintStats(String fingerprint, int occurrences, int fixed, Map<String, Integer> services,
                                   List<PlaybookStats> playbooks) {
        /**
         * Copies the collections.
         *
         * @param fingerprint the fingerprint
         * @param occurrences how often it was seen
         * @param fixed how often a playbook fixed it
         * @param services the services it was seen on ({@code service@machine}), with counts
         * @param playbooks the playbooks tried, best first
         */
        public FingerprintStats {
            services = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(services));
            playbooks = List.copyOf(playbooks);
        }

        static FingerprintStats of(String fingerprint, List<Occurrence> list) {
            Map<String, int[]> pb = new LinkedHashMap<>();
            Map<String, Integer> services = new TreeMap<>();
            int fixed = 0;
            for (Occurrence o : list) {
                services.merge(o.service() + "@" + o.machine(), 1, Integer::sum);
                if (o.outcome() == Occurrence.Outcome.FIXED) {
                    fixed++;
                }
                if (o.playbook() != null && o.outcome() != Occurrence.Outcome.NOT_ATTEMPTED) {
                    int[] c = pb.computeIfAbsent(o.playbook(), k -> new int[2]);
                    c[0]++;
                    if (o.outcome() == Occurrence.Outcome.FIXED) {
                        c[1]++;
                    }
                }
            }
            List<PlaybookStats> ps = new ArrayList<>();
            pb.forEach((name, c) -> ps.add(new PlaybookStats(name, c[0], c[1])));
            ps.sort(Comparator.comparingDouble(PlaybookStats::score).reversed());
            return new FingerprintStats(fingerprint, list.size(), fixed, services, ps);
        }

        /**
         * The stats of one playbook (zero when never tried).
         *
         * @param name the playbook's name
         * @return its attempts and fixes for this fingerprint, both 0 when it was never tried
         */
        public PlaybookStats playbook(String name) {
            return playbooks.stream().filter(p -> p.playbook().equals(name)).findFirst()
                    .orElse(new PlaybookStats(name, 0, 0));
        }
    }

    /** The knowledge base cannot be read or written. */
    public static final class KnowledgeException extends PortoserException {
        private static final long serialVersionUID = 1L;

        KnowledgeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
