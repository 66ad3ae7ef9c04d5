/**
 * The registry: machines, the services that run on them, and the groups they form.
 *
 * <p>{@link dev.portoser.registry.Registry#load(java.nio.file.Path)} reads a {@code registry.yml}, checks every
 * field and every cross-reference, and returns an immutable {@link dev.portoser.registry.Registry} or throws a
 * {@link dev.portoser.registry.RegistryException} that lists every {@link dev.portoser.registry.Problem} with its
 * file, line and column.
 */
@NullMarked
package dev.portoser.registry;

import org.jspecify.annotations.NullMarked;
