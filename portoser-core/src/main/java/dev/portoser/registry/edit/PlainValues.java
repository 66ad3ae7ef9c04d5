package dev.portoser.registry.edit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The same edits as {@link YamlSplicer}, applied to plain values ({@link SpanTree#plain}): what the document must
 * mean after an edit, to compare with what it does mean once parsed again.
 */
final class PlainValues {
    private PlainValues() {
    }

    /** A copy of {@code root} with {@code value} at {@code path}; a map is merged into an existing map. */
    @SuppressWarnings("unchecked")
    static Object put(@Nullable Object root, List<String> path, Object value) {
        Map<String, Object> top = root instanceof Map<?, ?> m ? copy((Map<String, Object>) m) : new LinkedHashMap<>();
        Map<String, Object> current = top;
        for (int i = 0; i < path.size() - 1; i++) {
            Object child = current.get(path.get(i));
            Map<String, Object> next = child instanceof Map<?, ?> m ? copy((Map<String, Object>) m) : new LinkedHashMap<>();
            current.put(path.get(i), next);
            current = next;
        }
        String last = path.get(path.size() - 1);
        Object existing = current.get(last);
        current.put(last, existing instanceof Map<?, ?> m && value instanceof Map<?, ?> v && !v.isEmpty()
                ? merge((Map<String, Object>) m, (Map<String, Object>) v) : value);
        return top;
    }

    /** A copy of {@code root} without the entry at {@code path}. */
    @SuppressWarnings("unchecked")
    static @Nullable Object remove(@Nullable Object root, List<String> path) {
        if (!(root instanceof Map<?, ?> m)) {
            return root;
        }
        Map<String, Object> top = copy((Map<String, Object>) m);
        Map<String, Object> current = top;
        for (int i = 0; i < path.size() - 1; i++) {
            if (!(current.get(path.get(i)) instanceof Map<?, ?> child)) {
                return top;
            }
            Map<String, Object> next = copy((Map<String, Object>) child);
            current.put(path.get(i), next);
            current = next;
        }
        current.remove(path.get(path.size() - 1));
        return top;
    }

    /** The first path where the two differ, or null when they are equal; an empty mapping equals null. */
    static @Nullable String firstDifference(@Nullable Object expected, @Nullable Object actual, String path) {
        if (Objects.equals(expected, actual) || isEmpty(expected) && isEmpty(actual)) {
            return null;
        }
        if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            java.util.Set<Object> keys = new java.util.LinkedHashSet<>(e.keySet());
            keys.addAll(a.keySet());
            for (Object key : keys) {
                String found = firstDifference(e.get(key), a.get(key), path.isEmpty() ? key.toString() : path + "." + key);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        return path.isEmpty() ? "the document" : path;
    }

    private static boolean isEmpty(@Nullable Object value) {
        return value == null || value instanceof Map<?, ?> m && m.isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> into, Map<String, Object> from) {
        Map<String, Object> out = copy(into);
        from.forEach((k, v) -> {
            Object existing = out.get(k);
            out.put(k, existing instanceof Map<?, ?> m && v instanceof Map<?, ?> vm && !vm.isEmpty()
                    ? merge((Map<String, Object>) m, (Map<String, Object>) vm) : v);
        });
        return out;
    }

    private static Map<String, Object> copy(Map<String, Object> map) {
        return new LinkedHashMap<>(map);
    }
}
