package dev.portoser.registry.internal;

/** Renders user text safely inside messages: control characters escaped, long text cut. */
public final class Texts {
    private static final int MAX_SHOWN = 60;

    private Texts() {
    }

    /**
     * Names for a message: sorted, the first ten, then "and N more"; "(none)" when there are none.
     *
     * @param names the names; must not be null
     * @return the list as text
     */
    public static String names(java.util.Collection<String> names) {
        java.util.List<String> sorted = new java.util.ArrayList<>(new java.util.TreeSet<>(names));
        if (sorted.isEmpty()) {
            return "(none)";
        }
        return sorted.size() <= 10 ? String.join(", ", sorted)
                : String.join(", ", sorted.subList(0, 10)) + " and " + (sorted.size() - 10) + " more";
    }

    /**
     * The text as it may appear inside quotes in a message.
     *
     * @param text what the user wrote; must not be null
     * @return the text with control characters escaped and anything past 60 characters replaced by "..."
     */
    public static String shown(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8);
        for (int i = 0; i < text.length() && sb.length() < MAX_SHOWN; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() >= MAX_SHOWN && text.length() > MAX_SHOWN ? sb + "..." : sb.toString();
    }
}
