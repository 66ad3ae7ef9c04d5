package dev.portoser.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.secret.SecretAccessDeniedException;
import dev.portoser.secret.SecretException;
import dev.portoser.secret.SecretProvider;
import dev.portoser.secret.SecretProviderContract;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The secret provider contract against Vault: the in-process implementation of Vault's HTTP API, or a real Vault
 * when {@code VAULT_ADDR} and {@code VAULT_TOKEN} are set (then it writes the contract's secrets there first and
 * reads them with that token). The lifecycle tests need the in-process one (they move its clock).
 */
class VaultSecretProviderTest extends SecretProviderContract {
    final MutableClock clock = new MutableClock();
    InProcessVault vault;
    VaultSecretProvider provider;

    static final Registry MACHINES = Registry.parse("""
            machines:
              m1: {host: h1, user: u, platform: linux, vault_role: m1-approle}
              m2: {host: h2, user: u, platform: linux, vault_role: m2-approle}
            """);

    @AfterEach
    void close() {
        if (provider != null) {
            provider.close();
        }
        if (vault != null) {
            vault.close();
        }
    }

    @Override
    protected SecretProvider provider() throws Exception {
        String address = System.getenv("VAULT_ADDR");
        String token = System.getenv("VAULT_TOKEN");
        if (address != null && token != null) {
            Vault real = Vault.create(new VaultConfig().address(address).token(token).engineVersion(2).build(), 2);
            for (Map.Entry<String, Map<String, String>> e : SECRETS.entrySet()) {
                real.logical().write(VaultSecretProvider.kvPath(e.getKey()), new HashMap<>(e.getValue()));
            }
            provider = VaultSecretProvider.builder(URI.create(address)).token(token).build();
            return provider;
        }
        vault = new InProcessVault(clock);
        SECRETS.forEach((path, keys) -> vault.put(path.substring("secret/data/".length()), keys));
        vault.role("role-m1", "sid-m1", 3600, 86400, "secret/data/");
        provider = VaultSecretProvider.builder(vault.address()).clock(clock)
                .credentials(machine -> Optional.of(new AppRoleCredentials.Credentials("role-" + machine.name(),
                        "sid-" + machine.name()))).build();
        return provider;
    }

    InProcessVault inProcess() throws Exception {
        vault = new InProcessVault(clock);
        vault.put("m1app", Map.of("token", "t1"));
        vault.put("m2app", Map.of("token", "t2"));
        vault.role("role-m1", "sid-m1", 600, 3600, "secret/data/m1app");
        vault.role("role-m2", "sid-m2", 600, 3600, "secret/data/m2app");
        provider = VaultSecretProvider.builder(vault.address()).clock(clock).renewBefore(Duration.ofSeconds(60))
                .credentials(m -> Optional.of(new AppRoleCredentials.Credentials("role-" + m.name(), "sid-" + m.name())))
                .build();
        return vault;
    }

    static Machine machine(String name) {
        return MACHINES.machine(name).orElseThrow();
    }

    @Test
    void eachMachineReadsWithItsOwnTokenAndOnlyWhatItsPoliciesAllow() throws Exception {
        inProcess();
        assertThat(provider.read(machine("m1"), "secret/data/m1app", "token").reveal()).isEqualTo("t1");
        assertThat(provider.read(machine("m2"), "secret/data/m2app", "token").reveal()).isEqualTo("t2");
        assertThat(vault.logins.get()).isEqualTo(2);
        assertThatThrownBy(() -> provider.read(machine("m1"), "secret/data/m2app", "token"))
                .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("machine m1 may not read secret/data/m2app")
                .hasMessageNotContaining("t2");
    }

    @Test
    void theTokenIsRenewedBeforeItExpiresAndAFreshLoginFollowsAFailedRenewal() throws Exception {
        inProcess();
        provider.read(machine("m1"), "secret/data/m1app", "token");
        clock.advance(Duration.ofSeconds(300));
        provider.read(machine("m1"), "secret/data/m1app", "token");
        assertThat(vault.renewals.get()).isZero(); // still far from expiry
        clock.advance(Duration.ofSeconds(250)); // 50 s left: inside the renewal margin
        provider.read(machine("m1"), "secret/data/m1app", "token");
        assertThat(vault.renewals.get()).isEqualTo(1);
        assertThat(vault.logins.get()).isEqualTo(1);
        vault.refuseRenewal = true;
        clock.advance(Duration.ofSeconds(560));
        provider.read(machine("m1"), "secret/data/m1app", "token");
        assertThat(vault.logins.get()).isEqualTo(2);
    }

    @Test
    void anExpiredTokenIsNeverRenewed() throws Exception {
        inProcess();
        provider.read(machine("m1"), "secret/data/m1app", "token");
        clock.advance(Duration.ofSeconds(700)); // past expiry
        provider.read(machine("m1"), "secret/data/m1app", "token");
        assertThat(vault.renewalsOfExpiredTokens.get()).isZero();
        assertThat(vault.renewals.get()).isZero();
        assertThat(vault.logins.get()).isEqualTo(2);
    }

    @Test
    void tokensWeCreatedAreRevokedOnClose() throws Exception {
        inProcess();
        provider.read(machine("m1"), "secret/data/m1app", "token");
        provider.read(machine("m2"), "secret/data/m2app", "token");
        provider.close();
        assertThat(vault.revocations.get()).isEqualTo(2);
        assertThatThrownBy(() -> provider.read(machine("m1"), "secret/data/m1app", "token"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStandbyThatIsNotCaughtUpIsRetried() throws Exception {
        inProcess();
        vault.standby412.set(2);
        assertThat(provider.read(machine("m1"), "secret/data/m1app", "token").reveal()).isEqualTo("t1");
    }

    @Test
    void aSealedVaultSaysSo() throws Exception {
        inProcess();
        vault.sealed = true;
        assertThatThrownBy(() -> provider.read(machine("m1"), "secret/data/m1app", "token"))
                .isInstanceOf(SecretException.class).hasMessageStartingWith("Vault is sealed or unavailable (503)");
    }

    @Test
    void wrongAppRoleCredentialsAreRefusedClearly() throws Exception {
        inProcess();
        vault.roles.clear();
        assertThatThrownBy(() -> provider.read(machine("m1"), "secret/data/m1app", "token"))
                .isInstanceOf(SecretAccessDeniedException.class)
                .hasMessageContaining("Vault refused the AppRole login of machine m1 (role id role-m1")
                .hasMessageNotContaining("sid-m1");
    }

    @Test
    void anUnreachableVaultSaysSo() {
        provider = VaultSecretProvider.builder(URI.create("http://127.0.0.1:9")).openTimeout(Duration.ofSeconds(1))
                .credentials(m -> Optional.of(new AppRoleCredentials.Credentials("r", "s"))).build();
        assertThatThrownBy(() -> provider.read(machine("m1"), "secret/data/m1app", "token"))
                .isInstanceOf(SecretException.class).hasMessageContaining("cannot be reached");
    }

    @Test
    void theVersionOfASecretIsReportedForRotation() throws Exception {
        inProcess();
        assertThat(provider.read(machine("m1"), "secret/data/m1app", "token").version()).isEqualTo("1");
        vault.put("m1app", Map.of("token", "t1-rotated"));
        assertThat(provider.read(machine("m1"), "secret/data/m1app", "token").version()).isEqualTo("2");
    }

    @Test
    void credentialsComeFromTheRegistryThenA0600FileAndSourcesChain() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("approles");
        Machine withIds = Registry.parse("""
                machines:
                  m3: {host: h3, user: u, platform: linux, vault_role_id: r3, vault_secret_id: s3}
                """).machine("m3").orElseThrow();
        AppRoleCredentials files = AppRoleCredentials.files(dir);
        assertThat(files.forMachine(withIds)).contains(new AppRoleCredentials.Credentials("r3", "s3"));
        assertThat(files.forMachine(machine("m1"))).isEmpty();
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("m1.json"),
                "{\"role_id\": \"r1\", \"secret_id\": \"s1\"}");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> files.forMachine(machine("m1"))).isInstanceOf(SecretException.class)
                .hasMessageContaining("chmod 600");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(files.forMachine(machine("m1"))).contains(new AppRoleCredentials.Credentials("r1", "s1"));
        assertThat(new AppRoleCredentials.Credentials("r1", "s1").toString()).doesNotContain("s1");
        AppRoleCredentials none = m -> Optional.empty();
        assertThat(none.orElse(files).forMachine(machine("m1"))).isPresent();
        assertThat(AppRoleCredentials.environment().forMachine(machine("m2"))).isEmpty();
    }

    @Test
    void registryPathsMapToTheDriversKvPaths() {
        assertThat(VaultSecretProvider.kvPath("secret/data/myapp")).isEqualTo("secret/myapp");
        assertThat(VaultSecretProvider.kvPath("kv/data/team/app")).isEqualTo("kv/team/app");
        assertThat(VaultSecretProvider.kvPath("secret/myapp")).isEqualTo("secret/myapp");
    }
}
