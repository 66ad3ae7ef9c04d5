package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration digests end up in argv and files on the machine: they must not let anyone test secret guesses. */
class ConfigDigestTest {
    @TempDir
    Path dir;

    @Test
    void aDigestDependsOnTheKeySoItCannotBeRecomputedFromGuessesWithoutIt() throws Exception {
        ConfigDigest one = ConfigDigest.withKey("0123456789abcdef0123".getBytes(StandardCharsets.US_ASCII));
        ConfigDigest two = ConfigDigest.withKey("another-key-of-20-by".getBytes(StandardCharsets.US_ASCII));
        assertThat(one.of("/srv/web", "hunter2")).isEqualTo(one.of("/srv/web", "hunter2"))
                .isNotEqualTo(two.of("/srv/web", "hunter2"));
        String unkeyed = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("/srv/web\0hunter2".getBytes(StandardCharsets.UTF_8)), 0, 12);
        assertThat(one.of("/srv/web", "hunter2")).isNotEqualTo(unkeyed);
    }

    @Test
    void partsCannotRunIntoEachOther() {
        ConfigDigest d = ConfigDigest.ephemeral();
        assertThat(d.of("ab", "c")).isNotEqualTo(d.of("a", "bc"));
        assertThat(d.of((String) null)).isNotEqualTo(d.of("null"));
    }

    @Test
    void aVersionedSecretContributesItsVersionAndNeverItsValue() {
        ConfigDigest d = ConfigDigest.ephemeral();
        assertThat(d.secret(new Secret("s3cret", "7"))).isEqualTo("version 7").doesNotContain("s3cret");
        assertThat(d.secret(new Secret("s3cret", null))).startsWith("value ").doesNotContain("s3cret");
        assertThat(d.toString()).doesNotContain("key=");
    }

    @Test
    void theKeyFileIsCreatedOnceWithMode0600AndReusedAcrossRuns() throws Exception {
        Path file = dir.resolve("state/digest.key");
        String first = ConfigDigest.fromKeyFile(file).of("x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ConfigDigest.fromKeyFile(file).of("x")).isEqualTo(first);
    }

    @Test
    void aSymlinkedOrGarbledKeyFileIsRefusedInWords() throws Exception {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "x");
        Path link = dir.resolve("link.key");
        Files.createSymbolicLink(link, victim);
        assertThatThrownBy(() -> ConfigDigest.fromKeyFile(link)).isInstanceOf(ConfigDigest.KeyFileException.class)
                .hasMessageContaining("is a symbolic link");
        Path garbled = dir.resolve("garbled.key");
        Files.writeString(garbled, "not hex at all");
        assertThatThrownBy(() -> ConfigDigest.fromKeyFile(garbled)).hasMessageContaining("does not hold a key");
    }
}
