package dev.portoser.registry.internal;

import java.util.List;
import java.util.Map;

/**
 * A YAML node with its position: the small tree that {@link YamlComposer} builds, so that every value the binder
 * reads still knows its line and column.
 */
public sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Mapping, YamlNode.Sequence {

    /** 1-based line of the node's first character. */
    int line();

    /** 1-based column of the node's first character. */
    int column();

    /** A short description of the node's kind for messages: "a mapping", "a list", "a value". */
    String kind();

    /**
     * A scalar.
     *
     * @param value the text, as the YAML parser resolved it
     * @param plain whether it was written without quotes (so {@code null}, {@code ~} and empty mean "no value")
     * @param line 1-based line
     * @param column 1-based column
     */
    record Scalar(String value, boolean plain, int line, int column) implements YamlNode {
        /** Whether this is YAML's null: a plain {@code null}, {@code Null}, {@code NULL}, {@code ~} or nothing. */
        public boolean isNull() {
            return plain && (value.isEmpty() || value.equals("~") || value.equals("null") || value.equals("Null")
                    || value.equals("NULL"));
        }

        @Override
        public String kind() {
            return "a value";
        }
    }

    /**
     * A key of a mapping and its value.
     *
     * @param key the key scalar, with its position
     * @param value the value
     */
    record Entry(Scalar key, YamlNode value) {
    }

    /**
     * A mapping with string keys, in file order.
     *
     * @param entries the entries by key text
     * @param line 1-based line
     * @param column 1-based column
     */
    record Mapping(Map<String, Entry> entries, int line, int column) implements YamlNode {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /**
     * A sequence.
     *
     * @param items the items in order
     * @param line 1-based line
     * @param column 1-based column
     */
    record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }
}
