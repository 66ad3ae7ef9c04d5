/** Implementation of registry loading and validation; not API, may change without notice. */
@NullMarked
package dev.portoser.registry.internal;

import org.jspecify.annotations.NullMarked;
