package dev.portoser.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /api/v1} router: a table of routes (method and path template), the checks every request passes
 * ({@link Access}), JSON in and out, and errors as {@code {"error": "..."}} with the right status. Handlers are
 * plain functions of a {@link Request}.
 */
public final class Api implements HttpHandler {
    /** The prefix of every route. */
    public static final String PREFIX = "/api/v1";
    /** The largest request body accepted. */
    static final int MAX_BODY = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

    /** What a handler gets. */
    public interface Request {
        /**
         * A path parameter.
         *
         * @param name its name in the template
         * @return its decoded value
         */
        String param(String name);

        /**
         * A query parameter.
         *
         * @param name its name
         * @return its value, or null
         */
        @Nullable String query(String name);

        /**
         * A request header.
         *
         * @param name its name
         * @return its first value, or null
         */
        @Nullable String header(String name);

        /**
         * The JSON body.
         *
         * @return it, or a missing node when there is none
         */
        JsonNode body();

        /**
         * The exchange, for handlers that stream (the event stream).
         *
         * @return the exchange
         */
        HttpExchange exchange();
    }

    /** A route's work. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Handles a request.
         *
         * @param request the request
         * @return the response: a {@link Response}, a document written as JSON with 200, or null when the handler
         *     has answered itself
         * @throws Exception refused ({@link ApiError}) or failed
         */
        @Nullable Object handle(Request request) throws Exception;
    }

    /**
     * A response with a status other than 200, or with headers.
     *
     * @param status the HTTP status
     * @param body the document
     * @param headers extra headers
     */
    public record Response(int status, Object body, Map<String, String> headers) {
    }

    /**
     * A route.
     *
     * @param method the HTTP method
     * @param template the path after {@link #PREFIX}, with {@code {name}} parameters (as in the OpenAPI document)
     * @param handler its work
     */
    public record Route(String method, String template, Handler handler) {
        Pattern pattern() {
            Matcher m = PARAM.matcher(template);
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(template.substring(last, m.start()))).append("(?<").append(m.group(1))
                        .append(">[^/]+)");
                last = m.end();
            }
            regex.append(Pattern.quote(template.substring(last)));
            return Pattern.compile(regex.toString());
        }
    }

    private final ObjectMapper json;
    private final Access access;
    private final List<Route> routes;
    private final List<Pattern> patterns = new ArrayList<>();

    /**
     * A router.
     *
     * @param json reads and writes documents
     * @param access the checks of every request
     * @param routes the routes
     */
    public Api(ObjectMapper json, Access access, List<Route> routes) {
        this.json = json;
        this.access = access;
        this.routes = List.copyOf(routes);
        routes.forEach(r -> patterns.add(r.pattern()));
    }

    /**
     * The routes, for the OpenAPI check.
     *
     * @return the routes
     */
    public List<Route> routes() {
        return routes;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Headers.secure(exchange, true);
            try {
                dispatch(exchange);
            } catch (ApiError e) {
                send(exchange, e.status(), e.document(), Map.of());
            } catch (IOException e) {
                LOG.debug("client went away: {}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
                String why = e.getMessage() == null ? "an unexpected error" : e.getMessage();
                send(exchange, 500, Map.of("error", "the server failed: " + why), Map.of());
            } catch (Exception e) {
                LOG.warn("request failed", e);
                send(exchange, 500, Map.of("error", "the server failed: " + e.getMessage()), Map.of());
            }
        } catch (IOException gone) {
            LOG.debug("client went away: {}", gone.getMessage());
        }
    }

    private void dispatch(HttpExchange exchange) throws Exception {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        if (!path.startsWith(PREFIX)) {
            throw new ApiError(404, "no such resource: " + path);
        }
        String rest = path.substring(PREFIX.length());
        boolean pathKnown = false;
        for (int i = 0; i < routes.size(); i++) {
            Matcher m = patterns.get(i).matcher(rest);
            if (!m.matches()) {
                continue;
            }
            pathKnown = true;
            Route route = routes.get(i);
            if (!route.method().equals(method)) {
                continue;
            }
            access.check(method, exchange.getRequestHeaders());
            Request request = request(exchange, route, m);
            Object result = route.handler().handle(request);
            if (result instanceof Response r) {
                send(exchange, r.status(), r.body(), r.headers());
            } else if (result != null) {
                send(exchange, 200, result, Map.of());
            }
            return;
        }
        if (pathKnown) {
            throw new ApiError(405, method + " is not allowed on " + path);
        }
        throw new ApiError(404, "no such resource: " + path);
    }

    private Request request(HttpExchange exchange, Route route, Matcher m) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher names = PARAM.matcher(route.template());
        while (names.find()) {
            params.put(names.group(1), URLDecoder.decode(m.group(names.group(1)), StandardCharsets.UTF_8));
        }
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(k, v);
            }
        }
        JsonNode body = body(exchange);
        return new Request() {
            @Override
            public String param(String name) {
                return params.get(name);
            }

            @Override
            public @Nullable String query(String name) {
                return query.get(name);
            }

            @Override
            public @Nullable String header(String name) {
                return exchange.getRequestHeaders().getFirst(name);
            }

            @Override
            public JsonNode body() {
                return body;
            }

            @Override
            public HttpExchange exchange() {
                return exchange;
            }
        };
    }

    private JsonNode body(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        if (method.equals("GET") || method.equals("DELETE") || method.equals("HEAD")) {
            return MissingNode.getInstance();
        }
        byte[] bytes = read(exchange.getRequestBody());
        if (bytes.length == 0) {
            return json.createObjectNode();
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        // A cross-site form can post only form or text bodies without a preflight: JSON alone is accepted.
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "send the body as application/json");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new ApiError(400, "the body must be one JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "the body is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
    }

    private static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_BODY) {
                throw new ApiError(413, "the body is larger than " + MAX_BODY / 1024 + " KiB");
            }
        }
        return out.toByteArray();
    }

    private void send(HttpExchange exchange, int status, Object body, Map<String, String> headers) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * A text field of a request.
     *
     * @param body the body
     * @param field the field
     * @param required whether it must be there
     * @return its value, or null when it is absent and not required
     * @throws ApiError 400 when it is required and absent, or not text
     */
    static @Nullable String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ApiError(400, "\"" + field + "\" is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new ApiError(400, "\"" + field + "\" must be a non-empty string");
        }
        return v.asText();
    }

    /**
     * A list-of-text field of a request.
     *
     * @param body the body
     * @param field the field
     * @return its values, empty when absent
     * @throws ApiError 400 when it is not a list of strings
     */
    static List<String> texts(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ApiError(400, "\"" + field + "\" must be a list of names");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new ApiError(400, "\"" + field + "\" must be a list of names");
            }
            values.add(e.asText());
        }
        return values;
    }

    /** The headers every response carries. */
    static final class Headers {
        /** The page's policy: its own scripts and styles only, no inline script, no framing. */
        static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

        private Headers() {
        }

        static void secure(HttpExchange exchange, boolean api) {
            var h = exchange.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("X-Frame-Options", "DENY");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cross-Origin-Opener-Policy", "same-origin");
            if (api) {
                h.set("Cache-Control", "no-store");
            }
        }
    }
}
