package dev.portoser.ssh.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with TCP_NODELAY on. An SSH command is a handful of small request/reply packets; with Nagle's
 * algorithm each one can wait for the peer's delayed ACK (about 40 ms on Linux), which made a remote {@code true}
 * take 48 ms instead of a few.
 */
public final class NoDelaySockets extends SocketFactory {
    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return configure(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return configure(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return configure(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return configure(new Socket(address, port, localAddress, localPort));
    }

    private static Socket configure(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }
}
