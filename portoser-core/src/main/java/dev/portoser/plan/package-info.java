/**
 * Plans: what to do, in which order, and why, before anything is done.
 *
 * <p>{@link dev.portoser.plan.Planner#of(dev.portoser.registry.Registry)} turns a registry and an intent
 * (deploy these services, stop that one, move this one) into an immutable, deterministic
 * {@link dev.portoser.plan.Plan}: a graph of {@link dev.portoser.plan.Step}s, each knowing what it waits for and
 * which health checks gate it. A plan renders as the {@code --dry-run} text, as versioned JSON, and as a
 * Graphviz or Mermaid graph; a saved plan can be read back and checked against the current registry.
 */
@NullMarked
package dev.portoser.plan;

import org.jspecify.annotations.NullMarked;
