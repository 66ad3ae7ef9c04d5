/** Implementation of the SSH transport; not API, may change without notice. */
@NullMarked
package dev.portoser.ssh.internal;

import org.jspecify.annotations.NullMarked;
