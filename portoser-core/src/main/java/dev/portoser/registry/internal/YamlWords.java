package dev.portoser.registry.internal;

import java.util.Locale;
import java.util.Optional;

/** Maps the lower-case words of {@code registry.yml} to enum constants. */
public final class YamlWords {
    private YamlWords() {
    }

    /**
     * Finds the constant whose lower-case name is {@code word}, ignoring case and surrounding blanks.
     *
     * @param type the enum class; must not be null
     * @param word the word from the registry; must not be null
     * @param <E> the enum type
     * @return the constant, or empty when none matches
     */
    public static <E extends Enum<E>> Optional<E> enumConstant(Class<E> type, String word) {
        String wanted = word.trim().toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }
}
