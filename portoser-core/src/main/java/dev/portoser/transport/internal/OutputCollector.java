package dev.portoser.transport.internal;

import dev.portoser.transport.OutputListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains one output stream of a command to its end: keeps the bytes (up to a cap, so a runaway command cannot
 * exhaust memory) and hands each complete line to a listener as it arrives. One collector per stream, each on
 * its own thread, so a command that fills one stream never blocks on the other. Not thread-safe itself.
 */
public final class OutputCollector {
    /** Output kept per stream; beyond it, bytes are counted and dropped. */
    public static final int MAX_KEPT_BYTES = 16 << 20;

    private final OutputListener listener;
    private final OutputListener.Stream stream;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long dropped;

    /**
     * Creates a collector.
     *
     * @param stream which stream it drains
     * @param listener receives complete lines
     */
    public OutputCollector(OutputListener.Stream stream, OutputListener listener) {
        this.stream = stream;
        this.listener = listener;
    }

    /**
     * Reads until end of stream.
     *
     * @param in the stream; it is read to its end but not closed
     * @throws IOException when reading fails
     */
    public void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            int keep = (int) Math.min(n, Math.max(0, MAX_KEPT_BYTES - kept.size()));
            kept.write(buffer, 0, keep);
            dropped += n - keep;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    emit();
                } else if (line.size() < 64 * 1024) {
                    line.write(buffer[i]);
                }
            }
        }
        if (line.size() > 0) {
            emit();
        }
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        try {
            listener.line(stream, text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
        } catch (RuntimeException e) {
            // A listener must not throw; if it does, the command's output is still collected.
        }
    }

    /** Everything kept, decoded as UTF-8, with a note when output was dropped at the cap. */
    public String text() {
        String text = kept.toString(StandardCharsets.UTF_8);
        return dropped == 0 ? text : text + "\n[portoser: " + dropped + " more bytes of output were dropped]\n";
    }
}
