package dev.portoser.server.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The page and its files, from the jar ({@code dev/portoser/server/ui/}), and the one-time login link
 * ({@code /login/CODE}) that sets the session cookie. Only the files listed are served: no path from the
 * request ever reaches the class loader.
 */
public final class Assets implements HttpHandler {
    private static final String ROOT = "/dev/portoser/server/ui/";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/app.css", "app.css",
            "/favicon.svg", "favicon.svg");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    private final Access access;

    /**
     * The assets handler.
     *
     * @param access redeems login codes
     */
    public Assets(Access access) {
        this.access = access;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Api.Headers.secure(exchange, false);
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                text(exchange, 405, "only GET here");
                return;
            }
            if (path.startsWith("/login/")) {
                login(exchange, path.substring("/login/".length()));
                return;
            }
            String file = FILES.get(path);
            if (file == null) {
                text(exchange, 404, "not found: " + path);
                return;
            }
            byte[] bytes;
            try (InputStream in = Assets.class.getResourceAsStream(ROOT + file)) {
                if (in == null) {
                    text(exchange, 500, "the page is missing from the jar: " + file);
                    return;
                }
                bytes = in.readAllBytes();
            }
            String ext = file.substring(file.lastIndexOf('.') + 1);
            exchange.getResponseHeaders().set("Content-Type", TYPES.get(ext));
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void login(HttpExchange exchange, String code) throws IOException {
        if (!access.redeem(code)) {
            text(exchange, 403, "this login link has been used or has expired: restart portoser serve for a new one, "
                    + "or send the token from server.token as 'Authorization: Bearer TOKEN'");
            return;
        }
        exchange.getResponseHeaders().add("Set-Cookie", access.sessionCookie());
        exchange.getResponseHeaders().set("Location", "/");
        exchange.sendResponseHeaders(303, -1);
    }

    private static void text(HttpExchange exchange, int status, String message) throws IOException {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
