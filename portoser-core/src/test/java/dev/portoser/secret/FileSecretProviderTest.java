package dev.portoser.secret;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract for the file provider, plus its refusal of a file others can read. */
class FileSecretProviderTest extends SecretProviderContract {
    @TempDir
    Path dir;

    @Override
    protected SecretProvider provider() throws Exception {
        Path file = dir.resolve("secrets.json");
        Files.write(file, new ObjectMapper().writeValueAsBytes(SECRETS));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return new FileSecretProvider(file);
    }

    @Test
    void aFileOthersCanReadIsRefusedWithoutShowingItsContent() throws Exception {
        Path file = dir.resolve("open.json");
        Files.write(file, new ObjectMapper().writeValueAsBytes(SECRETS));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> new FileSecretProvider(file).read(machine(), "secret/data/myapp", "api_key"))
                .isInstanceOf(SecretException.class).hasMessageContaining("chmod 600").hasMessageNotContaining("k=ey");
    }

    @Test
    void aBrokenFileIsReportedWithoutItsContent() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.json"), "{\"secret/data/myapp\": {\"api_key\": \"k=ey==\"");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> new FileSecretProvider(file).read(machine(), "secret/data/myapp", "api_key"))
                .isInstanceOf(SecretException.class).hasMessageNotContaining("k=ey");
    }
}
