package dev.portoser.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portoser.ErrorMessages;
import dev.portoser.PortoserException;
import dev.portoser.transport.internal.LocalFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History and journal as JSON files under a directory ({@code ~/.portoser} by default):
 * {@code history/SERVICE/TIME-ID.json} and {@code journal/RUN--STEP.json}, each written atomically (temporary
 * file, fsync, rename, fsync of the directory), so a crash leaves the old state or the new, never half of a file.
 * Every document carries {@code schemaVersion}.
 *
 * <p>A file that does not parse (truncated, garbage) is not fatal: it is moved aside to
 * {@code NAME.corrupt-TIME}, reported once through {@link #drainWarnings()} and the log, and reading goes on with
 * the rest. A file written by a newer version (a higher {@code schemaVersion}) is skipped with a warning and left
 * where it is. The store never writes through a symbolic link in its directories, and {@link #checkSpace()} refuses
 * a run when its file system is nearly full. Thread-safe.
 */
public final class FileStateStore implements StateStore {
    /** Version of the JSON documents written. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Below this much free space on the state file system, a run is refused before it starts. */
    public static final long MIN_FREE_BYTES = 1L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(FileStateStore.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final Queue<String> warnings = new ConcurrentLinkedQueue<>();

    /**
     * A store under a directory (created when needed).
     *
     * @param directory the state directory
     */
    public FileStateStore(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory == null").toAbsolutePath();
    }

    /**
     * The default store, {@code ~/.portoser}.
     *
     * @return the default store, {@code ~/.portoser}
     */
    public static FileStateStore inHome() {
        return new FileStateStore(Path.of(System.getProperty("user.home"), ".portoser"));
    }

    /**
     * The directory this store writes under.
     *
     * @return the directory this store writes under
     */
    public Path directory() {
        return directory;
    }

    record RecordDocument(int schemaVersion, DeploymentRecord record) {
    }

    record JournalDocument(int schemaVersion, JournalEntry entry) {
    }

    @Override
    public void record(DeploymentRecord record) {
        Path file = directory.resolve("history").resolve(record.service())
                .resolve(record.time().toEpochMilli() + "-" + record.id() + ".json");
        write(file, new RecordDocument(SCHEMA_VERSION, record));
    }

    @Override
    public List<DeploymentRecord> history(String service) {
        Path dir = directory.resolve("history").resolve(service);
        List<DeploymentRecord> records = new ArrayList<>();
        for (Path file : list(dir)) {
            read(file, RecordDocument.class).ifPresent(d -> records.add(d.record()));
        }
        records.sort(Comparator.comparing(DeploymentRecord::time).thenComparing(DeploymentRecord::id));
        return records;
    }

    @Override
    public Optional<DeploymentRecord> find(String id) {
        for (Path serviceDir : list(directory.resolve("history"))) {
            for (Path file : list(serviceDir)) {
                if (file.getFileName().toString().endsWith("-" + id + ".json")) {
                    return read(file, RecordDocument.class).map(RecordDocument::record);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void begin(JournalEntry entry) {
        write(journalFile(entry.runId(), entry.stepId()), new JournalDocument(SCHEMA_VERSION, entry));
    }

    @Override
    public void end(String runId, String stepId) {
        try {
            Files.deleteIfExists(journalFile(runId, stepId));
        } catch (IOException e) {
            throw new StateException("cannot update the journal in " + directory + ": " + ErrorMessages.describe(e), e);
        }
    }

    @Override
    public List<JournalEntry> inFlight() {
        List<JournalEntry> entries = new ArrayList<>();
        for (Path file : list(directory.resolve("journal"))) {
            read(file, JournalDocument.class).ifPresent(d -> entries.add(d.entry()));
        }
        entries.sort(Comparator.comparing(JournalEntry::started));
        return entries;
    }

    private Path journalFile(String runId, String stepId) {
        return directory.resolve("journal").resolve(runId + "--" + stepId.replace(':', '_').replace('@', '_') + ".json");
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")
                    && p.getFileName().toString().endsWith(".json") || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted().toList();
        } catch (IOException e) {
            throw new StateException("cannot list " + dir + ": " + ErrorMessages.describe(e), e);
        }
    }

    private void write(Path file, Object document) {
        try {
            createDirectories(file.getParent());
            byte[] bytes = JSON.writeValueAsBytes(document);
            LocalFiles.writeAtomically(file, new ByteArrayInputStream(bytes), 0600);
        } catch (IOException e) {
            throw new StateException("cannot write " + file + ": " + ErrorMessages.describe(e), e);
        }
    }

    /** Creates the directories below the store's own, refusing any that is a symbolic link (planted or not). */
    private void createDirectories(Path dir) throws IOException {
        Files.createDirectories(directory);
        Path at = directory;
        for (Path part : directory.relativize(dir)) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                throw new StateException(at + " is a symbolic link; the state store does not write through one",
                        null);
            }
            if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(at);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    if (Files.isSymbolicLink(at) || !Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                        throw new StateException(at + " is not a directory", raced);
                    }
                }
            }
        }
    }

    /** A document, or empty when the file vanished, is garbled (then moved aside) or is of a newer version. */
    private <T> Optional<T> read(Path file, Class<T> type) {
        T document;
        try {
            document = JSON.readValue(file.toFile(), type);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return Optional.empty(); // removed since it was listed (a step ended)
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            quarantine(file, ErrorMessages.describe(e));
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("cannot read " + file + ": " + ErrorMessages.describe(e), e);
        }
        int version = document instanceof RecordDocument r ? r.schemaVersion()
                : document instanceof JournalDocument j ? j.schemaVersion() : -1;
        boolean complete = document instanceof RecordDocument r ? r.record() != null
                : document instanceof JournalDocument j && j.entry() != null;
        if (version > SCHEMA_VERSION) {
            warn(file + " was written by a newer Portoser (schemaVersion " + version + "; this one reads "
                    + SCHEMA_VERSION + "): skipped");
            return Optional.empty();
        }
        if (version != SCHEMA_VERSION || !complete) {
            quarantine(file, version != SCHEMA_VERSION ? "no schemaVersion " + SCHEMA_VERSION : "no content");
            return Optional.empty();
        }
        return Optional.of(document);
    }

    /** Moves a garbled file aside, so that it is reported once and never stops a later run. */
    private void quarantine(Path file, String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(Instant.now()));
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            warn("cannot read " + file + " (" + why + "); moved it aside to " + aside.getFileName()
                    + " and went on without it");
        } catch (NoSuchFileException gone) {
            // another reader moved it aside first and reported it
        } catch (IOException e) {
            warn("cannot read " + file + " (" + why + ") nor move it aside (" + ErrorMessages.describe(e)
                    + "); went on without it");
        }
    }

    private void warn(String warning) {
        LOG.warn("{}", warning);
        warnings.add(warning);
    }

    /**
     * The warnings since the last call (garbled files moved aside, files of a newer version skipped), each once.
     *
     * @return the warnings, oldest first; empty when there were none
     */
    @Override
    public List<String> drainWarnings() {
        List<String> drained = new ArrayList<>();
        for (String w; (w = warnings.poll()) != null; ) {
            drained.add(w);
        }
        return drained;
    }

    /**
     * Refuses a run when the state file system is nearly full, so that a deploy does not start what it then cannot
     * record.
     *
     * @throws StateException when less than {@link #MIN_FREE_BYTES} are free, or the directory cannot be made
     */
    @Override
    public void checkSpace() {
        try {
            Files.createDirectories(directory);
            long free = Files.getFileStore(directory).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                throw new StateException("the state directory " + directory + " has only " + free / 1024
                        + " KiB free (a run needs " + MIN_FREE_BYTES / 1024 + " KiB to record what it does): free "
                        + "some space there, or use another --state-dir", null);
            }
        } catch (IOException e) {
            throw new StateException("cannot use the state directory " + directory + ": " + ErrorMessages.describe(e),
                    e);
        }
    }

    /** The state directory could not be read or written. */
    public static final class StateException extends PortoserException {
        private static final long serialVersionUID = 1L;

        StateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
