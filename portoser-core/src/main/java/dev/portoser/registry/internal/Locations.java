package dev.portoser.registry.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where each bound value came from, keyed by its model path (Java names, such as
 * {@code services.web.dependsOn[1]}; map keys in brackets, such as {@code services.web.env[PORT]}), so that
 * checks made after binding can point at the YAML.
 * Not thread-safe.
 */
public final class Locations {
    /**
     * A position in the source and the path its author would recognise.
     *
     * @param line 1-based line, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     * @param yamlPath the path in YAML keys, such as {@code services.web.depends_on[1]}
     */
    public record Position(int line, int column, String yamlPath) {
    }

    private final Map<String, Position> positions = new HashMap<>();
    private final Set<String> reported = new HashSet<>();

    /**
     * Records where the value at a model path is.
     *
     * @param modelPath the path in model names, such as {@code services.web.dependsOn[1]}
     * @param yamlPath the same path in YAML keys, such as {@code services.web.depends_on[1]}
     * @param node the node the value came from
     */
    public void put(String modelPath, String yamlPath, YamlNode node) {
        positions.put(modelPath, new Position(node.line(), node.column(), yamlPath));
    }

    /**
     * The position of {@code modelPath}, or of its nearest recorded parent (the mapping a missing field belongs
     * in); the YAML path always names {@code modelPath} itself.
     */
    public Position find(String modelPath) {
        String p = modelPath;
        while (true) {
            Position found = positions.get(p);
            if (found != null) {
                String suffix = modelPath.substring(p.length());
                return suffix.isEmpty() ? found
                        : new Position(found.line(), found.column(), found.yamlPath() + yamlSuffix(suffix));
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return new Position(0, 0, yamlSuffix(modelPath));
            }
            p = p.substring(0, cut);
        }
    }

    /** Notes that a problem was already reported for {@code path}, so later checks do not report it twice. */
    public void markReported(String path) {
        reported.add(path);
    }

    /** Whether a problem was already reported for {@code path} or one of its parents. */
    public boolean isReported(String path) {
        String p = path;
        while (true) {
            if (reported.contains(p)) {
                return true;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return false;
            }
            p = p.substring(0, cut);
        }
    }

    /** Turns model names in a path suffix such as {@code .health.expectedStatus} into YAML keys. */
    static String yamlSuffix(String suffix) {
        StringBuilder out = new StringBuilder(suffix.length() + 8);
        int i = 0;
        while (i < suffix.length()) {
            char c = suffix.charAt(i);
            if (c == '[') {
                int close = suffix.indexOf(']', i);
                int end = close < 0 ? suffix.length() : close + 1;
                out.append(suffix, i, end);
                i = end;
            } else {
                int end = i;
                while (end < suffix.length() && suffix.charAt(end) != '[' && (end == i || suffix.charAt(end) != '.')) {
                    end++;
                }
                String segment = suffix.substring(i, end);
                out.append(segment.startsWith(".") ? "." + yamlKey(segment.substring(1)) : yamlKey(segment));
                i = end;
            }
        }
        return out.toString();
    }

    private static String yamlKey(String name) {
        if (name.equals("sshPort")) {
            return "port";
        }
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
