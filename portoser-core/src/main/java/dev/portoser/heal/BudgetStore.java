package dev.portoser.heal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portoser.ErrorMessages;
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
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy counters of each service in {@code STATE_DIR/healing/SERVICE.json}, so that back-off and circuit
 * breaker hold across processes (every {@code portoser heal} is one). Each file is written atomically; a garbled one
 * is moved aside to {@code SERVICE.json.corrupt-TIME}, reported once, and the service starts with fresh counters.
 * Two processes healing the same service at once each write what they saw; the last write wins.
 */
final class BudgetStore {
    static final int SCHEMA_VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(BudgetStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final Queue<String> warnings = new ConcurrentLinkedQueue<>();

    /** One file: the schema version and the counters. */
    record Document(int schemaVersion, @Nullable String service, HealingBudget.@Nullable Counters counters) {
    }

    BudgetStore(Path stateDirectory) {
        this.directory = stateDirectory.toAbsolutePath().resolve("healing");
    }

    Path file(String service) {
        return directory.resolve(service + ".json");
    }

    /** The counters last written for a service; empty when none were, or the file was garbled (then moved aside). */
    Optional<HealingBudget.Counters> load(String service) {
        Path file = file(service);
        if (Files.isSymbolicLink(file)) {
            warn(file + " is a symbolic link: ignored");
            return Optional.empty();
        }
        Document d;
        try {
            d = JSON.readValue(file.toFile(), Document.class);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return Optional.empty();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            quarantine(file, ErrorMessages.describe(e));
            return Optional.empty();
        } catch (IOException e) {
            warn("cannot read " + file + " (" + ErrorMessages.describe(e) + "); went on with fresh counters");
            return Optional.empty();
        }
        if (d != null && d.schemaVersion() > SCHEMA_VERSION) {
            warn(file + " was written by a newer Portoser (schemaVersion " + d.schemaVersion() + "): skipped");
            return Optional.empty();
        }
        if (d == null || d.schemaVersion() != SCHEMA_VERSION || d.counters() == null || !d.counters().valid()) {
            quarantine(file, d == null || d.schemaVersion() != SCHEMA_VERSION ? "no schemaVersion " + SCHEMA_VERSION
                    : "no valid counters");
            return Optional.empty();
        }
        return Optional.of(d.counters());
    }

    /** Writes a service's counters, atomically; a failure is reported, never thrown (healing goes on). */
    void save(String service, HealingBudget.Counters counters) {
        Path file = file(service);
        try {
            Files.createDirectories(directory);
            if (Files.isSymbolicLink(file) || Files.isSymbolicLink(directory)
                    || !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                warn("cannot write " + file + ": it or its directory is a symbolic link");
                return;
            }
            byte[] bytes = JSON.writeValueAsBytes(new Document(SCHEMA_VERSION, service, counters));
            LocalFiles.writeAtomically(file, new ByteArrayInputStream(bytes), 0600);
        } catch (IOException e) {
            warn("cannot write " + file + " (" + ErrorMessages.describe(e) + "); the counters hold in this process only");
        }
    }

    private void quarantine(Path file, String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(Instant.now()));
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            warn("cannot read " + file + " (" + why + "); moved it aside to " + aside.getFileName()
                    + " and went on with fresh counters");
        } catch (NoSuchFileException gone) {
            // another process moved it aside first and reported it
        } catch (IOException e) {
            warn("cannot read " + file + " (" + why + ") nor move it aside (" + ErrorMessages.describe(e)
                    + "); went on with fresh counters");
        }
    }

    private void warn(String warning) {
        LOG.warn("{}", warning);
        warnings.add(warning);
    }

    List<String> drainWarnings() {
        List<String> drained = new ArrayList<>();
        for (String w; (w = warnings.poll()) != null; ) {
            drained.add(w);
        }
        return drained;
    }
}
