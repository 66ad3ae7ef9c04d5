package dev.portoser.registry.internal;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value is a path that no shell or file system can misread: letters, digits, spaces and {@code ._-+@%,:=/},
 * no {@code ..} segment, no control character. Null is valid.
 */
@Documented
@Constraint(validatedBy = SafePathValidator.class)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface SafePath {
    /** Where the path may point. */
    Kind value();

    /** The message; the validator builds its own, naming what it expected. */
    String message() default "expected a safe path";

    /** Validation groups. */
    Class<?>[] groups() default {};

    /** Payload. */
    Class<? extends Payload>[] payload() default {};

    /** Where a path may point. */
    enum Kind {
        /** Must start with {@code /}. */
        ABSOLUTE("an absolute path"),
        /** Must start with {@code /} or {@code ~/} (a file on the controller, such as an SSH key). */
        ABSOLUTE_OR_HOME("an absolute path or one starting with ~/"),
        /** Absolute, or relative to the service's {@code path} and staying inside it. */
        ABSOLUTE_OR_INSIDE("an absolute path, or a relative one that stays inside the service's path");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** What the kind expects, for messages. */
        public String description() {
            return description;
        }
    }
}
