package dev.portoser.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process implementation of the parts of Vault's documented HTTP API that Portoser uses, on loopback: AppRole
 * login, token lookup/renew/revoke, KV v2 data and metadata with versions, policies by path (403), missing paths
 * (404), a standby that answers 412, and sealing (503). Real Vault cannot be installed here; the same tests run
 * against a real one when {@code VAULT_ADDR} and {@code VAULT_TOKEN} are set.
 */
public final class InProcessVault implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Role(String secretId, Set<String> allowedPaths, long ttlSeconds, long maxTtlSeconds) {
    }

    static final class Token {
        final Set<String> allowedPaths;
        final long ttl;
        final Instant created;
        final Instant maxExpiry;
        volatile Instant expires;
        volatile boolean revoked;

        Token(Set<String> allowedPaths, long ttl, Instant now, long maxTtl) {
            this.allowedPaths = allowedPaths;
            this.ttl = ttl;
            this.created = now;
            this.expires = now.plusSeconds(ttl);
            this.maxExpiry = now.plusSeconds(maxTtl);
        }
    }

    private final HttpServer server;
    private final Clock clock;
    final Map<String, Role> roles = new ConcurrentHashMap<>();
    final Map<String, Token> tokens = new ConcurrentHashMap<>();
    final Map<String, List<Map<String, String>>> kv = new ConcurrentHashMap<>();
    final AtomicInteger logins = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();
    final AtomicInteger renewalsOfExpiredTokens = new AtomicInteger();
    final AtomicInteger revocations = new AtomicInteger();
    final AtomicInteger standby412 = new AtomicInteger();
    volatile boolean sealed;
    volatile boolean refuseRenewal;

    /**
     * Starts the server on a free loopback port.
     *
     * @param clock the clock token lifetimes follow
     * @throws IOException when the server cannot start
     */
    public InProcessVault(Clock clock) throws IOException {
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/v1/", this::handle);
        server.start();
    }

    /** The address to give clients. */
    public URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Adds an AppRole whose tokens may read the given path prefixes. */
    public void role(String roleId, String secretId, long ttl, long maxTtl, String... allowedPaths) {
        roles.put(roleId, new Role(secretId, Set.of(allowedPaths), ttl, maxTtl));
    }

    /** Writes a new version of a KV v2 secret, as {@code vault kv put} would. */
    public void put(String path, Map<String, String> data) {
        kv.computeIfAbsent(path, p -> new ArrayList<>()).add(Map.copyOf(data));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring("/v1/".length());
            String method = exchange.getRequestMethod();
            if (sealed) {
                reply(exchange, 503, Map.of("errors", List.of("Vault is sealed")));
                return;
            }
            if (path.startsWith("auth/approle/login") && method.equals("POST")) {
                login(exchange);
                return;
            }
            Token token = tokens.get(String.valueOf(exchange.getRequestHeaders().getFirst("X-Vault-Token")));
            boolean valid = token != null && !token.revoked && clock.instant().isBefore(token.expires);
            switch (path) {
                case "auth/token/renew-self" -> {
                    if (token != null && !clock.instant().isBefore(token.expires)) {
                        renewalsOfExpiredTokens.incrementAndGet();
                    }
                    if (!valid || refuseRenewal) {
                        reply(exchange, 403, Map.of("errors", List.of("permission denied")));
                        return;
                    }
                    renewals.incrementAndGet();
                    Instant next = clock.instant().plusSeconds(token.ttl);
                    token.expires = next.isAfter(token.maxExpiry) ? token.maxExpiry : next;
                    reply(exchange, 200, envelope("auth", auth(exchange.getRequestHeaders().getFirst("X-Vault-Token"),
                            token)));
                }
                case "auth/token/lookup-self" -> {
                    if (!valid) {
                        reply(exchange, 403, Map.of("errors", List.of("permission denied")));
                        return;
                    }
                    reply(exchange, 200, envelope("data", Map.of("ttl", remaining(token))));
                }
                case "auth/token/revoke-self" -> {
                    if (valid) {
                        token.revoked = true;
                        revocations.incrementAndGet();
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> kvRead(exchange, path, token, valid);
            }
        }
    }

    private void login(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        Role role = roles.get(body.path("role_id").asText());
        if (role == null || !role.secretId().equals(body.path("secret_id").asText())) {
            reply(exchange, 400, Map.of("errors", List.of("invalid role or secret ID")));
            return;
        }
        logins.incrementAndGet();
        String id = "s." + UUID.randomUUID();
        Token token = new Token(role.allowedPaths(), role.ttlSeconds(), clock.instant(), role.maxTtlSeconds());
        tokens.put(id, token);
        reply(exchange, 200, envelope("auth", auth(id, token)));
    }

    private Map<String, Object> auth(String id, Token token) {
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("client_token", id);
        auth.put("accessor", "acc-" + id.hashCode());
        auth.put("policies", List.copyOf(token.allowedPaths));
        auth.put("token_policies", List.copyOf(token.allowedPaths));
        auth.put("metadata", Map.of());
        auth.put("lease_duration", remaining(token));
        auth.put("renewable", true);
        auth.put("entity_id", "");
        auth.put("token_type", "service");
        auth.put("orphan", true);
        auth.put("num_uses", 0);
        return auth;
    }

    private long remaining(Token token) {
        return Math.max(0, token.expires.getEpochSecond() - clock.instant().getEpochSecond());
    }

    private void kvRead(HttpExchange exchange, String path, Token token, boolean valid) throws IOException {
        boolean data = path.startsWith("secret/data/");
        boolean metadata = path.startsWith("secret/metadata/");
        if (!data && !metadata) {
            reply(exchange, 404, Map.of("errors", List.of()));
            return;
        }
        String name = path.substring(path.indexOf('/', "secret/".length()) + 1);
        if (!valid || token.allowedPaths.stream().noneMatch(p -> ("secret/data/" + name).startsWith(p))) {
            reply(exchange, 403, Map.of("errors", List.of("1 error occurred:\n\t* permission denied\n\n")));
            return;
        }
        if (standby412.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            reply(exchange, 412, Map.of("errors", List.of("required index state not present")));
            return;
        }
        List<Map<String, String>> versions = kv.get(name);
        if (versions == null || versions.isEmpty()) {
            reply(exchange, 404, Map.of("errors", List.of()));
            return;
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("version", versions.size());
        meta.put("created_time", clock.instant().toString());
        meta.put("deletion_time", "");
        meta.put("destroyed", false);
        if (data) {
            reply(exchange, 200, envelope("data", Map.of("data", versions.get(versions.size() - 1), "metadata", meta)));
        } else {
            reply(exchange, 200, envelope("data", Map.of("current_version", versions.size())));
        }
    }

    /** A response shaped like Vault's: every top-level field present, the payload under one of them. */
    private static Map<String, Object> envelope(String field, Object payload) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("request_id", UUID.randomUUID().toString());
        doc.put("lease_id", "");
        doc.put("renewable", false);
        doc.put("lease_duration", 0);
        doc.put("data", null);
        doc.put("wrap_info", null);
        doc.put("warnings", null);
        doc.put("auth", null);
        doc.put(field, payload);
        return doc;
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
