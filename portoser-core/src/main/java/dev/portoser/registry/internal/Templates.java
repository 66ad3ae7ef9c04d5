package dev.portoser.registry.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code {{ NAME }}} in registry values with variables given to the loader.
 *
 * <p>A replacement is inserted as it is and never scanned again, so a variable's value cannot pull in another
 * variable. Whatever a value becomes, the binder and the validators check the result, so a hostile variable is
 * refused like hostile text in the file. Instances are immutable and thread-safe.
 */
public final class Templates {
    private static final Pattern REFERENCE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    private static final Pattern OPENING = Pattern.compile("\\{\\{");

    private final Function<String, String> lookup;

    /**
     * Creates a resolver.
     *
     * @param lookup gives a variable's value, or null when it is undefined; must not be null
     */
    public Templates(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** A resolver whose variables are exactly {@code variables}. */
    public static Templates of(Map<String, String> variables) {
        return new Templates(variables::get);
    }

    /** Whether the text has a {@code {{ ... }}} reference at all (cheap check before the regex). */
    public static boolean hasReference(String text) {
        return text.contains("{{");
    }

    /**
     * A problem found while resolving, at an offset inside the text.
     *
     * @param offset index in the text where the problem starts
     * @param message what is wrong
     */
    public record Failure(int offset, String message) {
    }

    /**
     * The text with every reference replaced, or the failures when a variable is undefined or a reference
     * is malformed.
     *
     * @param text the value from the registry; must not be null
     * @param failures receives one entry per problem; must not be null
     * @return the resolved text (meaningless when failures were added)
     */
    public String resolve(String text, List<Failure> failures) {
        if (!hasReference(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        Matcher m = REFERENCE.matcher(text);
        int last = 0;
        List<int[]> matched = new ArrayList<>();
        while (m.find()) {
            out.append(text, last, m.start());
            String name = m.group(1);
            String value = lookup.apply(name);
            if (value == null) {
                failures.add(new Failure(m.start(), "undefined template variable '" + name
                        + "'; give it to the loader (portoser --var " + name + "=VALUE) or remove the reference"));
            } else {
                out.append(value);
            }
            matched.add(new int[] {m.start(), m.end()});
            last = m.end();
        }
        out.append(text, last, text.length());
        Matcher opening = OPENING.matcher(text);
        while (opening.find()) {
            int at = opening.start();
            boolean inside = matched.stream().anyMatch(r -> at >= r[0] && at < r[1]);
            if (!inside) {
                failures.add(new Failure(at, "malformed template reference; expected {{ NAME }} with a name of "
                        + "letters, digits and '_'"));
            }
        }
        return out.toString();
    }
}
