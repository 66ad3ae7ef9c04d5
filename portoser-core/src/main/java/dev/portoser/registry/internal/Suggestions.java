package dev.portoser.registry.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for mistyped keys and names. */
public final class Suggestions {
    private static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /**
     * The candidate closest to {@code word}: the same apart from case, '-' and '_', or a few edits away (one edit
     * for words up to five characters, two for longer ones).
     *
     * @param word what was written; must not be null
     * @param candidates what could have been meant; must not be null
     * @return the best candidate, or empty when none is close (ties go to the first in iteration order)
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String folded = fold(word);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = fold(candidate).equals(folded) ? 0 : distance(word.toLowerCase(Locale.ROOT),
                    candidate.toLowerCase(Locale.ROOT), MAX_DISTANCE);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = word.length() <= 5 ? 1 : MAX_DISTANCE;
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    /**
     * The " (did you mean 'x'?)" suffix for messages, or "" when nothing is close; when the word holds a character
     * that is not ASCII (a look-alike), the suffix names it, since the two would otherwise look the same.
     */
    public static String didYouMean(String word, Collection<String> candidates) {
        String hint = Texts.nonAsciiHint(word);
        return closest(word, candidates).map(c -> " (did you mean '" + c + "'?" + (hint.isEmpty() ? "" : " " + hint)
                + ")").orElse("");
    }

    private static String fold(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Levenshtein distance, giving up (returning limit + 1) once it must exceed {@code limit}. */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.min(rowMin, current[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
