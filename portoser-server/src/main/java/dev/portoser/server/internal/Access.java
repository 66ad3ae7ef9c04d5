package dev.portoser.server.internal;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who may do what: the bearer token (header or the session cookie a one-time login link sets), the {@code Host}
 * check that defeats DNS rebinding of a loopback server, and the same-origin check of state-changing requests
 * (CSRF). Thread-safe.
 */
public final class Access {
    /** The session cookie's name. */
    public static final String COOKIE = "portoser_session";
    /** How long a one-time login link stays valid. */
    static final Duration LOGIN_VALIDITY = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean tokenRequired;
    private final String token;
    private final @Nullable Set<String> allowedHosts;
    private final Clock clock;
    private final Map<String, Instant> loginCodes = new HashMap<>();

    /**
     * The rules of one server.
     *
     * @param tokenRequired whether every API request needs the token
     * @param token the token
     * @param allowedHosts the {@code Host} header values accepted (host:port), or null to accept any
     * @param clock when login codes expire
     */
    public Access(boolean tokenRequired, String token, @Nullable Set<String> allowedHosts, Clock clock) {
        this.tokenRequired = tokenRequired;
        this.token = token;
        this.allowedHosts = allowedHosts == null ? null : Set.copyOf(allowedHosts);
        this.clock = clock;
    }

    /**
     * A new random token: 32 bytes, URL-safe base64.
     *
     * @return the token
     */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Whether requests need the token.
     *
     * @return true when they do
     */
    public boolean tokenRequired() {
        return tokenRequired;
    }

    /**
     * A link code that sets the session cookie once, within {@link #LOGIN_VALIDITY}.
     *
     * @return the code
     */
    public synchronized String newLoginCode() {
        String code = newToken();
        loginCodes.put(code, clock.instant().plus(LOGIN_VALIDITY));
        return code;
    }

    /**
     * Uses up a login code.
     *
     * @param code the code from the link
     * @return whether it was valid (issued, unused and not expired)
     */
    public synchronized boolean redeem(String code) {
        Instant now = clock.instant();
        for (Iterator<Instant> it = loginCodes.values().iterator(); it.hasNext(); ) {
            if (it.next().isBefore(now)) {
                it.remove();
            }
        }
        return loginCodes.remove(code) != null;
    }

    /**
     * The {@code Set-Cookie} value of a session.
     *
     * @return the cookie: HttpOnly, SameSite=Strict, for the whole server
     */
    public String sessionCookie() {
        return COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    }

    /**
     * Checks a request; throws when it is refused.
     *
     * @param method the HTTP method
     * @param headers the request's headers
     * @throws ApiError 403 for a foreign Host or a cross-origin change, 401 without the token
     */
    public void check(String method, Headers headers) {
        String host = headers.getFirst("Host");
        if (allowedHosts != null && (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT)))) {
            throw new ApiError(403, "refused: the request is addressed to host '" + host + "', not to this server "
                    + "(open it by the address portoser serve printed)");
        }
        boolean changes = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
        if (changes) {
            String origin = headers.getFirst("Origin");
            if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
                throw new ApiError(403, "refused: a change requested from another site (" + origin + ")");
            }
            String site = headers.getFirst("Sec-Fetch-Site");
            if (site != null && !site.equals("same-origin") && !site.equals("none")) {
                throw new ApiError(403, "refused: a change requested from another site (Sec-Fetch-Site: " + site + ")");
            }
        }
        if (tokenRequired && !presentsToken(headers)) {
            throw new ApiError(401, "the token is required: open the login link portoser serve printed, or send "
                    + "'Authorization: Bearer TOKEN' (the token is in the server's state directory, server.token)");
        }
    }

    private boolean presentsToken(Headers headers) {
        String auth = headers.getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim())) {
            return true;
        }
        for (String cookies : headers.getOrDefault("Cookie", java.util.List.of())) {
            for (String cookie : cookies.split(";")) {
                String c = cookie.trim();
                if (c.startsWith(COOKIE + "=") && same(c.substring(COOKIE.length() + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean same(String presented) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}
