package dev.portoser.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The server's live updates: every event gets an increasing id, the last {@value #KEPT} are kept so that a browser
 * that reconnects with {@code Last-Event-ID} misses nothing, and each subscriber (one Server-Sent Events
 * connection) has its own bounded queue: a subscriber that stops reading is dropped, never the publisher blocked.
 */
public final class EventHub implements AutoCloseable {
    /** How many past events a reconnecting subscriber can be sent. */
    static final int KEPT = 1000;
    /** How many undelivered events a slow subscriber may have before it is dropped. */
    static final int QUEUE = 10_000;
    private static final Event CLOSED = new Event(-1, "closed", "{}");

    /**
     * One event.
     *
     * @param id its id, increasing from 1
     * @param type its SSE event name ({@code health}, {@code run}, {@code registry}...)
     * @param json its data, one JSON document
     */
    public record Event(long id, String type, String json) {
    }

    private final ObjectMapper json;
    private final Deque<Event> recent = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private final int maxSubscribers;
    private long lastId;
    private volatile boolean closed;

    /**
     * A hub.
     *
     * @param json writes the events' data
     * @param maxSubscribers how many connections may follow at once
     */
    public EventHub(ObjectMapper json, int maxSubscribers) {
        this.json = json;
        this.maxSubscribers = maxSubscribers;
    }

    /**
     * Sends an event to every subscriber.
     *
     * @param type the event's name
     * @param data its data, written as JSON
     */
    public void publish(String type, Object data) {
        String text;
        try {
            text = json.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the event as JSON", e);
        }
        Event event;
        synchronized (recent) {
            event = new Event(++lastId, type, text);
            recent.addLast(event);
            if (recent.size() > KEPT) {
                recent.removeFirst();
            }
            // inside the lock, so that every subscriber sees events in id order
            for (Subscription s : subscribers) {
                if (!s.queue.offer(event)) {
                    s.drop();
                }
            }
        }
    }

    /**
     * Follows the events from now on, after the ones since {@code lastEventId} that are still kept.
     *
     * @param lastEventId the last event the subscriber has seen, or null for none
     * @return the subscription, or empty when the hub is closed or has as many subscribers as it may
     */
    public Optional<Subscription> subscribe(@Nullable Long lastEventId) {
        synchronized (recent) {
            if (closed || subscribers.size() >= maxSubscribers) {
                return Optional.empty();
            }
            Subscription s = new Subscription();
            if (lastEventId != null) {
                for (Event e : recent) {
                    if (e.id() > lastEventId) {
                        s.queue.add(e);
                    }
                }
            }
            subscribers.add(s);
            return Optional.of(s);
        }
    }

    /**
     * The events kept, oldest first.
     *
     * @return a copy of them
     */
    public List<Event> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    /** Ends every subscription: their connections close. */
    @Override
    public void close() {
        synchronized (recent) {
            closed = true;
            subscribers.forEach(Subscription::drop);
        }
    }

    /** One follower's queue of events. */
    public final class Subscription implements AutoCloseable {
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(QUEUE);

        private Subscription() {
        }

        /**
         * The next event.
         *
         * @param millis how long to wait for one
         * @return the event, or empty when none came in time
         * @throws InterruptedException when interrupted while waiting
         * @throws java.io.EOFException when the subscription has ended (the hub closed or the reader was too slow)
         */
        public Optional<Event> next(long millis) throws InterruptedException, java.io.EOFException {
            Event e = queue.poll(millis, TimeUnit.MILLISECONDS);
            if (e == CLOSED) {
                throw new java.io.EOFException("the event stream has ended");
            }
            return Optional.ofNullable(e);
        }

        private void drop() {
            subscribers.remove(this);
            queue.clear();
            queue.offer(CLOSED);
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
