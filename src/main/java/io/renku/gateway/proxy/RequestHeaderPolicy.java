package io.renku.gateway.proxy;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which client request headers may travel to an upstream. Stricter than the Go gateway, which only overwrote what it
 * injected:
 * <ul>
 * <li>Every header the gateway itself injects is removed first ({@code Authorization}, {@code Renku-Auth-*},
 * {@code Gitlab-Access-Token*}), because upstreams trust them as the gateway's word: a client that sends its own
 * would otherwise impersonate a user, or pass a token the gateway never validated, on a route where the gateway injects
 * nothing (an anonymous caller) or on the UI route where it injects nothing at all.</li>
 * <li>{@code X-Forwarded-*}, {@code Forwarded}, {@code X-Real-IP} and {@code X-Request-Id} are removed and set by the
 * gateway, so an upstream's rate limits and audit logs see the real client address, never one the client chose.</li>
 * <li>Hop-by-hop headers (RFC 9110 7.6.1) belong to the client's connection, not to the upstream's: the standard list
 * and every header the client named in {@code Connection}. {@code Upgrade} is among them (WebSockets are handled
 * elsewhere). {@code Expect} is kept: HttpClient then waits for the upstream's {@code 100 Continue} before it reads
 * the body, which is when Tomcat sends {@code 100 Continue} to the client, so the handshake works end to end.</li>
 * <li>{@code Host} and {@code Content-Length} are set by the proxy for the upstream connection.</li>
 * <li>A header whose name is one of the above with {@code _} for {@code -} ({@code Gitlab_Access_Token},
 * {@code X_Forwarded_For}) is removed too: CGI, WSGI and Rack upstreams turn both spellings into the same variable
 * ({@code HTTP_GITLAB_ACCESS_TOKEN}), so the twin would be read as the gateway's header.</li>
 * </ul>
 */
public final class RequestHeaderPolicy {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade");
    private static final Set<String> GATEWAY_OWNED = Set.of("authorization", "forwarded", "x-real-ip",
            "x-request-id", "host", "content-length");
    private static final String[] GATEWAY_OWNED_PREFIXES = {"renku-auth-", "gitlab-access-token", "x-forwarded-"};

    private final Set<String> connectionTokens;

    private RequestHeaderPolicy(Set<String> connectionTokens) {
        this.connectionTokens = connectionTokens;
    }

    /** The policy for one request, given the values of its {@code Connection} headers. */
    public static RequestHeaderPolicy forConnectionHeaders(Collection<String> connectionValues) {
        Set<String> tokens = new TreeSet<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return new RequestHeaderPolicy(Set.copyOf(tokens));
    }

    /** True for a hop-by-hop header of the standard list (the upstream's response is filtered with it too). */
    public static boolean isHopByHop(String name) {
        return HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT));
    }

    /** True when {@code name} was listed in {@code Connection}, so it belongs to that hop only. */
    public boolean namedInConnection(String name) {
        return connectionTokens.contains(name.toLowerCase(Locale.ROOT));
    }

    /** True when the client's header {@code name} may be copied to the upstream request. */
    public boolean forwards(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String dashed = lower.replace('_', '-');
        if (connectionTokens.contains(lower) || HOP_BY_HOP.contains(dashed) || GATEWAY_OWNED.contains(dashed)) {
            return false;
        }
        for (String prefix : GATEWAY_OWNED_PREFIXES) {
            if (dashed.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }
}
