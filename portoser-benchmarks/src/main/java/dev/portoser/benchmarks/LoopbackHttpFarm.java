package dev.portoser.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The other side of {@link HealthMonitorBenchmark}: one small process that listens on many loopback ports with one
 * selector thread and answers every HTTP request on a kept-alive connection with {@code 200 ok}. Prints each port
 * on a line, then {@code ready}; ends when its standard input closes.
 *
 * <p>{@code java -cp benchmarks.jar dev.portoser.benchmarks.LoopbackHttpFarm PORTS}
 */
public final class LoopbackHttpFarm {
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n"
            + "\r\nok").getBytes(StandardCharsets.US_ASCII);

    private LoopbackHttpFarm() {
    }

    public static void main(String[] args) throws IOException {
        int ports = Integer.parseInt(args[0]);
        Selector selector = Selector.open();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ports; i++) {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            out.append(((InetSocketAddress) server.getLocalAddress()).getPort()).append('\n');
        }
        System.out.print(out);
        System.out.println("ready");
        System.out.flush();
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the benchmark to close our input
                }
            } catch (IOException ignored) {
                // the benchmark is gone
            }
            System.exit(0);
        }, "farm-stdin");
        stdin.setDaemon(true);
        stdin.start();
        ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);
        while (true) {
            selector.select();
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                try {
                    if (key.isAcceptable()) {
                        SocketChannel c = ((ServerSocketChannel) key.channel()).accept();
                        if (c != null) {
                            c.configureBlocking(false);
                            c.register(selector, SelectionKey.OP_READ, new int[1]);
                        }
                    } else if (key.isReadable()) {
                        serve(key, buffer);
                    }
                } catch (IOException e) {
                    key.cancel();
                    key.channel().close();
                }
            }
        }
    }

    /** Answers once per request seen (the end of its header, a blank line); requests carry no body. */
    private static void serve(SelectionKey key, ByteBuffer buffer) throws IOException {
        SocketChannel c = (SocketChannel) key.channel();
        int[] state = (int[]) key.attachment(); // how many bytes of "\r\n\r\n" were seen last
        buffer.clear();
        int n = c.read(buffer);
        if (n < 0) {
            key.cancel();
            c.close();
            return;
        }
        buffer.flip();
        int answers = 0;
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            int s = state[0];
            if ((s == 0 || s == 2) && b == '\r') {
                state[0] = s + 1;
            } else if ((s == 1 || s == 3) && b == '\n') {
                state[0] = s + 1;
                if (state[0] == 4) {
                    answers++;
                    state[0] = 0;
                }
            } else {
                state[0] = b == '\r' ? 1 : 0;
            }
        }
        for (int i = 0; i < answers; i++) {
            ByteBuffer response = ByteBuffer.wrap(RESPONSE);
            while (response.hasRemaining()) {
                if (c.write(response) == 0) {
                    Thread.onSpinWait(); // a 70-byte answer on loopback: the socket buffer is never full for long
                }
            }
        }
    }
}
