package dev.portoser.server.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /api/v1/events}: the hub's events as Server-Sent Events ({@code id}, {@code event}, {@code data}),
 * from after the browser's {@code Last-Event-ID}, with a comment every {@value #KEEPALIVE_MILLIS} ms so that a
 * dead connection is noticed and proxies keep it open.
 */
final class EventStream {
    static final long KEEPALIVE_MILLIS = 15_000;

    private EventStream() {
    }

    static void follow(EventHub hub, Api.Request request) throws IOException, InterruptedException {
        HttpExchange exchange = request.exchange();
        Long last = null;
        String header = request.header("Last-Event-ID");
        if (header == null) {
            header = request.query("lastEventId");
        }
        if (header != null && !header.isBlank()) {
            try {
                last = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                throw new ApiError(400, "Last-Event-ID must be a number, not '" + header + "'");
            }
        }
        Optional<EventHub.Subscription> sub = hub.subscribe(last);
        if (sub.isEmpty()) {
            throw new ApiError(503, "too many event streams are open; close a tab and try again");
        }
        try (EventHub.Subscription s = sub.get()) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(": portoser events\nretry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                Optional<EventHub.Event> next;
                try {
                    next = s.next(KEEPALIVE_MILLIS);
                } catch (EOFException ended) {
                    return;
                }
                String frame = next.map(e -> "id: " + e.id() + "\nevent: " + e.type() + "\ndata: " + e.json() + "\n\n")
                        .orElse(": keep-alive\n\n");
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }
}
