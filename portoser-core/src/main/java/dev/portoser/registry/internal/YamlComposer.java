package dev.portoser.registry.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Builds a {@link YamlNode} tree from SnakeYAML Engine's event stream, enforcing the loader's limits as it goes.
 *
 * <p>Composing ourselves (rather than with SnakeYAML's composer) lets us reject duplicate keys with both
 * positions, stop at a nesting depth before the stack is at risk, count every alias so an alias bomb fails at
 * once, and keep only what the binder needs. Aliases share the node they point to; nothing is copied, so
 * memory stays proportional to the text. Merge keys ({@code <<: *defaults}) are supported; explicit keys win.
 * Instances are single-use and not thread-safe.
 */
public final class YamlComposer {
    private static final String MERGE_KEY = "<<";

    private final int maxDepth;
    private final int maxAliases;
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private int aliases;
    private int lastLine = 1;
    private int lastColumn = 1;
    private Iterator<Event> events = List.<Event>of().iterator();

    /**
     * Creates a composer.
     *
     * @param maxDepth deepest nesting of mappings and lists allowed
     * @param maxAliases most aliases ({@code *name}) allowed in one document
     */
    public YamlComposer(int maxDepth, int maxAliases) {
        this.maxDepth = maxDepth;
        this.maxAliases = maxAliases;
    }

    /**
     * Parses {@code text} and composes its single document.
     *
     * @param text the YAML text; must not be null
     * @param label the name used in SnakeYAML's own messages
     * @return the root node, or empty when the text holds no document
     * @throws YamlSyntaxException when the text is not YAML, holds more than one document, or breaks a limit
     */
    public Optional<YamlNode> compose(String text, String label) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(label)
                .setUseMarks(true)
                .setCodePointLimit(Math.max(text.length() + 1, 1))
                .setBufferSize(bufferSize(text))
                .build();
        try {
            events = new Parse(settings).parseString(text).iterator();
            expect(Event.ID.StreamStart);
            Event next = next();
            if (next.getEventId() == Event.ID.StreamEnd) {
                return Optional.empty();
            }
            if (next.getEventId() != Event.ID.DocumentStart) {
                throw new YamlSyntaxException(line(next), column(next), "expected the start of a document");
            }
            YamlNode root = node(next(), 0);
            expect(Event.ID.DocumentEnd);
            Event after = next();
            if (after.getEventId() != Event.ID.StreamEnd) {
                throw new YamlSyntaxException(line(after), column(after),
                        "expected one YAML document, found a second one ('---')");
            }
            return Optional.of(root);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
            String what = e.getProblem() == null ? "not valid YAML" : inWords(e.getProblem());
            String context = e.getContext() == null ? "" : " (" + inWords(e.getContext()) + ")";
            throw new YamlSyntaxException(mark.map(m -> m.getLine() + 1).orElse(0),
                    mark.map(m -> m.getColumn() + 1).orElse(0), "invalid YAML: " + what + context);
        } catch (YamlEngineException e) {
            throw new YamlSyntaxException(0, 0, "invalid YAML: " + inWords(String.valueOf(e.getMessage())));
        } catch (YamlSyntaxException e) {
            throw e;
        } catch (NumberFormatException e) {
            // SnakeYAML parses the hex digits of an escape unchecked: "\x4g", or the text ending inside one.
            throw new YamlSyntaxException(lastLine, lastColumn, "invalid YAML: an escape in a double-quoted value "
                    + "after this point needs hex digits: 2 after \\x, 4 after \\u, 8 after \\U");
        } catch (RuntimeException e) {
            // Any other slip of the parser on hostile text is still an invalid document, not a crash.
            throw new YamlSyntaxException(lastLine, lastColumn,
                    "invalid YAML: the text after this point cannot be read as YAML");
        }
    }

    /**
     * SnakeYAML's reader copies its whole unread window each time it reads another buffer's worth, so one token
     * much longer than the buffer (a 6 MB value) takes time quadratic in its length: minutes, not milliseconds. A
     * token never spans lines, so a buffer as long as the longest line keeps reading linear; memory stays
     * proportional to the text, which the size limit bounds.
     */
    static int bufferSize(String text) {
        int longest = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n' || text.charAt(i) == '\r') {
                longest = Math.max(longest, i - start);
                start = i + 1;
            }
        }
        return Math.max(1024, longest + 2);
    }

    /** The next event, remembering where the last complete one ended for problems the parser cannot place. */
    private Event next() {
        Event event = events.next();
        event.getEndMark().ifPresent(m -> {
            lastLine = m.getLine() + 1;
            lastColumn = m.getColumn() + 1;
        });
        return event;
    }

    /**
     * SnakeYAML's text made fit for one line: it writes the character it choked on raw, followed by its code in
     * parentheses ({@code found \n(10)}); that becomes {@code found '\n' (U+000A)}, and any other invisible
     * character is escaped.
     */
    static String inWords(String text) {
        // "found character '\t(TAB)' that cannot start any token. (Do not use \t(TAB) for indentation)"
        String snakeYaml = text.replace("\\t(TAB)", "\t(TAB)").replace("character '\t(TAB)'", "a tab")
                .replace("\t(TAB)", "tabs");
        StringBuilder sb = new StringBuilder(snakeYaml.length() + 16);
        int i = 0;
        while (i < snakeYaml.length()) {
            int cp = snakeYaml.codePointAt(i);
            int next = i + Character.charCount(cp);
            int close = snakeYaml.indexOf(')', next);
            if (next < snakeYaml.length() && snakeYaml.charAt(next) == '(' && close > next + 1 && close - next <= 8
                    && snakeYaml.substring(next + 1, close).chars().allMatch(Character::isDigit)
                    && Integer.parseInt(snakeYaml.substring(next + 1, close)) == cp) {
                sb.append('\'').append(Texts.escaped(new String(Character.toChars(cp)))).append("' ")
                        .append(String.format("(U+%04X)", cp));
                i = close + 1;
            } else {
                sb.append(Texts.escaped(new String(Character.toChars(cp))));
                i = next;
            }
        }
        return sb.toString();
    }

    private YamlNode node(Event event, int depth) {
        switch (event.getEventId()) {
            case Alias -> {
                AliasEvent alias = (AliasEvent) event;
                if (++aliases > maxAliases) {
                    throw new YamlSyntaxException(line(event), column(event),
                            "more than " + maxAliases + " aliases in one document; the limit guards against alias bombs");
                }
                YamlNode target = anchors.get(alias.getAlias().getValue());
                if (target == null) {
                    throw new YamlSyntaxException(line(event), column(event),
                            "alias '*" + Texts.shown(alias.getAlias().getValue()) + "' names no anchor defined before it");
                }
                return target;
            }
            case Scalar -> {
                ScalarEvent scalar = (ScalarEvent) event;
                YamlNode.Scalar node = new YamlNode.Scalar(scalar.getValue(),
                        scalar.getScalarStyle() == ScalarStyle.PLAIN, line(event), column(event));
                anchor(event, node);
                return node;
            }
            case SequenceStart -> {
                checkDepth(event, depth);
                List<YamlNode> items = new ArrayList<>();
                Event next;
                while ((next = next()).getEventId() != Event.ID.SequenceEnd) {
                    items.add(node(next, depth + 1));
                }
                YamlNode.Sequence node = new YamlNode.Sequence(items, line(event), column(event));
                anchor(event, node);
                return node;
            }
            case MappingStart -> {
                checkDepth(event, depth);
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                List<YamlNode> merges = new ArrayList<>();
                Event next;
                while ((next = next()).getEventId() != Event.ID.MappingEnd) {
                    YamlNode key = node(next, depth + 1);
                    YamlNode value = node(next(), depth + 1);
                    if (!(key instanceof YamlNode.Scalar scalarKey)) {
                        throw new YamlSyntaxException(key.line(), key.column(),
                                "expected a plain key, found " + key.kind() + " used as a key");
                    }
                    if (scalarKey.plain() && scalarKey.value().equals(MERGE_KEY)) {
                        merges.add(value);
                        continue;
                    }
                    YamlNode.Entry previous = entries.putIfAbsent(scalarKey.value(), new YamlNode.Entry(scalarKey, value));
                    if (previous != null) {
                        throw new YamlSyntaxException(scalarKey.line(), scalarKey.column(),
                                "duplicate key '" + Texts.shown(scalarKey.value()) + "' (first defined at line "
                                        + previous.key().line() + ", column " + previous.key().column() + ")");
                    }
                }
                for (YamlNode merge : merges) {
                    merge(entries, merge);
                }
                YamlNode.Mapping node = new YamlNode.Mapping(entries, line(event), column(event));
                anchor(event, node);
                return node;
            }
            default -> throw new YamlSyntaxException(line(event), column(event),
                    "unexpected YAML event " + event.getEventId());
        }
    }

    private static void merge(Map<String, YamlNode.Entry> into, YamlNode source) {
        if (source instanceof YamlNode.Mapping mapping) {
            mapping.entries().forEach(into::putIfAbsent);
        } else if (source instanceof YamlNode.Sequence sequence) {
            for (YamlNode item : sequence.items()) {
                if (!(item instanceof YamlNode.Mapping)) {
                    throw new YamlSyntaxException(item.line(), item.column(),
                            "expected a mapping to merge with '<<', found " + item.kind());
                }
                merge(into, item);
            }
        } else {
            throw new YamlSyntaxException(source.line(), source.column(),
                    "expected a mapping or a list of mappings to merge with '<<', found " + source.kind());
        }
    }

    private void checkDepth(Event event, int depth) {
        if (depth >= maxDepth) {
            throw new YamlSyntaxException(line(event), column(event),
                    "nesting deeper than " + maxDepth + " levels; a registry never needs that many");
        }
    }

    private void anchor(Event event, YamlNode node) {
        ((NodeEvent) event).getAnchor().ifPresent(a -> anchors.put(a.getValue(), node));
    }

    private void expect(Event.ID id) {
        Event event = next();
        if (event.getEventId() != id) {
            throw new YamlSyntaxException(line(event), column(event), "expected " + id + ", found " + event.getEventId());
        }
    }

    private static int line(Event event) {
        return event.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static int column(Event event) {
        return event.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
    }
}
