package dev.portoser.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portoser.PortoserException;
import dev.portoser.transport.internal.LocalFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * History and journal as JSON files under a directory ({@code ~/.portoser} by default):
 * {@code history/SERVICE/TIME-ID.json} and {@code journal/RUN--STEP.json}, each written atomically (temporary
 * file, fsync, rename), so a crash leaves the old state or the new, never half of a file. Every document carries
 * {@code schemaVersion}. Thread-safe.
 */
public final class FileStateStore implements StateStore {
    /** Version of the JSON documents written. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path directory;

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
            records.add(read(file, RecordDocument.class).record());
        }
        records.sort(Comparator.comparing(DeploymentRecord::time).thenComparing(DeploymentRecord::id));
        return records;
    }

    @Override
    public Optional<DeploymentRecord> find(String id) {
        for (Path serviceDir : list(directory.resolve("history"))) {
            for (Path file : list(serviceDir)) {
                if (file.getFileName().toString().endsWith("-" + id + ".json")) {
                    return Optional.of(read(file, RecordDocument.class).record());
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
            throw new StateException("cannot update the journal in " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<JournalEntry> inFlight() {
        List<JournalEntry> entries = new ArrayList<>();
        for (Path file : list(directory.resolve("journal"))) {
            entries.add(read(file, JournalDocument.class).entry());
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
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new StateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, Object document) {
        try {
            Files.createDirectories(file.getParent());
            byte[] bytes = JSON.writeValueAsBytes(document);
            LocalFiles.writeAtomically(file, new ByteArrayInputStream(bytes), 0600);
        } catch (IOException e) {
            throw new StateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static <T> T read(Path file, Class<T> type) {
        try {
            T document = JSON.readValue(file.toFile(), type);
            int version = document instanceof RecordDocument r ? r.schemaVersion()
                    : ((JournalDocument) document).schemaVersion();
            if (version != SCHEMA_VERSION) {
                throw new StateException(file + " has schemaVersion " + version + "; this version reads "
                        + SCHEMA_VERSION, null);
            }
            return document;
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new StateException("cannot read " + file + ": " + e.getMessage(), e);
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
