package dev.portoser.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.server.internal.SecretFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A Portoser server running on this machine, as found through the address file it keeps in its state directory
 * ({@value PortoserServer#ADDRESS_FILE}): how {@code portoser registry reload} tells it to re-read the registry.
 *
 * @param url where it listens
 * @param pid its process
 * @param registry the registry file it serves
 * @param stateDirectory its state directory (where its token is)
 */
public record RunningServer(URI url, long pid, Path registry, Path stateDirectory) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The server whose address file is in a state directory, when its process is alive.
     *
     * @param stateDirectory the state directory
     * @return the server, or empty when none runs (a file left by a dead process counts as none)
     * @throws ServerException when the file exists but cannot be read
     */
    public static Optional<RunningServer> find(Path stateDirectory) {
        Path file = stateDirectory.resolve(PortoserServer.ADDRESS_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode doc = JSON.readTree(SecretFile.readOrCreate(file, () -> "{}"));
            long pid = doc.path("pid").asLong(-1);
            String url = doc.path("url").asText("");
            if (pid <= 0 || url.isEmpty() || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                return Optional.empty();
            }
            return Optional.of(new RunningServer(URI.create(url), pid, Path.of(doc.path("registry").asText("")),
                    stateDirectory));
        } catch (IOException | RuntimeException e) {
            throw new ServerException("cannot read the server's address file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Has the server read its registry file again.
     *
     * @return what it answered: the registry's counts, or the problems of the file
     * @throws ServerException when the server cannot be reached or refuses
     */
    public String reload() {
        String token = SecretFile.readOrCreate(stateDirectory.resolve(PortoserServer.TOKEN_FILE), () -> {
            throw new ServerException("the server's token file is missing from " + stateDirectory);
        });
        HttpRequest request = HttpRequest.newBuilder(url.resolve("/api/v1/registry/reload"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode doc = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new ServerException("the server at " + url + " refused: " + doc.path("error").asText());
            }
            if (doc.path("problems").size() > 0) {
                StringBuilder b = new StringBuilder();
                doc.path("problems").forEach(p -> b.append(p.path("text").asText()).append('\n'));
                return b + "the file is invalid: the server goes on with the registry it read last";
            }
            return "the server at " + url + " re-read " + registry + ": " + doc.path("machines").asInt() + " machines, "
                    + doc.path("services").asInt() + " services";
        } catch (IOException e) {
            throw new ServerException("cannot reach the server at " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerException("interrupted while asking the server at " + url + " to reload", e);
        }
    }
}
