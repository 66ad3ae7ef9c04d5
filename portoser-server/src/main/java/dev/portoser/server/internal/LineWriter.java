package dev.portoser.server.internal;

import java.io.Writer;
import java.util.function.Consumer;

/** A writer that hands on each complete line (without its line end): how a run's JSON-lines events reach the hub. */
final class LineWriter extends Writer {
    private final StringBuilder line = new StringBuilder();
    private final Consumer<String> lines;

    LineWriter(Consumer<String> lines) {
        this.lines = lines;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            char c = buf[i];
            if (c == '\n') {
                String done = line.toString();
                line.setLength(0);
                if (!done.isBlank()) {
                    lines.accept(done);
                }
            } else if (c != '\r') {
                line.append(c);
            }
        }
    }

    @Override
    public void flush() {
        // lines are handed on as they end
    }

    @Override
    public void close() {
        // nothing to release
    }
}
