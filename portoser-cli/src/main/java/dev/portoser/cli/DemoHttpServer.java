package dev.portoser.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny static file server for the demo where Python is absent: {@code java -cp portoser.jar
 * dev.portoser.cli.DemoHttpServer PORT DIRECTORY} serves DIRECTORY on 127.0.0.1:PORT until killed.
 */
public final class DemoHttpServer {
    private DemoHttpServer() {
    }

    /**
     * Serves a directory until the process is killed.
     *
     * @param args the port, then the directory
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path root = Path.of(args[1]).toAbsolutePath().normalize();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            Path file = root.resolve(path.substring(1)).normalize();
            if (Files.isDirectory(file)) {
                file = file.resolve("index.html");
            }
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("serving " + root + " on 127.0.0.1:" + port);
    }
}
