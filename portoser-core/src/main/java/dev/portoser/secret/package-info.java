/**
 * Secrets: the {@link dev.portoser.secret.SecretProvider} SPI that resolves a service's {@code vault_secrets} for
 * its machine, and {@link dev.portoser.secret.Secret}, a value that never shows itself in strings, logs, events,
 * plans, history or exceptions.
 */
@NullMarked
package dev.portoser.secret;

import org.jspecify.annotations.NullMarked;
