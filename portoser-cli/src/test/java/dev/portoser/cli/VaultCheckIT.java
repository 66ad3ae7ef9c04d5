package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.vault.InProcessVault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portoser vault check} against the in-process Vault API: names and versions, never values. */
class VaultCheckIT {
    @TempDir
    Path dir;

    @Test
    void everyReferenceIsCheckedWithItsMachinesAppRoleAndNoValueIsPrinted() throws Exception {
        try (InProcessVault vault = new InProcessVault(Clock.systemUTC())) {
            vault.put("api", Map.of("token", "very-secret-value"));
            vault.put("api", Map.of("token", "very-secret-value-2"));
            vault.role("role-app", "sid-app", 600, 3600, "secret/data/api");
            Path approles = Files.createDirectories(dir.resolve("approles"));
            Path creds = Files.writeString(approles.resolve("app.json"), "{\"role_id\": \"role-app\", \"secret_id\": \"sid-app\"}");
            Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve("registry.yml"), """
                    machines:
                      app: {host: 10.200.0.12, user: deploy, platform: linux, vault_role: app-approle}
                    services:
                      api: {type: local, path: /srv/api, machine: app, command: ./api, vault_secrets: [{path: secret/data/api, keys: [token, missing]}]}
                    """);
            CliProcess.Result r = CliProcess.run(dir, Map.of(), "vault", "check", "--vault-addr",
                    vault.address().toString(), "--approles", approles.toString());
            assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
            assertThat(r.stdout()).containsPattern("api +app +secret/data/api +token +2 +ok")
                    .contains("ERROR: no key 'missing' in the secret at secret/data/api")
                    .contains("some secrets do not resolve")
                    .doesNotContain("very-secret-value").doesNotContain("sid-app");
        }
    }
}
