package dev.portoser.registry.edit;

import dev.portoser.registry.edit.SpanTree.Alias;
import dev.portoser.registry.edit.SpanTree.Entry;
import dev.portoser.registry.edit.SpanTree.Mapping;
import dev.portoser.registry.edit.SpanTree.Node;
import dev.portoser.registry.edit.SpanTree.Scalar;
import dev.portoser.registry.edit.SpanTree.Sequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * Edits YAML text by replacing only the characters of the nodes concerned, found through their marks, so that
 * every other character (comments, blank lines, quoting, flow or block style, line ends, anchors) stays as it
 * was. New entries follow the indentation and the style of their neighbours. Values are plain Java values:
 * {@link String}, {@link Number}, {@link Boolean}, {@link List} of those, and {@link Map} with string keys.
 * Stateless; every method returns new text.
 */
final class YamlSplicer {
    private static final Pattern PLAIN_SAFE = Pattern.compile("[A-Za-z0-9_/.~][A-Za-z0-9_/.~@%+=-]*"
            + "(?: [A-Za-z0-9_/.~@%+=-]+)*");
    private static final Pattern NULL_WORD = Pattern.compile("~|null|Null|NULL|true|false|True|False|TRUE|FALSE"
            + "|yes|no|on|off|Yes|No|On|Off|YES|NO|ON|OFF");

    private YamlSplicer() {
    }

    /**
     * Sets the value at a path, creating missing mappings; a map value is merged key by key into an existing
     * mapping.
     */
    static String put(String text, List<String> path, Object value) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            SpanTree tree = SpanTree.of(text);
            Node existing = find(tree, path);
            if (existing instanceof Mapping) {
                String result = text;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    List<String> child = new ArrayList<>(path);
                    child.add((String) e.getKey());
                    result = put(result, child, e.getValue());
                }
                return result;
            }
        }
        return new Edit(text).put(path, value);
    }

    /** Removes the entry at a path; nothing happens when it is absent. */
    static String remove(String text, List<String> path) {
        return new Edit(text).remove(path);
    }

    /** The node at a path through explicit keys, or null. */
    static @Nullable Node find(SpanTree tree, List<String> path) {
        Node node = tree.root;
        for (String key : path) {
            if (node instanceof Alias a) {
                node = a.target();
            }
            if (!(node instanceof Mapping m)) {
                return null;
            }
            Entry e = m.entry(key);
            if (e == null) {
                return null;
            }
            node = e.value();
        }
        return node;
    }

    /** One edit on one text. */
    private static final class Edit {
        private final String text;
        private final SpanTree tree;
        private final String nl;
        private final int step;

        Edit(String text) {
            this.text = text;
            this.tree = SpanTree.of(text);
            this.nl = text.contains("\r\n") ? "\r\n" : "\n";
            this.step = indentStep();
        }

        String put(List<String> path, Object value) {
            if (tree.root == null || tree.root instanceof Scalar s && s.isNull()) {
                String prefix = text.isEmpty() || text.endsWith("\n") ? text : text + nl;
                return prefix + path.get(0) + ":" + blockValue(nest(path, 1, value), 0, false) + nl;
            }
            if (!(tree.root instanceof Mapping root)) {
                throw new RegistryEditException("the registry's top level is not a mapping");
            }
            Mapping current = root;
            for (int i = 0; i < path.size(); i++) {
                guardAnchor(current, path.subList(0, i));
                String key = path.get(i);
                Entry entry = current.entry(key);
                boolean last = i == path.size() - 1;
                if (entry == null) {
                    return insert(current, key, last ? value : nest(path, i + 1, value));
                }
                Node v = entry.value();
                if (v instanceof Alias alias) {
                    throw throughAlias(path.subList(0, i + 1), alias);
                }
                if (last) {
                    guardAnchor(v, path);
                    return replace(current, entry, value);
                }
                if (v instanceof Mapping m) {
                    current = m;
                } else if (v instanceof Scalar s && s.isNull()) {
                    return replace(current, entry, nest(path, i + 1, value));
                } else {
                    throw new RegistryEditException("'" + String.join(".", path.subList(0, i + 1))
                            + "' is a single value at line " + tree.lineOf(v.start()) + ", not a mapping");
                }
            }
            throw new IllegalArgumentException("empty path");
        }

        String remove(List<String> path) {
            if (!(tree.root instanceof Mapping current)) {
                return text;
            }
            for (int i = 0; i < path.size() - 1; i++) {
                guardAnchor(current, path.subList(0, i));
                Entry entry = current.entry(path.get(i));
                if (entry == null) {
                    return text;
                }
                if (entry.value() instanceof Alias alias) {
                    throw throughAlias(path.subList(0, i + 1), alias);
                }
                if (!(entry.value() instanceof Mapping m)) {
                    return text;
                }
                current = m;
            }
            guardAnchor(current, path.subList(0, path.size() - 1));
            String key = path.get(path.size() - 1);
            Entry entry = current.entry(key);
            if (entry == null) {
                if (current.hasMerge()) {
                    Object merged = SpanTree.plain(current) instanceof Map<?, ?> m ? m.get(key) : null;
                    if (merged != null) {
                        throw new RegistryEditException("'" + String.join(".", path) + "' comes from a merge key "
                                + "('<<') at line " + tree.lineOf(current.start()) + "; removing it here would "
                                + "change the shared settings; edit them in the file directly");
                    }
                }
                return text;
            }
            guardAnchor(entry.value(), path);
            guardAnchorsInside(entry, path);
            int from;
            int to;
            if (current.flow()) {
                List<Entry> entries = current.entries();
                int index = entries.indexOf(entry);
                if (entries.size() == 1) {
                    from = entry.key().start();
                    to = tree.contentEnd(entry.value());
                } else if (index < entries.size() - 1) {
                    from = entry.key().start();
                    to = entries.get(index + 1).key().start();
                } else {
                    from = tree.contentEnd(entries.get(index - 1).value());
                    to = tree.contentEnd(entry.value());
                }
            } else {
                from = lineStart(entry.key().start());
                if (!text.substring(from, entry.key().start()).isBlank()) {
                    throw new RegistryEditException("cannot remove '" + String.join(".", path) + "': its line "
                            + tree.lineOf(from) + " holds more than the entry");
                }
                from = withCommentsAbove(from, entry.key().start() - from);
                to = lineEndIncluding(end(current, entry));
                // One blank line separates entries: take the one above along when one below remains.
                boolean lastEntry = current.entries().get(current.entries().size() - 1) == entry;
                if (from > 0 && text.substring(lineStart(from - 1), from).isBlank()
                        && (lastEntry || to < text.length() && text.substring(to, lineEndIncluding(to)).isBlank())) {
                    from = lineStart(from - 1);
                }
            }
            return text.substring(0, from) + text.substring(to);
        }

        /** The end of an entry's content within its mapping. */
        private int end(Mapping mapping, Entry entry) {
            if (entry.value() instanceof Scalar s && s.start() >= s.end()) {
                return colonEnd(entry);
            }
            return tree.contentEnd(entry.value());
        }

        /** Moves {@code from} up over the comment lines directly above, indented as the entry is. */
        private int withCommentsAbove(int from, int indent) {
            int start = from;
            while (start > 0) {
                int previous = lineStart(start - 1);
                String line = stripLineEnd(text.substring(previous, start));
                if (line.length() > indent && line.substring(0, indent).isBlank() && line.charAt(indent) == '#') {
                    start = previous;
                } else {
                    break;
                }
            }
            return start;
        }

        private String insert(Mapping mapping, String key, Object value) {
            boolean flowSiblings = siblingsAreFlow(mapping);
            if (mapping.flow()) {
                String entry = key(key) + ": " + flowValue(value, null);
                if (mapping.entries().isEmpty()) {
                    int close = text.lastIndexOf('}', mapping.end() - 1);
                    return splice(close, close, entry);
                }
                int at = tree.contentEnd(mapping.entries().get(mapping.entries().size() - 1).value());
                return splice(at, at, ", " + entry);
            }
            Entry first = mapping.entries().isEmpty() ? null : mapping.entries().get(0);
            int indent = first == null ? 0 : first.key().start() - lineStart(first.key().start());
            int at = lineEndIncluding(tree.contentEnd(mapping));
            String line = " ".repeat(indent) + key(key) + ":" + blockValue(value, indent, flowSiblings) + nl;
            if (at == text.length() && !text.isEmpty() && !text.endsWith("\n")) {
                line = nl + line;
            }
            if (separatedByBlankLines(mapping)) {
                line = nl + line;
            }
            return splice(at, at, line);
        }

        /** Whether the entries of a block mapping of mappings are separated by blank lines (then so is a new one). */
        private boolean separatedByBlankLines(Mapping mapping) {
            List<Entry> entries = mapping.entries();
            if (entries.size() < 2 || !(entries.get(0).value() instanceof Mapping)) {
                return false;
            }
            Entry second = entries.get(1);
            int indent = column(second.key().start());
            int start = withCommentsAbove(lineStart(second.key().start()), indent);
            if (start == 0) {
                return false;
            }
            return text.substring(lineStart(start - 1), start).isBlank();
        }

        /** Whether the mappings next to a new one are written in flow style ({@code m1: {host: h}}). */
        private boolean siblingsAreFlow(Mapping mapping) {
            for (Entry e : mapping.entries()) {
                if (e.value() instanceof Mapping m) {
                    return m.flow();
                }
            }
            return false;
        }

        private String replace(Mapping mapping, Entry entry, Object value) {
            Node v = entry.value();
            int keyIndent = entry.key().start() - lineStart(entry.key().start());
            if (value instanceof List<?> list) {
                if (v instanceof Sequence seq && seq.flow()) {
                    return splice(seq.start(), seq.end(), flowList(list, styleOfItems(seq)));
                }
                if (v instanceof Sequence seq && !seq.items().isEmpty()
                        && seq.items().stream().allMatch(i -> i instanceof Scalar)) {
                    return replaceBlockItems(mapping, entry, seq, list);
                }
                return replaceValue(mapping, entry, " " + flowList(list, null));
            }
            if (value instanceof Map<?, ?> map) {
                if (mapping.flow()) {
                    return replaceValue(mapping, entry, " " + flowValue(map, null));
                }
                return replaceValue(mapping, entry, blockValue(map, keyIndent, siblingsAreFlow(mapping)));
            }
            if (v instanceof Scalar s && s.start() < s.end()) {
                return splice(valueStart(s), tree.contentEnd(s), scalar(value, s.isNull() ? null : s.style()));
            }
            return replaceValue(mapping, entry, " " + scalar(value, null));
        }

        /** Replaces a whole value, from just after the key's colon to the end of the value's content. */
        private String replaceValue(Mapping mapping, Entry entry, String replacement) {
            Node v = entry.value();
            int from = colonEnd(entry);
            int to;
            if (v instanceof Scalar s && s.start() >= s.end()) {
                to = from;
            } else if (v instanceof Mapping m && !m.flow() || v instanceof Sequence q && !q.flow()) {
                to = lineEndExcluding(tree.contentEnd(v));
            } else {
                to = tree.contentEnd(v);
            }
            return splice(from, to, replacement);
        }

        /** A block list of scalars: lines of kept items stay byte for byte, new items get lines like theirs. */
        private String replaceBlockItems(Mapping mapping, Entry entry, Sequence seq, List<?> values) {
            if (values.isEmpty()) {
                return replaceValue(mapping, entry, " []");
            }
            List<Scalar> items = seq.items().stream().map(Scalar.class::cast).collect(Collectors.toList());
            Scalar firstItem = items.get(0);
            String prefix = text.substring(lineStart(firstItem.start()), firstItem.start());
            List<Scalar> unused = new ArrayList<>(items);
            StringBuilder out = new StringBuilder();
            for (Object value : values) {
                String wanted = plainOf(value).toString();
                Scalar reuse = unused.stream().filter(i -> !i.isNull() && i.value().equals(wanted)).findFirst()
                        .orElse(null);
                if (reuse != null && lineStart(reuse.start()) + prefix.length() == reuse.start()) {
                    unused.remove(reuse);
                    out.append(text, lineStart(reuse.start()), lineEndIncluding(tree.contentEnd(reuse)));
                } else {
                    out.append(prefix).append(scalar(value, firstItem.style())).append(nl);
                }
            }
            int from = lineStart(firstItem.start());
            int to = lineEndIncluding(tree.contentEnd(items.get(items.size() - 1)));
            String replacement = out.toString();
            if (to == text.length() && !text.endsWith("\n")) {
                replacement = replacement.substring(0, replacement.length() - nl.length());
            }
            return splice(from, to, replacement);
        }

        private void guardAnchor(Node node, List<String> path) {
            if (node.anchor() == null) {
                return;
            }
            List<Alias> users = tree.aliasesOf(node);
            if (!users.isEmpty()) {
                throw new RegistryEditException("'" + (path.isEmpty() ? "the document" : String.join(".", path))
                        + "' carries the anchor &" + node.anchor() + " (line " + tree.lineOf(node.start())
                        + ") that is also used at " + places(users) + "; this edit would change them too; "
                        + "edit the shared settings in the file directly");
            }
        }

        private void guardAnchorsInside(Entry entry, List<String> path) {
            int from = entry.key().start();
            int to = tree.contentEnd(entry.value());
            for (Alias alias : tree.aliases) {
                Node target = alias.target();
                boolean defined = target != null && target.start() >= from && target.start() < to;
                boolean outside = alias.start() < from || alias.start() >= to;
                if (defined && outside) {
                    throw new RegistryEditException("cannot remove '" + String.join(".", path) + "': it defines "
                            + "the anchor &" + alias.name() + " used at " + places(List.of(alias)));
                }
            }
        }

        private RegistryEditException throughAlias(List<String> path, Alias alias) {
            Node target = alias.target();
            List<Alias> users = tree.aliasesOf(target);
            return new RegistryEditException("'" + String.join(".", path) + "' is the alias *" + alias.name()
                    + " of the anchor at line " + tree.lineOf(target.start()) + ", shared by " + places(users)
                    + "; an edit through it would change all of them; edit the anchor in the file directly, or "
                    + "replace the alias by its own value first");
        }

        private String places(List<Alias> aliases) {
            return aliases.stream().map(a -> (a.path().isEmpty() ? "the top level" : a.path()) + " (line "
                    + tree.lineOf(a.start()) + ")").collect(Collectors.joining(", "));
        }

        /** The start of a scalar's own text, after any anchor ({@code &a}) or tag ({@code !t}). */
        private int valueStart(Scalar s) {
            int i = s.start();
            while (i < s.end() && (text.charAt(i) == '&' || text.charAt(i) == '!')) {
                while (i < s.end() && !Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                while (i < s.end() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
            return i;
        }

        private int colonEnd(Entry entry) {
            int i = entry.key().end();
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i >= text.length() || text.charAt(i) != ':') {
                throw new RegistryEditException("cannot find the ':' after the key '" + entry.key().value()
                        + "' at line " + tree.lineOf(entry.key().start()));
            }
            return i + 1;
        }

        private String splice(int from, int to, String replacement) {
            return text.substring(0, from) + replacement + text.substring(to);
        }

        private int lineStart(int offset) {
            return text.lastIndexOf('\n', offset - 1) + 1;
        }

        private int lineEndIncluding(int offset) {
            int nlAt = text.indexOf('\n', offset);
            return nlAt < 0 ? text.length() : nlAt + 1;
        }

        private int lineEndExcluding(int offset) {
            int nlAt = text.indexOf('\n', offset);
            if (nlAt < 0) {
                return text.length();
            }
            return nlAt > 0 && text.charAt(nlAt - 1) == '\r' ? nlAt - 1 : nlAt;
        }

        private static String stripLineEnd(String line) {
            return line.replaceAll("[\r\n]+$", "");
        }

        /** The indentation step of the file: how much deeper a block mapping's entries sit than its key. */
        private int indentStep() {
            if (tree.root instanceof Mapping root) {
                for (Entry section : root.entries()) {
                    if (section.value() instanceof Mapping m && !m.flow() && !m.entries().isEmpty()) {
                        Entry child = m.entries().get(0);
                        int d = column(child.key().start()) - column(section.key().start());
                        if (d > 0) {
                            return d;
                        }
                    }
                }
            }
            return 2;
        }

        private int column(int offset) {
            return offset - lineStart(offset);
        }

        private String blockValue(Object value, int indent, boolean flowMaps) {
            if (value instanceof Map<?, ?> map) {
                if (map.isEmpty()) {
                    return " {}";
                }
                if (flowMaps) {
                    return " " + flowValue(map, null);
                }
                StringBuilder out = new StringBuilder();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(nl).append(" ".repeat(indent + step)).append(key((String) e.getKey())).append(':')
                            .append(blockValue(e.getValue(), indent + step, false));
                }
                return out.toString();
            }
            if (value instanceof List<?> list) {
                return " " + flowList(list, null);
            }
            return " " + scalar(value, null);
        }

        private String flowValue(Object value, @Nullable ScalarStyle style) {
            if (value instanceof Map<?, ?> map) {
                return map.entrySet().stream().map(e -> key((String) e.getKey()) + ": " + flowValue(e.getValue(), null))
                        .collect(Collectors.joining(", ", "{", "}"));
            }
            if (value instanceof List<?> list) {
                return flowList(list, style);
            }
            return scalar(value, style);
        }

        private String flowList(List<?> list, @Nullable ScalarStyle style) {
            return list.stream().map(v -> flowValue(v, style)).collect(Collectors.joining(", ", "[", "]"));
        }

        private static @Nullable ScalarStyle styleOfItems(Sequence seq) {
            return seq.items().isEmpty() || !(seq.items().get(0) instanceof Scalar s) ? null : s.style();
        }
    }

    /** Wraps the value in mappings for the path's keys from {@code from} on: a.b + v = {a: {b: v}}. */
    private static Object nest(List<String> path, int from, Object value) {
        Object result = value;
        for (int i = path.size() - 1; i >= from; i--) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put(path.get(i), result);
            result = map;
        }
        return result;
    }

    /** A key as YAML: plain when safe, double-quoted otherwise. */
    static String key(String key) {
        return PLAIN_SAFE.matcher(key).matches() && !key.contains(" ") && !NULL_WORD.matcher(key).matches()
                ? key : doubleQuoted(key);
    }

    /**
     * A scalar as YAML in the style of the one it replaces: quoted the same way, plain only when the text
     * reads back as the same string.
     */
    static String scalar(Object value, @Nullable ScalarStyle style) {
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        String s = value.toString();
        if (style == ScalarStyle.DOUBLE_QUOTED) {
            return doubleQuoted(s);
        }
        if (style == ScalarStyle.SINGLE_QUOTED && s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            return "'" + s.replace("'", "''") + "'";
        }
        if (PLAIN_SAFE.matcher(s).matches() && !NULL_WORD.matcher(s).matches()) {
            return s;
        }
        return doubleQuoted(s);
    }

    static String doubleQuoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The plain value the loader's tree will hold for a Java value (see {@link SpanTree#plain}). */
    static Object plainOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, plainOf(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(plainOf(v)));
            return out;
        }
        return value.toString();
    }
}
