package dev.portoser.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Key pairs made with the real {@code ssh-keygen}, as users make theirs. */
final class TestKeys {
    private TestKeys() {
    }

    /**
     * Generates a key without passphrase (or with one).
     *
     * @param file the private key path; the public key goes to {@code file.pub}
     * @param type ed25519, ecdsa or rsa
     * @param passphrase the passphrase, "" for none
     * @param extra further ssh-keygen options, such as {@code -b 521}
     * @return the private key path
     */
    static Path generate(Path file, String type, String passphrase, String... extra)
            throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(Path.of(file + ".pub"));
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("ssh-keygen", "-q", "-t", type,
                "-N", passphrase, "-C", "portoser-test", "-f", file.toString()));
        command.addAll(java.util.List.of(extra));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ssh-keygen failed: " + out);
        }
        return file;
    }
}
