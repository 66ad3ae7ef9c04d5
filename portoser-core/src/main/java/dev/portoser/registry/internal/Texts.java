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
     * @return the text with invisible characters escaped (see {@link #escaped}) and anything past 60 characters
     *         replaced by "..."
     */
    public static String shown(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 8);
        int i = 0;
        while (i < text.length() && sb.length() < MAX_SHOWN) {
            int cp = text.codePointAt(i);
            escape(cp, sb);
            i += Character.charCount(cp);
        }
        return i < text.length() ? sb + "..." : sb.toString();
    }

    /**
     * The text with every character that would hide or rearrange what a terminal shows escaped: line breaks and
     * tabs as {@code \n}, {@code \r}, {@code \t}, other C0 and C1 controls as {@code \xNN}, and format characters
     * (zero-width spaces and joiners, bidirectional overrides, byte order marks) and line or paragraph separators
     * as a backslash, {@code u} and four hex digits. The message stays on one line and reads in the order it is stored.
     *
     * @param text any text; must not be null
     * @return the text, escaped
     */
    public static String escaped(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> escape(cp, sb));
        return sb.toString();
    }

    /**
     * Names the first character that is not ASCII, for text that must be ASCII and may hold a look-alike (a
     * Cyrillic {@code а} in {@code wеb}) which a message would show exactly like the real thing.
     *
     * @param text what the user wrote; must not be null
     * @return {@code "character 2 is U+0435 CYRILLIC SMALL LETTER IE, not ASCII"}, or "" when all is ASCII
     */
    public static String nonAsciiHint(String text) {
        int index = 1;
        for (int i = 0; i < text.length(); index++) {
            int cp = text.codePointAt(i);
            if (cp > 0x7e) {
                String name = Character.getName(cp);
                return String.format("character %d is U+%04X%s, not ASCII", index, cp, name == null ? "" : " " + name);
            }
            i += Character.charCount(cp);
        }
        return "";
    }

    /** Whether a code point is invisible or changes how the text around it is shown. */
    public static boolean isInvisible(int cp) {
        int type = Character.getType(cp);
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    private static void escape(int cp, StringBuilder sb) {
        if (cp == '\n') {
            sb.append("\\n");
        } else if (cp == '\r') {
            sb.append("\\r");
        } else if (cp == '\t') {
            sb.append("\\t");
        } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            sb.append(String.format("\\x%02x", cp));
        } else if (isInvisible(cp)) {
            sb.append(String.format("\\u%04x", cp));
        } else {
            sb.appendCodePoint(cp);
        }
    }
}
