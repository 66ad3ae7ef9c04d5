package dev.portoser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real failures of Java's file system and of Jackson, described in words. */
class ErrorMessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Map<String, String>>> SECRETS = new TypeReference<>() { };

    @TempDir
    Path dir;

    private String parsing(String content) throws Exception {
        Path file = dir.resolve("secrets.json");
        Files.writeString(file, content);
        return ErrorMessages.describe(catchThrowable(() -> JSON.readValue(file.toFile(), SECRETS)));
    }

    @Test
    void aTruncatedJsonFileEndsTooEarlyAtItsEnd() throws Exception {
        assertThat(parsing("{\"secret/data/app\": {\"api_key\": \"hunt")).isEqualTo(
                "the JSON ends too early, at line 1, column 38 (a value, a '}' or a ']' is missing)");
    }

    @Test
    void anEmptyFileIsCalledEmpty() throws Exception {
        assertThat(parsing("")).isEqualTo("the file is empty; expected a JSON document");
    }

    @Test
    void garbageIsNotValidJsonAndIsNotQuoted() throws Exception {
        assertThat(parsing("\n\n  hunter2")).isEqualTo(
                "not valid JSON: a word that is not JSON (text needs double quotes), at line 3, column 3");
    }

    @Test
    void theWrongShapeNamesThePathOfKeysButNoValue() throws Exception {
        assertThat(parsing("{\"secret/data/app\": {\"api_key\": [\"hunter2\"]}}")).isEqualTo(
                "the JSON does not have the expected shape at secret/data/app.api_key, at line 1, column 33");
    }

    @Test
    void aDuplicateKeyIsNamedWhenJacksonChecksThem() throws Exception {
        ObjectMapper strict = new ObjectMapper().enable(
                com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        String described = ErrorMessages.describe(catchThrowable(() -> strict.readTree("{\"a\": 1, \"a\": 2}")));
        assertThat(described).isEqualTo("not valid JSON: a key given twice, at line 1, column 13");
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        Path missing = dir.resolve("nope.json");
        assertThat(ErrorMessages.describe(catchThrowable(() -> Files.readString(missing))))
                .isEqualTo("no such file or directory");
        assertThat(ErrorMessages.describe(catchThrowable(() -> JSON.readTree(missing.toFile()))))
                .isEqualTo("no such file or directory");
    }

    @Test
    void aDirectoryIsADirectory() {
        assertThat(ErrorMessages.describe(catchThrowable(() -> Files.readAllBytes(dir)))).isEqualTo("is a directory");
        assertThat(ErrorMessages.describe(catchThrowable(() -> JSON.readTree(dir.toFile())))).isEqualTo(
                "is a directory");
    }

    @Test
    void aWrappedFailureIsDescribedByItsCause() {
        Path missing = dir.resolve("nope.json");
        Throwable wrapped = catchThrowable(() -> {
            try {
                Files.readString(missing);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(ErrorMessages.describe(wrapped)).isEqualTo("no such file or directory");
    }

    @Test
    void aProgrammingErrorIsNotShownAsItsJavaText() {
        Throwable npe = catchThrowable(() -> ((String) null).length());
        assertThat(ErrorMessages.describe(npe)).isEqualTo("an unexpected internal error");
        assertThat(ErrorMessages.describe(new IllegalStateException("the executor is closed")))
                .isEqualTo("the executor is closed");
        assertThat(ErrorMessages.describe(new IllegalArgumentException("bad java.lang.String value")))
                .isEqualTo("an unexpected internal error");
    }

    @Test
    void noDescriptionHasAClassNameOrALineBreak() throws Exception {
        for (String content : new String[] {"", "{", "[1,", "{\"a\" 1}", "nul", "{\"a\": {\"b\": {}}}", "}", "\u0001",
                "{\"a\": {\"b\": \"x\u0001\"}}", "{\"a\": []}"}) {
            assertThat(parsing(content)).doesNotContainPattern("[A-Z][a-z]+[A-Z]\\w*|\\n|Exception|java\\.");
        }
    }
}
