package dev.portoser.transport;

import java.util.List;
import java.util.Objects;

/**
 * The one place where text becomes a POSIX shell word. Every transport that hands a command line to a shell
 * builds it here.
 *
 * <p>A word is wrapped in single quotes, inside which a POSIX shell gives no character a special meaning; a
 * single quote itself is written as {@code '\''}. The result is one word, whatever the input holds: spaces,
 * newlines, {@code $}, backquotes, globs, quotes, non-ASCII. NUL cannot be passed to a program at all, so it
 * is refused rather than silently cut. Stateless and thread-safe.
 */
public final class Shell {
    private Shell() {
    }

    /**
     * Quotes one word.
     *
     * @param word the text; must not be null
     * @return the text as one shell word
     * @throws IllegalArgumentException when the text contains NUL
     */
    public static String quote(String word) {
        Objects.requireNonNull(word, "word == null");
        if (word.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a shell word cannot contain NUL");
        }
        if (!word.isEmpty() && isPlain(word)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * Quotes each word and joins them with spaces: the command line a POSIX shell splits back into exactly
     * these words.
     *
     * @param words the words; must not be null or empty
     * @return the command line
     * @throws IllegalArgumentException when there is no word or one contains NUL
     */
    public static String join(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least one word");
        }
        StringBuilder sb = new StringBuilder();
        for (String word : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(word));
        }
        return sb.toString();
    }

    /** Words made only of these characters need no quotes, which keeps logged command lines readable. */
    private static boolean isPlain(String word) {
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '/' || c == ',' || c == ':' || c == '@' || c == '+'
                    || c == '%';
            if (!plain) {
                return false;
            }
        }
        // A leading '-' is still one word; '=' and '~' are excluded above because shells treat them specially.
        return true;
    }
}
