package dev.portoser.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A native service's {@code command}, split into words as a POSIX shell would, for a service manager that runs
 * programs without a shell. Quotes ({@code '...'}, {@code "..."}) and backslashes work as in {@code sh}; a
 * {@code $NAME} or {@code ${NAME}} outside single quotes stays a reference to the service's environment (each
 * renderer spells it its own way); every other character is literal. Shell syntax that needs a shell (pipes,
 * redirections, {@code ;}, {@code &}, parentheses, backquotes, {@code $(...)}, {@code ${NAME:-x}}) and control
 * characters are refused with a sentence saying so. Package-private: not API.
 */
final class CommandWords {
    private CommandWords() {
    }

    /** A piece of a word: literal text, or a reference to an environment variable. */
    record Part(String text, boolean variable) {
        Part {
            Objects.requireNonNull(text, "text == null");
        }
    }

    /** One word: its parts in order. */
    record Word(List<Part> parts) {
        Word {
            parts = List.copyOf(parts);
        }

        /** Whether the word is plain text, with no variable. */
        boolean literal() {
            return parts.stream().noneMatch(Part::variable);
        }

        /** The word's text with variables as {@code ${NAME}} (for messages and plain-text words). */
        String text() {
            StringBuilder sb = new StringBuilder();
            parts.forEach(p -> sb.append(p.variable ? "${" + p.text + "}" : p.text));
            return sb.toString();
        }
    }

    /**
     * Splits a command.
     *
     * @param service the service's name, for messages
     * @param command the command
     * @return at least one word; the first is the program, and is plain text
     * @throws DeployException when the command is empty, needs a shell, or holds a control character
     */
    static List<Word> split(String service, String command) {
        List<Word> words = new ArrayList<>();
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = command.length();
        while (i < n) {
            char c = command.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw refuse(service, "holds a control character (a line break?) at position " + (i + 1));
            }
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    flush(lit, parts);
                    words.add(new Word(parts));
                    parts = new ArrayList<>();
                    inWord = false;
                }
                i++;
                continue;
            }
            inWord = true;
            switch (c) {
                case '\'' -> {
                    int end = command.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw refuse(service, "has a ' that is never closed");
                    }
                    String quoted = command.substring(i + 1, end);
                    checkControl(service, quoted, i + 1);
                    lit.append(quoted);
                    i = end + 1;
                }
                case '"' -> {
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char d = command.charAt(i);
                        if (d == '"') {
                            closed = true;
                            i++;
                            break;
                        }
                        if (d < 0x20 || d == 0x7f) {
                            throw refuse(service, "holds a control character (a line break?) at position " + (i + 1));
                        }
                        if (d == '\\' && i + 1 < n && "$`\"\\".indexOf(command.charAt(i + 1)) >= 0) {
                            lit.append(command.charAt(i + 1));
                            i += 2;
                        } else if (d == '$') {
                            i = variable(service, command, i, lit, parts);
                        } else if (d == '`') {
                            throw needsShell(service, "`");
                        } else {
                            lit.append(d);
                            i++;
                        }
                    }
                    if (!closed) {
                        throw refuse(service, "has a \" that is never closed");
                    }
                }
                case '\\' -> {
                    if (i + 1 >= n) {
                        throw refuse(service, "ends with a backslash");
                    }
                    char e = command.charAt(i + 1);
                    if (e < 0x20 || e == 0x7f) {
                        throw refuse(service, "holds a control character (a line break?) at position " + (i + 2));
                    }
                    lit.append(e);
                    i += 2;
                }
                case '$' -> i = variable(service, command, i, lit, parts);
                case '|', '&', ';', '<', '>', '(', ')', '`' -> throw needsShell(service, String.valueOf(c));
                default -> {
                    lit.append(c);
                    i++;
                }
            }
        }
        if (inWord) {
            flush(lit, parts);
            words.add(new Word(parts));
        }
        if (words.isEmpty()) {
            throw refuse(service, "is empty");
        }
        if (!words.get(0).literal()) {
            throw refuse(service, "starts with a variable; the program must be named in the command itself");
        }
        if (words.get(0).text().isEmpty()) {
            throw refuse(service, "names no program");
        }
        return List.copyOf(words);
    }

    /** Reads {@code $NAME} or {@code ${NAME}} at {@code i}; a lone {@code $} is literal. Returns the next index. */
    private static int variable(String service, String command, int i, StringBuilder lit, List<Part> parts) {
        int n = command.length();
        if (i + 1 < n && command.charAt(i + 1) == '{') {
            int end = command.indexOf('}', i + 2);
            String name = end < 0 ? "" : command.substring(i + 2, end);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw needsShell(service, "${" + (end < 0 ? "" : name) + "}");
            }
            flush(lit, parts);
            parts.add(new Part(name, true));
            return end + 1;
        }
        if (i + 1 < n && command.charAt(i + 1) == '(') {
            throw needsShell(service, "$(");
        }
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(command.charAt(j)) && command.charAt(j) < 128
                || command.charAt(j) == '_')) {
            j++;
        }
        if (j == i + 1 || Character.isDigit(command.charAt(i + 1))) {
            if (j > i + 1 || i + 1 < n && "?#@*!-$".indexOf(command.charAt(i + 1)) >= 0) {
                throw needsShell(service, command.substring(i, Math.max(j, i + 2)));
            }
            lit.append('$');
            return i + 1;
        }
        flush(lit, parts);
        parts.add(new Part(command.substring(i + 1, j), true));
        return j;
    }

    private static void flush(StringBuilder lit, List<Part> parts) {
        if (lit.length() > 0 || parts.isEmpty()) {
            parts.add(new Part(lit.toString(), false));
            lit.setLength(0);
        }
    }

    private static void checkControl(String service, String s, int offset) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < 0x20 || c == 0x7f) {
                throw refuse(service, "holds a control character (a line break?) at position " + (offset + k + 1));
            }
        }
    }

    private static DeployException needsShell(String service, String what) {
        return refuse(service, "uses the shell syntax '" + what + "', but a native service runs its command without a"
                + " shell; put the command line in a script and name the script as the command");
    }

    private static DeployException refuse(String service, String why) {
        return new DeployException("the command of " + service + " " + why, null);
    }
}
