package io.renku.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small identity provider on a loopback port, for tests: OIDC discovery, a JWKS whose keys can be rotated, and RFC
 * 7662 introspection endpoints that answer from a table and count how often they are asked. Each endpoint can be
 * switched to answer 503, to play an identity provider that is down.
 */
final class TestIdp implements AutoCloseable {
    static final String CLIENT_ID = "gateway";
    static final String CLIENT_SECRET = "s3cret";

    private final HttpServer server;
    private final List<JWK> keys = new CopyOnWriteArrayList<>();
    final AtomicInteger discoveryHits = new AtomicInteger();
    final AtomicInteger jwksHits = new AtomicInteger();
    final Map<String, AtomicInteger> introspectionHits = new ConcurrentHashMap<>();
    final AtomicBoolean discoveryDown = new AtomicBoolean();
    final AtomicBoolean jwksDown = new AtomicBoolean();
    /** Per introspection path: token → JSON answer; tokens not listed are inactive. */
    final Map<String, Map<String, String>> introspection = new ConcurrentHashMap<>();
    volatile String discoveryIssuerOverride;

    TestIdp() throws IOException, JOSEException {
        keys.add(new RSAKeyGenerator(2048).keyID("rsa-1").generate());
        keys.add(new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/realms/test/.well-known/openid-configuration", this::discovery);
        server.createContext("/realms/test/protocol/openid-connect/certs", this::jwks);
        server.createContext("/introspect", this::introspect);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String issuer() {
        return base() + "/realms/test";
    }

    URI introspectionEndpoint(String path) {
        introspection.computeIfAbsent(path, p -> new ConcurrentHashMap<>());
        return URI.create(base() + "/introspect/" + path);
    }

    RSAKey rsaKey() {
        return (RSAKey) keys.stream().filter(k -> k instanceof RSAKey).findFirst().orElseThrow();
    }

    ECKey ecKey() {
        return (ECKey) keys.stream().filter(k -> k instanceof ECKey).findFirst().orElseThrow();
    }

    /** Publishes a new RSA key next to the old ones (key rotation) and returns it. */
    RSAKey rotate(String kid) throws JOSEException {
        RSAKey key = new RSAKeyGenerator(2048).keyID(kid).generate();
        keys.add(0, key);
        return key;
    }

    JWTClaimsSet.Builder claims() {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().issuer(issuer()).subject("user-1").audience("renku")
                .claim("preferred_username", "demo").claim("name", "Demo User").claim("email", "demo@example.org")
                .claim("scope", "openid profile email").claim("typ", "Bearer")
                .issueTime(new java.util.Date(now - 1000)).expirationTime(new java.util.Date(now + 300_000));
    }

    static String sign(JWTClaimsSet claims, JWK key, JWSAlgorithm alg) throws JOSEException {
        JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    String rs256(JWTClaimsSet claims) throws JOSEException {
        return sign(claims, rsaKey(), JWSAlgorithm.RS256);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void discovery(HttpExchange exchange) throws IOException {
        discoveryHits.incrementAndGet();
        if (discoveryDown.get()) {
            respond(exchange, 503, "{\"error\":\"down\"}");
            return;
        }
        String issuer = discoveryIssuerOverride != null ? discoveryIssuerOverride : issuer();
        respond(exchange, 200, JSONObjectUtils.toJSONString(Map.of("issuer", issuer,
                "jwks_uri", issuer() + "/protocol/openid-connect/certs",
                "authorization_endpoint", issuer() + "/protocol/openid-connect/auth",
                "token_endpoint", issuer() + "/protocol/openid-connect/token",
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("RS256", "ES256"))));
    }

    private void jwks(HttpExchange exchange) throws IOException {
        jwksHits.incrementAndGet();
        if (jwksDown.get()) {
            respond(exchange, 503, "{\"error\":\"down\"}");
            return;
        }
        respond(exchange, 200, new JWKSet(new ArrayList<>(keys)).toPublicJWKSet().toString());
    }

    private void introspect(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring("/introspect/".length());
        introspectionHits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Map<String, String> table = introspection.get(path);
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        if (table == null || !"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 404, "{}");
            return;
        }
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String token = null;
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2 && kv[0].equals("token")) {
                token = URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            }
        }
        respond(exchange, 200, token == null ? "{\"active\":false}" : table.getOrDefault(token, "{\"active\":false}"));
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
