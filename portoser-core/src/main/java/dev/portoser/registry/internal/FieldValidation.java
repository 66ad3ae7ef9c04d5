package dev.portoser.registry.internal;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Severity;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Runs Hibernate Validator's field rules on the bound records and turns each violation into a {@link Problem}
 * at the position the value came from. Thread-safe.
 *
 * <p>Messages are interpolated with {@link ParameterMessageInterpolator}: no Expression Language, so nothing a
 * registry value contains can be evaluated, and no EL implementation is needed on the class path.
 */
public final class FieldValidation {
    private FieldValidation() {
    }

    private static final class Holder {
        static final Validator VALIDATOR = QuietStart.run(() -> Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory().getValidator());
    }

    /**
     * Validates one record.
     *
     * @param bean the record, such as a machine
     * @param modelPath its path, such as {@code machines.m1}
     * @param source the file name for problems
     * @param locations where values came from, and which paths already have a problem
     * @param problems receives the new problems
     */
    public static void validate(Object bean, String modelPath, String source, Locations locations, List<Problem> problems) {
        Set<ConstraintViolation<Object>> violations = Holder.VALIDATOR.validate(bean);
        if (violations.isEmpty()) {
            return;
        }
        List<ConstraintViolation<Object>> sorted = new ArrayList<>(violations);
        sorted.sort(Comparator.comparing(v -> v.getPropertyPath().toString()));
        Set<String> seen = new HashSet<>();
        for (ConstraintViolation<Object> violation : sorted) {
            String path = modelPath + suffix(violation.getPropertyPath());
            if (locations.isReported(path) || !seen.add(path + '\0' + violation.getMessage())) {
                continue;
            }
            Locations.Position at = locations.find(path);
            problems.add(new Problem(Severity.ERROR, source, at.line(), at.column(), at.yamlPath(),
                    violation.getMessage() + found(path, violation.getInvalidValue())));
        }
    }

    /** Hibernate Validator's path as ours: {@code .ports[1]}, {@code .env[KEY]}, {@code .vaultSecrets[0].path}. */
    static String suffix(Path path) {
        StringBuilder sb = new StringBuilder();
        for (Path.Node node : path) {
            if (node.isInIterable()) {
                Object where = node.getIndex() != null ? node.getIndex() : node.getKey();
                sb.append('[').append(where).append(']');
            }
            if (node.getKind() != ElementKind.CONTAINER_ELEMENT && node.getKind() != ElementKind.BEAN
                    && node.getName() != null) {
                sb.append('.').append(node.getName());
            }
        }
        return sb.toString();
    }

    /** ", found 'x'" for values that may be shown; never for env values or secret ids. */
    private static String found(String path, Object value) {
        if (value == null || path.contains(".env[") || path.contains("vaultSecretId")) {
            return "";
        }
        if (value instanceof Duration d) {
            return ", found " + Durations.format(d);
        }
        if (value instanceof Number n) {
            return ", found " + n;
        }
        if (value instanceof CharSequence s) {
            String hint = Texts.nonAsciiHint(s.toString());
            return ", found '" + Texts.shown(s.toString()) + "'" + (hint.isEmpty() ? "" : "; " + hint);
        }
        return "";
    }
}
