package dev.portoser;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Says in words what went wrong when a file could not be read or parsed: one line for a person, never a Java class
 * name, never a piece of the file's content.
 *
 * <p>Java's and Jackson's exceptions name themselves ({@code NoSuchFileException}, {@code JsonEOFException}) and
 * Jackson's messages quote the text they choked on, which in a secrets file is a secret. These methods keep what
 * a person needs (what is wrong, and the line and column when they are known) and drop the rest:
 *
 * <pre>{@code
 * try {
 *     json.readTree(file.toFile());
 * } catch (IOException e) {
 *     throw new SecretException("cannot read the secrets file " + file + ": " + ErrorMessages.describe(e), null);
 * }
 * // cannot read the secrets file /etc/portoser/secrets.json: the JSON ends too early, at line 3, column 1
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorMessages {
    private ErrorMessages() {
    }

    /**
     * What went wrong, in words, on one line: for a file system or JSON failure what is wrong and where; for our
     * own {@link PortoserException}s their message; for anything else its message when it has one that reads as
     * a sentence, else "an unexpected internal error".
     *
     * @param failure what was thrown; must not be null
     * @return a lower-case sentence without a final period, suitable after "cannot read FILE: "
     */
    public static String describe(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof UncheckedIOException || e.getClass() == RuntimeException.class) && e.getCause() != null
                && e.getCause() != e) {
            e = e.getCause();
        }
        if (e instanceof JsonProcessingException json) {
            return json(json);
        }
        if (e instanceof FileSystemException fs) {
            return fileSystem(fs);
        }
        if (e instanceof CharacterCodingException) {
            return "the file is not valid UTF-8 text";
        }
        String message = e.getMessage();
        if (e instanceof PortoserException && message != null && !message.isBlank()) {
            return oneLine(message);
        }
        if (e instanceof java.io.FileNotFoundException && message != null && message.endsWith(")")
                && message.lastIndexOf(" (") > 0) {
            // "/etc/x.json (Permission denied)": the reason, without the file the caller names anyway.
            return lowerFirst(message.substring(message.lastIndexOf(" (") + 2, message.length() - 1));
        }
        if (e instanceof IOException) {
            return message == null || message.isBlank() ? "an input/output error" : oneLine(lowerFirst(message));
        }
        if (e instanceof OutOfMemoryError) {
            return "the Java heap is too small for this (raise it with -Xmx)";
        }
        if (e instanceof StackOverflowError) {
            return "the input is nested too deeply";
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UnsupportedOperationException) {
            if (message != null && !message.isBlank() && !looksLikeCode(message)) {
                return oneLine(message);
            }
        }
        return "an unexpected internal error";
    }

    private static String fileSystem(FileSystemException e) {
        String what;
        if (e instanceof NoSuchFileException) {
            what = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof NotDirectoryException) {
            what = "not a directory";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "it already exists";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "the directory is not empty";
        } else if (e instanceof FileSystemLoopException) {
            what = "a symbolic link loop";
        } else {
            String reason = e.getReason();
            what = reason == null || reason.isBlank() ? "an input/output error" : lowerFirst(reason);
        }
        // The message names the file the operation was on only when it is not the one the caller names.
        if (e.getOtherFile() != null) {
            return what + " (" + e.getFile() + " -> " + e.getOtherFile() + ")";
        }
        return what;
    }

    /** Jackson's failures, in words; its own message is never used: it quotes the content. */
    private static String json(JsonProcessingException e) {
        String where = where(e.getLocation());
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof JsonEOFException || original.startsWith("Unexpected end-of-input")) {
            return "the JSON ends too early" + where + " (a value, a '}' or a ']' is missing)";
        }
        if (e instanceof MismatchedInputException m) {
            if (original.startsWith("No content to map due to end-of-input")) {
                return "the file is empty; expected a JSON document";
            }
            return "the JSON does not have the expected shape" + at(m) + where;
        }
        if (e instanceof JsonMappingException m) {
            // A record's constructor refused the value: its message says why, in words.
            Throwable cause = m.getCause();
            String why = cause instanceof IllegalArgumentException && cause.getMessage() != null
                    && !looksLikeCode(cause.getMessage()) ? ": " + oneLine(cause.getMessage()) : "";
            return "the JSON holds a value that cannot be used" + at(m) + where + why;
        }
        String what;
        if (original.startsWith("Unrecognized token")) {
            what = "a word that is not JSON (text needs double quotes)";
        } else if (original.startsWith("Duplicate field")) {
            what = "a key given twice";
        } else if (original.startsWith("Unexpected close marker")) {
            what = "a '}' or ']' that closes nothing";
        } else if (original.startsWith("Illegal unquoted character")) {
            what = "a control character inside a string (write it as an escape such as \\n)";
        } else if (original.startsWith("Invalid UTF-8")) {
            what = "bytes that are not UTF-8";
        } else if (original.startsWith("Illegal character")) {
            what = "a control character";
        } else if (original.startsWith("Unexpected character")) {
            what = "an unexpected character";
        } else {
            what = "something unexpected";
        }
        return "not valid JSON: " + what + where;
    }

    /** " at a.b[2]" from the field names and indexes Jackson was in; names of keys only, never values. */
    private static String at(JsonMappingException e) {
        if (e.getPath().isEmpty()) {
            return "";
        }
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
        return " at " + oneLine(path.startsWith(".") ? path.substring(1) : path);
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return ", at line " + location.getLineNr() + ", column " + Math.max(location.getColumnNr(), 1);
    }

    private static boolean looksLikeCode(String message) {
        return message.matches("(?s).*\\b([a-z]+\\.)+[A-Z]\\w*.*|.*\\b[A-Z]\\w*(Exception|Error)\\b.*")
                || message.contains("because \"");
    }

    private static String lowerFirst(String text) {
        if (text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))) {
            return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
        }
        return text;
    }

    /** The first line only, with control characters escaped: a message is one line. */
    private static String oneLine(String text) {
        int end = text.indexOf('\n');
        String first = (end < 0 ? text : text.substring(0, end)).strip();
        StringBuilder sb = new StringBuilder(first.length());
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
