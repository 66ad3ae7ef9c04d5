package dev.portoser.registry.edit;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link RegistryEditor#save()} did.
 *
 * @param file the file written (a symbolic link's target)
 * @param written whether anything was written; false when there was nothing to save
 * @param backup the copy of the previous version, or null when backups are off or nothing was written
 * @param sha256 the SHA-256 of the file's bytes now, in hex
 */
public record SaveResult(Path file, boolean written, @Nullable Path backup, String sha256) {
    /**
     * Checks that the file and hash are given.
     *
     * @param file the file
     * @param sha256 the SHA-256 of the saved text
     * @param backup the backup
     * @param written whether the file was written
     */
    public SaveResult {
        Objects.requireNonNull(file, "file == null");
        Objects.requireNonNull(sha256, "sha256 == null");
    }
}
