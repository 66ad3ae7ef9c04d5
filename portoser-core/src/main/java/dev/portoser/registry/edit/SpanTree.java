package dev.portoser.registry.edit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;

/**
 * A YAML document as nodes that know their exact character span in the text, their style and their anchors:
 * what the editor needs to replace the bytes of one node and leave every other byte alone. Built from SnakeYAML
 * Engine's events and marks. Only for text the loader has already accepted; single document. Immutable.
 */
final class SpanTree {
    static final String MERGE_KEY = "<<";

    /** A node and the character range {@code [start, end)} of its text (block collections: see contentEnd). */
    sealed interface Node permits Scalar, Mapping, Sequence, Alias {
        int start();

        int end();

        /** The anchor this node defines ({@code &name}), or null. */
        @Nullable String anchor();

        /** The path of the node in the document, for messages: {@code services.web.health}. */
        String path();
    }

    /** A scalar; {@code start..end} is its text, quotes included. */
    record Scalar(String value, ScalarStyle style, int start, int end, @Nullable String anchor, String path)
            implements Node {
        boolean isNull() {
            return style == ScalarStyle.PLAIN && (value.isEmpty() || value.equals("~") || value.equalsIgnoreCase("null"));
        }
    }

    /** A mapping entry; merge entries ({@code <<}) are kept with {@code merge} set. */
    record Entry(Scalar key, Node value, boolean merge) {
    }

    /** A mapping in file order. */
    record Mapping(List<Entry> entries, boolean flow, int start, int end, @Nullable String anchor, String path)
            implements Node {
        @Nullable Entry entry(String key) {
            for (Entry e : entries) {
                if (!e.merge() && e.key().value().equals(key)) {
                    return e;
                }
            }
            return null;
        }

        boolean hasMerge() {
            return entries.stream().anyMatch(Entry::merge);
        }
    }

    /** A sequence in file order. */
    record Sequence(List<Node> items, boolean flow, int start, int end, @Nullable String anchor, String path)
            implements Node {
    }

    /** An alias ({@code *name}) and the node it stands for. */
    record Alias(String name, Node target, int start, int end, String path) implements Node {
        @Override
        public @Nullable String anchor() {
            return null;
        }
    }

    final String text;
    final @Nullable Node root;
    /** Every alias in the document, in file order. */
    final List<Alias> aliases;

    private SpanTree(String text, @Nullable Node root, List<Alias> aliases) {
        this.text = text;
        this.root = root;
        this.aliases = List.copyOf(aliases);
    }

    /**
     * Composes the text; syntax errors surface as SnakeYAML's exceptions (the loader reports them first).
     *
     * @param text YAML without a byte order mark
     * @return the tree
     */
    static SpanTree of(String text) {
        LoadSettings settings = LoadSettings.builder().setUseMarks(true)
                .setCodePointLimit(Math.max(text.length() + 1, 1)).build();
        Composer composer = new Composer(text, new Parse(settings).parseString(text).iterator());
        Node root = composer.document();
        return new SpanTree(text, root, composer.aliases);
    }

    /** The aliases that stand for this node. */
    List<Alias> aliasesOf(Node node) {
        List<Alias> found = new ArrayList<>();
        for (Alias a : aliases) {
            if (a.target() == node) {
                found.add(a);
            }
        }
        return found;
    }

    /** 1-based line of a character offset. */
    int lineOf(int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The offset just after the last character of the node's own content: for block collections, the end of
     * their last descendant (SnakeYAML's end mark of a block collection lies at the next token, after comments).
     */
    int contentEnd(Node node) {
        if (node instanceof Scalar) {
            int end = node.end();
            while (end > node.start() && Character.isWhitespace(text.charAt(end - 1))) {
                end--;
            }
            return end;
        }
        if (node instanceof Mapping m && !m.flow()) {
            int end = m.start();
            for (Entry e : m.entries()) {
                boolean empty = e.value() instanceof Scalar v && v.start() >= v.end();
                end = Math.max(end, empty ? e.key().end() : Math.max(e.key().end(), contentEnd(e.value())));
            }
            return end;
        }
        if (node instanceof Sequence s && !s.flow()) {
            int end = s.start();
            for (Node item : s.items()) {
                end = Math.max(end, contentEnd(item));
            }
            return end;
        }
        return node.end();
    }

    /**
     * The document as plain values: mappings (merge keys applied, explicit keys winning), lists, and scalar text
     * ({@code null} for YAML's null). Two documents that mean the same have equal plain values.
     */
    static @Nullable Object plain(@Nullable Node node) {
        if (node == null) {
            return null;
        }
        if (node instanceof Alias a) {
            return plain(a.target());
        }
        if (node instanceof Scalar s) {
            return s.isNull() ? null : s.value();
        }
        if (node instanceof Sequence s) {
            List<Object> items = new ArrayList<>();
            s.items().forEach(i -> items.add(plain(i)));
            return items;
        }
        Mapping m = (Mapping) node;
        Map<String, Object> map = new LinkedHashMap<>();
        List<Node> merges = new ArrayList<>();
        for (Entry e : m.entries()) {
            if (e.merge()) {
                merges.add(e.value());
            } else {
                map.put(e.key().value(), plain(e.value()));
            }
        }
        for (Node merge : merges) {
            mergeInto(map, merge);
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    private static void mergeInto(Map<String, Object> map, Node merge) {
        Object value = plain(merge);
        if (value instanceof Map<?, ?> source) {
            ((Map<String, Object>) source).forEach(map::putIfAbsent);
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> source) {
                    ((Map<String, Object>) source).forEach(map::putIfAbsent);
                }
            }
        }
    }

    /** Builds the nodes from the events, converting code-point marks to character offsets. */
    private static final class Composer {
        private final String text;
        private final Iterator<Event> events;
        private final int[] charOfCodePoint;
        private final Map<String, Node> anchors = new HashMap<>();
        final List<Alias> aliases = new ArrayList<>();

        Composer(String text, Iterator<Event> events) {
            this.text = text;
            this.events = events;
            this.charOfCodePoint = text.codePointCount(0, text.length()) == text.length() ? null : codePointTable(text);
        }

        private static int[] codePointTable(String text) {
            int count = text.codePointCount(0, text.length());
            int[] table = new int[count + 1];
            int c = 0;
            for (int i = 0; i < count; i++) {
                table[i] = c;
                c += Character.charCount(text.codePointAt(c));
            }
            table[count] = c;
            return table;
        }

        @Nullable Node document() {
            events.next(); // stream start
            Event next = events.next();
            if (next.getEventId() == Event.ID.StreamEnd) {
                return null;
            }
            Node root = node(events.next(), "");
            events.next(); // document end
            return root;
        }

        private int offset(Optional<Mark> mark) {
            int index = mark.map(Mark::getIndex).orElse(0);
            return charOfCodePoint == null ? Math.min(index, text.length()) : charOfCodePoint[Math.min(index,
                    charOfCodePoint.length - 1)];
        }

        private static String child(String path, String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        private Node node(Event event, String path) {
            int start = offset(event.getStartMark());
            @Nullable String anchor = event instanceof NodeEvent ne
                    ? ne.getAnchor().map(a -> a.getValue()).orElse(null) : null;
            switch (event.getEventId()) {
                case Alias -> {
                    String name = ((AliasEvent) event).getAlias().getValue();
                    Alias alias = new Alias(name, anchors.get(name), start, offset(event.getEndMark()), path);
                    aliases.add(alias);
                    return alias;
                }
                case Scalar -> {
                    ScalarEvent s = (ScalarEvent) event;
                    Scalar node = new Scalar(s.getValue(), s.getScalarStyle(), start, offset(event.getEndMark()),
                            anchor, path);
                    remember(anchor, node);
                    return node;
                }
                case SequenceStart -> {
                    boolean flow = ((CollectionStartEvent) event).getFlowStyle() == FlowStyle.FLOW;
                    List<Node> items = new ArrayList<>();
                    Event next;
                    while ((next = events.next()).getEventId() != Event.ID.SequenceEnd) {
                        items.add(node(next, path + "[" + items.size() + "]"));
                    }
                    Sequence node = new Sequence(items, flow, start, offset(next.getEndMark()), anchor, path);
                    remember(anchor, node);
                    return node;
                }
                case MappingStart -> {
                    boolean flow = ((CollectionStartEvent) event).getFlowStyle() == FlowStyle.FLOW;
                    List<Entry> entries = new ArrayList<>();
                    Event next;
                    while ((next = events.next()).getEventId() != Event.ID.MappingEnd) {
                        Node key = node(next, path);
                        if (!(key instanceof Scalar scalarKey)) {
                            throw new IllegalStateException("a key that is not a scalar at " + path);
                        }
                        boolean merge = scalarKey.style() == ScalarStyle.PLAIN && scalarKey.value().equals(MERGE_KEY);
                        Node value = node(events.next(), merge ? path : child(path, scalarKey.value()));
                        entries.add(new Entry(scalarKey, value, merge));
                    }
                    Mapping node = new Mapping(entries, flow, start, offset(next.getEndMark()), anchor, path);
                    remember(anchor, node);
                    return node;
                }
                default -> throw new IllegalStateException("unexpected YAML event " + event.getEventId());
            }
        }

        private void remember(@Nullable String anchor, Node node) {
            if (anchor != null) {
                anchors.put(anchor, node);
            }
        }
    }
}
