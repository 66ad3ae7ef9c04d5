/**
 * Portoser for Java: an embeddable SDK that turns one {@code registry.yml} into running, healthy services.
 *
 * <p>Start with {@link dev.portoser.registry.Registry#load(java.nio.file.Path)}.
 */
@NullMarked
package dev.portoser;

import org.jspecify.annotations.NullMarked;
