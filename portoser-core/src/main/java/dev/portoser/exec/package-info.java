/**
 * Running plans: {@link dev.portoser.exec.Executor} turns a {@link dev.portoser.plan.Plan} into running, healthy
 * services, as fast as the dependency graph allows, and reports a {@link dev.portoser.exec.RunResult}.
 */
@NullMarked
package dev.portoser.exec;

import org.jspecify.annotations.NullMarked;
