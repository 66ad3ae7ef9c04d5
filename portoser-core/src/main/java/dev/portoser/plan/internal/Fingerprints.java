package dev.portoser.plan.internal;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 fingerprints of registry content, for plans: the whole registry, and each field of the machines and
 * services a plan touches, so a stale plan can say which fields changed without storing their values.
 * Stateless and thread-safe.
 */
public final class Fingerprints {
    private static final HexFormat HEX = HexFormat.of();

    private Fingerprints() {
    }

    /** The fingerprint of the whole registry content (machines, services, groups), independent of file order. */
    public static String of(Registry registry) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(registry.machines()).forEach((n, m) -> sb.append("m:").append(n).append('=').append(canonical(m)).append('\n'));
        new TreeMap<>(registry.services()).forEach((n, s) -> sb.append("s:").append(n).append('=').append(canonical(s)).append('\n'));
        new TreeMap<>(registry.groups()).forEach((n, g) -> sb.append("g:").append(n).append('=').append(canonical(g)).append('\n'));
        return sha256(sb.toString());
    }

    /** Per-field fingerprints of a machine, by YAML-like field name, in component order. */
    public static Map<String, String> fields(Machine machine) {
        return fieldsOf(machine);
    }

    /** Per-field fingerprints of a service, by YAML-like field name, in component order. */
    public static Map<String, String> fields(Service service) {
        return fieldsOf(service);
    }

    private static Map<String, String> fieldsOf(Record record) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            fields.put(snake(c.getName()), sha256(canonical(value(c, record))).substring(0, 16));
        }
        return fields;
    }

    /** A deterministic text form of a value: records by component, maps by sorted key, durations in ISO form. */
    static String canonical(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("~");
        } else if (value instanceof Record record) {
            sb.append('{');
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                sb.append(c.getName()).append(':');
                append(sb, value(c, record));
                sb.append(',');
            }
            sb.append('}');
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            new TreeMap<>(map).forEach((k, v) -> {
                quote(sb, String.valueOf(k));
                sb.append(':');
                append(sb, v);
                sb.append(',');
            });
            sb.append('}');
        } else if (value instanceof Collection<?> list) {
            sb.append('[');
            for (Object item : list) {
                append(sb, item);
                sb.append(',');
            }
            sb.append(']');
        } else if (value instanceof String s) {
            quote(sb, s);
        } else if (value instanceof Duration || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?>) {
            sb.append(value);
        } else {
            throw new IllegalArgumentException("no canonical form for " + value.getClass());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    private static Object value(RecordComponent c, Record record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    private static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    static String sha256(String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
