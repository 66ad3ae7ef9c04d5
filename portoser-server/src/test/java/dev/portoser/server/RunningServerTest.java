package dev.portoser.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a running server through its address file, after the faults a killed server or a hand edit leaves. */
class RunningServerTest {
    @TempDir
    Path state;

    @Test
    void anAddressFileLeftByAKilledServerMeansNoServer() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        write("{\"url\":\"http://127.0.0.1:7900/\",\"pid\":" + gone.pid() + ",\"registry\":\"/r.yml\"}");
        assertThat(RunningServer.find(state)).isEmpty();
    }

    @Test
    void noAddressFileMeansNoServer() {
        assertThat(RunningServer.find(state)).isEmpty();
    }

    @Test
    void aGarbledAddressFileIsSaidInWords() throws Exception {
        write("{not json");
        assertThatThrownBy(() -> RunningServer.find(state)).isInstanceOf(ServerException.class)
                .hasMessageStartingWith("cannot read the server's address file " + state.resolve("server.json"));
    }

    @Test
    void anAddressFileOthersCanReadIsRefused() throws Exception {
        write("{\"url\":\"http://127.0.0.1:7900/\",\"pid\":" + ProcessHandle.current().pid() + "}");
        Files.setPosixFilePermissions(state.resolve("server.json"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> RunningServer.find(state)).isInstanceOf(ServerException.class)
                .hasMessageContaining("others may read it");
    }

    private void write(String text) throws Exception {
        Path file = state.resolve("server.json");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
