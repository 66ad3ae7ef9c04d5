package dev.portoser.server.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server refuses: the HTTP status, one sentence for a person, and fields a program can use (the
 * problems at each field, the services that depend on one being removed...). Sent as
 * {@code {"error": "...", ...}}.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient Map<String, Object> details = new LinkedHashMap<>();

    /**
     * A refusal.
     *
     * @param status the HTTP status
     * @param message what is wrong, in one sentence
     */
    public ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /**
     * Adds a field to the error document.
     *
     * @param key its name
     * @param value its value
     * @return this error
     */
    public ApiError with(String key, Object value) {
        details.put(key, value);
        return this;
    }

    /**
     * The HTTP status.
     *
     * @return the status
     */
    public int status() {
        return status;
    }

    /**
     * The error document sent to the client.
     *
     * @return {@code error} and the added fields
     */
    public Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("error", getMessage());
        doc.putAll(details);
        return doc;
    }
}
