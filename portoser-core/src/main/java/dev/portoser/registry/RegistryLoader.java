package dev.portoser.registry;

import dev.portoser.ErrorMessages;
import dev.portoser.registry.internal.FieldValidation;
import dev.portoser.registry.internal.Locations;
import dev.portoser.registry.internal.RegistryBinder;
import dev.portoser.registry.internal.RegistryRules;
import dev.portoser.registry.internal.Templates;
import dev.portoser.registry.internal.YamlComposer;
import dev.portoser.registry.internal.YamlNode;
import dev.portoser.registry.internal.YamlSyntaxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Loads registries with options: template variables and the limits that keep hostile input harmless.
 *
 * <pre>{@code
 * RegistryLoader loader = Registry.loader()
 *         .variable("ENVIRONMENT", "production")
 *         .maxDocumentBytes(4 << 20)
 *         .build();
 * Registry registry = loader.load(Path.of("registry.yml"));
 * }</pre>
 *
 * <p>Loading reads the file once, refuses anything larger than the size limit before reading it, requires
 * UTF-8, rejects duplicate keys, and bounds nesting depth and aliases, so an alias bomb or a 100 MB file fails
 * fast with a clear message. Every problem found is reported at once in a {@link RegistryException}.
 * Instances are immutable and thread-safe; one loader can load many files.
 */
public final class RegistryLoader {
    /** The source name used for text parsed from memory. */
    public static final String STRING_SOURCE = "<string>";
    /** The default size limit: 16 MiB, far above a 10,000-service registry (about 3 MiB). */
    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 16L << 20;
    /** The default nesting limit; the registry format itself needs 6 levels. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 32;
    /** The default number of aliases ({@code *name}) allowed in one document: plenty for shared settings. */
    public static final int DEFAULT_MAX_ALIASES = 200;

    private final Map<String, String> variables;
    private final boolean environmentVariables;
    private final long maxDocumentBytes;
    private final int maxNestingDepth;
    private final int maxAliases;

    private RegistryLoader(Builder b) {
        this.variables = Map.copyOf(b.variables);
        this.environmentVariables = b.environmentVariables;
        this.maxDocumentBytes = b.maxDocumentBytes;
        this.maxNestingDepth = b.maxNestingDepth;
        this.maxAliases = b.maxAliases;
    }

    /**
     * A builder with the defaults: no variables, no environment, the default limits.
     *
     * @return a builder with the defaults: no variables, no environment, the default limits
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads and validates a registry file.
     *
     * @param file the file; must not be null
     * @return the registry, with any warnings
     * @throws RegistryException when the file cannot be read, is too large, is not UTF-8 YAML, or holds any error
     */
    public Registry load(Path file) {
        Objects.requireNonNull(file, "file == null");
        String source = file.toString();
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxDocumentBytes) {
                throw fatal(source, 0, 0, "the file is " + size + " bytes; the limit is " + maxDocumentBytes
                        + " bytes (RegistryLoader.Builder.maxDocumentBytes)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fatal(source, 0, 0, "no such file");
        } catch (IOException e) {
            throw fatal(source, 0, 0, "cannot read the file: " + ErrorMessages.describe(e));
        }
        return parse(decode(bytes, source), source);
    }

    /**
     * Parses and validates registry text.
     *
     * @param yaml the registry as YAML text; must not be null
     * @param source the name to use in problems, such as a file name; must not be null
     * @return the registry, with any warnings
     * @throws RegistryException when the text is too large, is not YAML, or holds any error
     */
    public Registry parse(String yaml, String source) {
        Objects.requireNonNull(yaml, "yaml == null");
        Objects.requireNonNull(source, "source == null");
        if ((long) yaml.length() > maxDocumentBytes) {
            throw fatal(source, 0, 0, "the text is " + yaml.length() + " characters; the limit is "
                    + maxDocumentBytes + " (RegistryLoader.Builder.maxDocumentBytes)");
        }
        rejectControlCharacters(yaml, source);
        Optional<YamlNode> root;
        try {
            root = new YamlComposer(maxNestingDepth, maxAliases).compose(yaml, source);
        } catch (YamlSyntaxException e) {
            throw fatal(source, e.line(), e.column(), e.getMessage());
        }
        if (root.isEmpty()) {
            throw fatal(source, 0, 0, "the registry is empty; expected a mapping with 'machines:' and 'services:'");
        }
        List<Problem> problems = new ArrayList<>();
        Locations locations = new Locations();
        RegistryBinder.Bound bound = new RegistryBinder(source, templates(), problems, locations).bind(root.get());
        bound.machines().forEach((name, m) -> FieldValidation.validate(m, "machines." + name, source, locations, problems));
        bound.services().forEach((name, s) -> FieldValidation.validate(s, "services." + name, source, locations, problems));
        Map<String, Group> groups = new RegistryRules(source, locations, problems).check(bound);
        groups.forEach((name, g) -> FieldValidation.validate(g, "groups." + name, source, locations, problems));
        if (problems.stream().anyMatch(Problem::isError)) {
            throw new RegistryException(problems);
        }
        return new Registry(source, bound.machines(), bound.services(), groups,
                problems.stream().sorted(Problem.IN_SOURCE_ORDER).toList());
    }

    private Templates templates() {
        if (!environmentVariables) {
            return Templates.of(variables);
        }
        return new Templates(name -> variables.containsKey(name) ? variables.get(name) : System.getenv(name));
    }

    /**
     * YAML forbids C0 controls other than tab, LF and CR; name the first one with its position. Lines end at LF,
     * CR LF or a lone CR, as in YAML.
     */
    private static void rejectControlCharacters(String yaml, String source) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < yaml.length(); i++) {
            char c = yaml.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 == yaml.length() || yaml.charAt(i + 1) != '\n'))) {
                line++;
                lineStart = i + 1;
            } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
                throw fatal(source, line, i - lineStart + 1, String.format(
                        "the control character U+%04X is not allowed in a registry", (int) c));
            }
        }
    }

    /** Decodes strict UTF-8 (a UTF-8 byte order mark is dropped), pointing at the first bad byte otherwise. */
    static String decode(byte[] bytes, String source) {
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            start = 3;
        } else if (bytes.length >= 2 && (((bytes[0] & 0xff) == 0xFE && (bytes[1] & 0xff) == 0xFF)
                || ((bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xFE))) {
            throw fatal(source, 1, 1, "the file is UTF-16; save it as UTF-8");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int bad = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n'))) {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
            throw fatal(source, line, column, String.format("expected UTF-8 text, found the byte 0x%02X; save the "
                    + "registry as UTF-8", bytes[bad] & 0xff));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static RegistryException fatal(String source, int line, int column, String message) {
        return new RegistryException(List.of(new Problem(Severity.ERROR, source, line, column, "", message)));
    }

    /** Options for a {@link RegistryLoader}. Not thread-safe; build once and share the loader. */
    public static final class Builder {
        private final Map<String, String> variables = new LinkedHashMap<>();
        private boolean environmentVariables;
        private long maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES;
        private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
        private int maxAliases = DEFAULT_MAX_ALIASES;

        private Builder() {
        }

        /**
         * Defines a template variable: {@code {{ NAME }}} in a value becomes {@code value}.
         *
         * @param name the variable's name; must not be null
         * @param value its value; must not be null
         * @return this builder
         */
        public Builder variable(String name, String value) {
            variables.put(Objects.requireNonNull(name, "name == null"), Objects.requireNonNull(value, "value == null"));
            return this;
        }

        /**
         * Defines several template variables.
         *
         * @param values names to values; must not be null
         * @return this builder
         */
        public Builder variables(Map<String, String> values) {
            values.forEach(this::variable);
            return this;
        }

        /**
         * Lets {@code {{ NAME }}} fall back to the process environment for names not given as variables. Off by
         * default: an embedded loader never reads the host's environment unless asked.
         *
         * @return this builder
         */
        public Builder environmentVariables() {
            this.environmentVariables = true;
            return this;
        }

        /**
         * The largest document accepted, in bytes; larger files are refused before they are read.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxDocumentBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxDocumentBytes must be >= 1, was " + bytes);
            }
            this.maxDocumentBytes = bytes;
            return this;
        }

        /**
         * The deepest nesting of mappings and lists accepted.
         *
         * @param depth at least 8 (the registry format needs 6)
         * @return this builder
         */
        public Builder maxNestingDepth(int depth) {
            if (depth < 8) {
                throw new IllegalArgumentException("maxNestingDepth must be >= 8, was " + depth);
            }
            this.maxNestingDepth = depth;
            return this;
        }

        /**
         * The most aliases ({@code *name}) accepted in one document.
         *
         * @param aliases at least 0
         * @return this builder
         */
        public Builder maxAliases(int aliases) {
            if (aliases < 0) {
                throw new IllegalArgumentException("maxAliases must be >= 0, was " + aliases);
            }
            this.maxAliases = aliases;
            return this;
        }

        /**
         * The loader.
         *
         * @return the loader
         */
        public RegistryLoader build() {
            return new RegistryLoader(this);
        }
    }
}
