package dev.portoser.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The version of a registry file as the API names it: the SHA-256 of its bytes. */
final class RegistrySha {
    private RegistrySha() {
    }

    static String of(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
