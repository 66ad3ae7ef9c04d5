/** Implementation of planning; not API, may change without notice. */
@NullMarked
package dev.portoser.plan.internal;

import org.jspecify.annotations.NullMarked;
