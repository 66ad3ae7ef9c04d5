package dev.portoser.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A plain HTTP client of the API, as a script or another program would use it. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    final URI base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Map<String, String> headers = new LinkedHashMap<>();

    ApiClient(URI base, String token) {
        this.base = base;
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
    }

    record Reply(int status, JsonNode json, String text, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply get(String path) {
        return send("GET", path, null, Map.of());
    }

    Reply post(String path, Object body) {
        return send("POST", path, body, Map.of());
    }

    Reply send(String method, String path, Object body, Map<String, String> extra) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
            headers.forEach(b::header);
            extra.forEach(b::header);
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                if (!extra.containsKey("Content-Type")) {
                    b.header("Content-Type", "application/json");
                }
                String text = body instanceof String s ? s : JSON.writeValueAsString(body);
                b.method(method, HttpRequest.BodyPublishers.ofString(text));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = JSON.readTree(r.body());
            } catch (IOException notJson) {
                json = JSON.missingNode();
            }
            return new Reply(r.statusCode(), json == null ? JSON.missingNode() : json, r.body(), r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String version() {
        return get("/api/v1/registry").json().path("registrySha256").asText();
    }
}
