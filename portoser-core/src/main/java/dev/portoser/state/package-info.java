/**
 * What Portoser remembers: deployment history and the journal of steps in flight (on the controller, in a
 * {@link dev.portoser.state.StateStore}), and locks per service (on the target machine, by
 * {@link dev.portoser.state.LockManager}).
 */
@NullMarked
package dev.portoser.state;

import org.jspecify.annotations.NullMarked;
