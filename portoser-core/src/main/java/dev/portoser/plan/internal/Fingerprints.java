package dev.portoser.plan.internal;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fingerprints of registry content, for plans: SHA-256 of the whole registry, and a 64-bit hash of each field
 * of each machine and service, so a stale plan can say which fields changed without storing their values.
 * Stateless and thread-safe.
 */
public final class Fingerprints {
    private static final HexFormat HEX = HexFormat.of();

    /** Record accessors, looked up once per class: reflection on records is slow to set up. */
    private static final ClassValue<Accessors> ACCESSORS = new ClassValue<>() {
        @Override
        protected Accessors computeValue(Class<?> type) {
            return new Accessors(type.getRecordComponents());
        }
    };

    private Fingerprints() {
    }

    /**
     * Per-field fingerprints of every machine and service, keyed {@code machines.NAME} and {@code services.NAME}.
     *
     * @param registry the registry
     * @return the fingerprints, sorted by key
     */
    public static Map<String, Map<String, String>> fieldsOfAll(Registry registry) {
        Map<String, Map<String, String>> all = new TreeMap<>();
        registry.machines().forEach((n, m) -> all.put("machines." + n, fields(m)));
        registry.services().forEach((n, s) -> all.put("services." + n, fields(s)));
        return all;
    }

    /**
     * The fingerprint of the whole registry content, independent of file order: SHA-256 over every field
     * fingerprint and every group.
     *
     * @param registry the registry
     * @param fields its field fingerprints, as {@link #fieldsOfAll(Registry)} gives them
     * @return 64 hex digits
     */
    public static String of(Registry registry, Map<String, Map<String, String>> fields) {
        MessageDigest digest = sha256();
        StringBuilder line = new StringBuilder(256);
        String[] machineFields = ACCESSORS.get(Machine.class).sortedFieldNames;
        String[] serviceFields = ACCESSORS.get(Service.class).sortedFieldNames;
        Map<String, Map<String, String>> sorted = fields instanceof java.util.SortedMap ? fields : new TreeMap<>(fields);
        sorted.forEach((key, prints) -> {
            line.setLength(0);
            line.append(key).append('\n');
            for (String field : key.startsWith("machines.") ? machineFields : serviceFields) {
                line.append(prints.get(field)); // fixed order per kind, so the names need not be hashed
            }
            digest.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        });
        new TreeMap<>(registry.groups()).forEach((n, g) -> digest.update(
                ("groups." + n + '=' + canonical(g) + '\n').getBytes(StandardCharsets.UTF_8)));
        return HEX.formatHex(digest.digest());
    }

    /** Per-field fingerprints of a machine, by YAML-like field name (an immutable map, in no particular order). */
    public static Map<String, String> fields(Machine machine) {
        return fieldsOf(machine);
    }

    /** Per-field fingerprints of a service, by YAML-like field name (an immutable map, in no particular order). */
    public static Map<String, String> fields(Service service) {
        return fieldsOf(service);
    }

    private static Map<String, String> fieldsOf(Record record) {
        Accessors accessors = ACCESSORS.get(record.getClass());
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < accessors.methods.length; i++) {
            fields.put(accessors.fieldNames[i], fnv64(canonical(accessors.value(i, record))));
        }
        return Map.copyOf(fields);
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
            Accessors accessors = ACCESSORS.get(record.getClass());
            sb.append('{');
            for (int i = 0; i < accessors.methods.length; i++) {
                sb.append(accessors.names[i]).append(':');
                append(sb, accessors.value(i, record));
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

    /** 64-bit FNV-1a as 16 hex digits: a change detector for one field, not a security measure. */
    static String fnv64(String text) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            hash = (hash ^ (c & 0xff)) * 0x100000001b3L;
            hash = (hash ^ (c >>> 8)) * 0x100000001b3L;
        }
        return HEX.toHexDigits(hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The accessors and names of one record class. */
    private static final class Accessors {
        final Method[] methods;
        final String[] names;
        final String[] fieldNames;
        final String[] sortedFieldNames;

        Accessors(RecordComponent[] components) {
            methods = new Method[components.length];
            names = new String[components.length];
            fieldNames = new String[components.length];
            for (int i = 0; i < components.length; i++) {
                methods[i] = components[i].getAccessor();
                names[i] = components[i].getName();
                fieldNames[i] = names[i].replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
            }
            sortedFieldNames = fieldNames.clone();
            java.util.Arrays.sort(sortedFieldNames);
        }

        Object value(int i, Record record) {
            try {
                return methods[i].invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + names[i], e);
            }
        }
    }
}
