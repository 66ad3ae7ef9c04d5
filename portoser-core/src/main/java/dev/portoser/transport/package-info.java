/**
 * How Portoser reaches a machine: {@link dev.portoser.transport.Transport} runs commands and moves files,
 * {@link dev.portoser.transport.TransportFactory} opens one per machine. {@link dev.portoser.transport.LocalTransport}
 * is this machine; the SSH transport lives in {@code portoser-ssh}.
 *
 * <p>Commands are argument vectors (or a fixed script with positional arguments), never shell strings built from
 * data; where a remote shell must parse a command line, every word goes through
 * {@link dev.portoser.transport.Shell#quote(String)}.
 */
@NullMarked
package dev.portoser.transport;

import org.jspecify.annotations.NullMarked;
