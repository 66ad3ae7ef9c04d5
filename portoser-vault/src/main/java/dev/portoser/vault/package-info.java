/**
 * Secrets from HashiCorp Vault: {@link dev.portoser.vault.VaultSecretProvider} logs each machine in with its own
 * AppRole and reads KV v2 secrets with that machine's token.
 */
@NullMarked
package dev.portoser.vault;

import org.jspecify.annotations.NullMarked;
