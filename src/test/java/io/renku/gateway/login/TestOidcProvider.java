package io.renku.gateway.login;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OpenID provider on a loopback port for the login tests: discovery, a JWKS with one RSA key, and a token
 * endpoint that answers with whatever the test queued (a crafted ID token, an error, garbage) and records what the
 * gateway sent. It can play a provider that is down (discovery 503), slow (sleeps past the gateway's timeout) or
 * broken (non-JSON answers).
 *
 * <p>Refresh-token grants are answered by a small token store of their own: only refresh tokens it issued (or that a
 * test registered with {@link #issueRefreshToken}) are accepted, each refresh is counted, and with rotation on (the
 * default) a refresh token works once, like Keycloak's {@code revokeRefreshToken}; a second use is
 * {@code invalid_grant}.
 */
final class TestOidcProvider implements AutoCloseable {
    static final String CLIENT_ID = "renku";
    static final String CLIENT_SECRET = "renku-secret";

    private final HttpServer server;
    final RSAKey key;
    final ConcurrentLinkedQueue<String> tokenAnswers = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> tokenRequests = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> tokenAuthorizations = new ConcurrentLinkedQueue<>();
    final AtomicBoolean discoveryDown = new AtomicBoolean();
    final AtomicInteger tokenDelayMillis = new AtomicInteger();
    final AtomicInteger discoveryHits = new AtomicInteger();
    final AtomicInteger refreshCalls = new AtomicInteger();
    final AtomicInteger refreshDelayMillis = new AtomicInteger();
    final AtomicBoolean rotateRefreshTokens = new AtomicBoolean(true);
    final AtomicBoolean refreshDown = new AtomicBoolean();
    final AtomicInteger refreshLifetimeSeconds = new AtomicInteger(300);
    private final Set<String> validRefreshTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger issued = new AtomicInteger();

    TestOidcProvider() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/realm/.well-known/openid-configuration", this::discovery);
        server.createContext("/realm/certs", e -> respond(e, 200, new JWKSet(key).toPublicJWKSet().toString()));
        server.createContext("/realm/token", this::token);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    /** {@code claims} signed with this provider's key, as a logout token ({@code typ: logout+jwt}). */
    String sign(com.nimbusds.jwt.JWTClaimsSet claims) throws JOSEException {
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(
                com.nimbusds.jose.JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(new com.nimbusds.jose.JOSEObjectType("logout+jwt")).build(), claims);
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(key));
        return jwt.serialize();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/realm";
    }

    private void discovery(HttpExchange exchange) throws IOException {
        discoveryHits.incrementAndGet();
        if (discoveryDown.get()) {
            respond(exchange, 503, "{\"error\":\"down\"}");
            return;
        }
        respond(exchange, 200, JSONObjectUtils.toJSONString(Map.of("issuer", issuer(),
                "authorization_endpoint", issuer() + "/auth", "token_endpoint", issuer() + "/token",
                "jwks_uri", issuer() + "/certs", "response_types_supported", List.of("code"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("RS256"),
                "end_session_endpoint", issuer() + "/logout")));
    }

    /** Makes {@code token} a refresh token this provider accepts (once, with rotation). */
    String issueRefreshToken(String token) {
        validRefreshTokens.add(token);
        return token;
    }

    private void token(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (form.contains("grant_type=refresh_token")) {
            tokenAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            refresh(exchange, form);
            return;
        }
        tokenRequests.add(form);
        tokenAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        int delay = tokenDelayMillis.get();
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String answer = tokenAnswers.poll();
        if (answer == null) {
            respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
        } else if (answer.startsWith("{")) {
            respond(exchange, answer.contains("\"error\"") ? 400 : 200, answer);
        } else {
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void refresh(HttpExchange exchange, String form) throws IOException {
        refreshCalls.incrementAndGet();
        int delay = refreshDelayMillis.get();
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (refreshDown.get()) {
            respond(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
            return;
        }
        String presented = "";
        for (String pair : form.split("&")) {
            if (pair.startsWith("refresh_token=")) {
                presented = URLDecoder.decode(pair.substring("refresh_token=".length()), StandardCharsets.UTF_8);
            }
        }
        boolean valid = rotateRefreshTokens.get() ? validRefreshTokens.remove(presented)
                : validRefreshTokens.contains(presented);
        if (!valid) {
            respond(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token is not active\"}");
            return;
        }
        int n = issued.incrementAndGet();
        String next = rotateRefreshTokens.get() ? issueRefreshToken("refresh-" + n) : presented;
        respond(exchange, 200, JSONObjectUtils.toJSONString(Map.of("access_token", "access-" + n,
                "token_type", "Bearer", "expires_in", refreshLifetimeSeconds.get(), "refresh_token", next)));
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
