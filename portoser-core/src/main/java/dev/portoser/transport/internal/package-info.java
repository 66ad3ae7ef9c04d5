/** Implementation of transports; not API, may change without notice. */
@NullMarked
package dev.portoser.transport.internal;

import org.jspecify.annotations.NullMarked;
