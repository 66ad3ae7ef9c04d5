package dev.portoser.registry.internal;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/** Checks {@link SafePath}. */
public final class SafePathValidator implements ConstraintValidator<SafePath, String> {
    private static final int MAX_LENGTH = 4096;
    private SafePath.Kind kind = SafePath.Kind.ABSOLUTE;

    @Override
    public void initialize(SafePath annotation) {
        kind = annotation.value();
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        String problem = problem(value, kind);
        if (problem == null) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate("expected " + kind.description() + " of letters, digits, spaces and "
                + "._-+@%,:=/ (" + problem + ")").addConstraintViolation();
        return false;
    }

    /**
     * Says what is wrong with a path, or null when nothing is.
     *
     * @param value the path; must not be null
     * @param kind where it may point; must not be null
     * @return a short reason, or null when the path is acceptable
     */
    public static String problem(String value, SafePath.Kind kind) {
        if (value.isEmpty()) {
            return "it is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "it is longer than " + MAX_LENGTH + " characters";
        }
        String rest = value;
        switch (kind) {
            case ABSOLUTE -> {
                if (!value.startsWith("/")) {
                    return "it does not start with /";
                }
            }
            case ABSOLUTE_OR_HOME -> {
                if (value.startsWith("~/")) {
                    rest = value.substring(2);
                } else if (!value.startsWith("/")) {
                    return "it starts with neither / nor ~/";
                }
            }
            case ABSOLUTE_OR_INSIDE -> {
                // any start is fine; traversal is checked below
            }
        }
        for (int i = 0; i < rest.length(); ) {
            int cp = rest.codePointAt(i);
            if (!allowed(cp)) {
                return "'" + describe(cp) + "' is not allowed";
            }
            i += Character.charCount(cp);
        }
        for (String segment : value.split("/", -1)) {
            if (segment.equals("..")) {
                return "'..' segments are not allowed";
            }
        }
        return null;
    }

    private static boolean allowed(int cp) {
        if (cp < 0x80) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || "._-+@%,:=/ ".indexOf(cp) >= 0;
        }
        return Character.isLetterOrDigit(cp);
    }

    private static String describe(int cp) {
        if (cp < 0x20 || cp == 0x7f) {
            return String.format("\\x%02x", cp);
        }
        return new String(Character.toChars(cp));
    }
}
