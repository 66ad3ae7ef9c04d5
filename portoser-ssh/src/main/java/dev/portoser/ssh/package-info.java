/**
 * The SSH transport: {@link dev.portoser.ssh.SshTransportFactory} reaches machines over SSH with SSHJ, one pooled
 * connection per machine, host keys verified against {@code known_hosts}.
 */
@NullMarked
package dev.portoser.ssh;

import org.jspecify.annotations.NullMarked;
