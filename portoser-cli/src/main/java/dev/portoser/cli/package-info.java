/** The {@code portoser} command: picocli commands over the SDK. Not API; the SDK is. */
@NullMarked
package dev.portoser.cli;

import org.jspecify.annotations.NullMarked;
