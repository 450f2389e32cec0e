package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.KeycloakBrowser;
import io.renku.gateway.harness.PasswordGrant;
import io.renku.gateway.harness.WebSocketEchoUpstream;
import io.renku.gateway.harness.WebSocketEchoUpstream.Handshake;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The {@code /ui-server/ws} relay on the deployed WAR, against the WebSocket echo upstream (arquillian.xml points
 * {@code revproxy.renkuServices.uiServerWebSocket} at it) and with real tokens from the real Keycloak: who is admitted,
 * what the upstream's handshake carries, that frames and close codes pass both ways, and what a failing upstream
 * means for the browser.
 */
@GatewayIT
class WebSocketIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private WebSocketEchoUpstream upstream;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void authenticatedHandshakeCarriesTheCallersTokenAndFramesEchoBothWays() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        Recorder client = new Recorder();
        WebSocket ws = connect("ui-server/ws?channel=1", client, "Authorization", "Bearer " + token);

        Handshake handshake = last();
        assertEquals("/ui-server/ws?channel=1", handshake.target());
        assertEquals("Bearer " + token, handshake.headers().get("authorization"));
        assertEquals("127.0.0.1", handshake.headers().get("x-forwarded-for"));

        ws.sendText("hello", true).get();
        assertEquals("hello", client.next());
        byte[] bytes = new byte[300_000]; // larger than the container's buffers: relayed in parts
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        ws.sendBinary(ByteBuffer.wrap(bytes), true).get();
        assertArrayEquals(bytes, (byte[]) client.nextMessage());
        String big = "é".repeat(100_000);
        ws.sendText(big, true).get();
        assertEquals(big, client.next());

        ws.sendClose(4000, "done").get();
        assertEquals(4000, client.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS).code());
        awaitCloseCodeAtUpstream(4000);
    }

    @Test
    void upstreamCloseCodeAndReasonReachTheBrowser() throws Exception {
        Recorder client = new Recorder();
        WebSocket ws = connect("ui-server/ws", client, "Authorization",
                "Bearer " + PasswordGrant.demoAccessToken("renku", "renku", "renku-secret"));
        ws.sendText("close:4001:bye", true).get();
        Closed closed = client.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(4001, closed.code());
        assertEquals("bye", closed.reason());
    }

    @Test
    void upstreamFailingMidConnectionClosesTheBrowserWithBadGateway() throws Exception {
        Recorder client = new Recorder();
        WebSocket ws = connect("ui-server/ws", client, "Authorization",
                "Bearer " + PasswordGrant.demoAccessToken("renku", "renku", "renku-secret"));
        ws.sendText("drop", true).get();
        assertEquals(1014, client.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS).code());
    }

    @Test
    void anonymousHandshakeIs401AndNeverReachesTheUpstream() {
        int before = upstream.handshakes().size();
        WebSocketHandshakeException refused = refused("ui-server/ws");
        assertEquals(401, refused.getResponse().statusCode());
        assertEquals("application/problem+json",
                refused.getResponse().headers().firstValue("Content-Type").orElse(""));
        assertEquals(before, upstream.handshakes().size(), "the upstream was reached");
    }

    @Test
    void forgedBearerTokenIs401AndNeverReachesTheUpstream() {
        int before = upstream.handshakes().size();
        assertEquals(401, refused("ui-server/ws", "Authorization", "Bearer forged").getResponse().statusCode());
        assertEquals(before, upstream.handshakes().size(), "the upstream was reached");
    }

    @Test
    void spoofedCredentialHeadersAreNotForwarded() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        Recorder client = new Recorder();
        WebSocket ws = connect("ui-server/ws", client, "Authorization", "Bearer " + token,
                "Renku-Auth-Refresh-Token", "forged", "Renku-Auth-Anon-Id", "anon-forged", "Renku-Auth-Id-Token",
                "forged", "Gitlab-Access-Token", "forged", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Host",
                "evil.example", "Cookie", "_renku_session=stolen; other=1", "X-Kept", "yes");
        Map<String, String> headers = last().headers();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
        for (String forbidden : new String[] {"renku-auth-refresh-token", "renku-auth-anon-id",
            "renku-auth-id-token", "gitlab-access-token"}) {
            assertFalse(headers.containsKey(forbidden), forbidden + " reached the upstream: " + headers);
        }
        assertEquals("Bearer " + token, headers.get("authorization"), "only the gateway's Authorization");
        assertEquals("127.0.0.1", headers.get("x-forwarded-for"));
        assertFalse(headers.get("x-forwarded-host").contains("evil"), headers.get("x-forwarded-host"));
        assertEquals("other=1", headers.get("cookie"), "the gateway's session cookie stays with the gateway");
        assertEquals("yes", headers.get("x-kept"));
    }

    @Test
    void theUpstreamHandshakeCarriesAGatewaySignedIdentityAndNeverTheClientsOwn() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        WebSocket ws = connect("ui-server/ws", new Recorder(), "Authorization", "Bearer " + token,
                "Renku-Auth-Identity", "forged");
        Map<String, String> headers = last().headers();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
        JWTClaimsSet bearer = verified(headers.get("renku-auth-identity"));
        assertEquals(com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getSubject(), bearer.getSubject());
        assertEquals("bearer", bearer.getStringClaim("login_provider"));
        assertEquals(List.of(upstream.url()), bearer.getAudience(), "aud is the WebSocket upstream's origin");
        assertEquals(base.toString().replaceAll("/$", ""), bearer.getIssuer());
        assertTrue(bearer.getExpirationTime().getTime() - bearer.getIssueTime().getTime() <= 60_000);

        // A SAML-only session has no access token to inject: the identity is what tells the upstream who it is.
        String session = new KeycloakBrowser().logInWithSaml(new Http(base), "saml");
        WebSocket saml = connect("ui-server/ws", new Recorder(), "Cookie", session, "Renku-Auth-Identity", "forged");
        Map<String, String> samlHeaders = last().headers();
        saml.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
        JWTClaimsSet claims = verified(samlHeaders.get("renku-auth-identity"));
        assertEquals("demo", claims.getSubject());
        assertEquals("saml", claims.getStringClaim("login_provider"));
        assertFalse(claims.getStringListClaim("roles").isEmpty(), claims.toString());
        assertFalse(samlHeaders.containsKey("authorization"), "no token to inject: " + samlHeaders);
    }

    /** The claims of {@code jwt} once its signature verified against the gateway's JWK Set; never the forged value. */
    private JWTClaimsSet verified(String jwt) throws Exception {
        assertTrue(jwt != null && !jwt.contains("forged"), "the gateway's own identity, not the client's: " + jwt);
        var jwks = new Http(base).get("api/auth/.well-known/jwks.json");
        assertEquals(200, jwks.statusCode(), jwks.body());
        com.nimbusds.jwt.SignedJWT signed = com.nimbusds.jwt.SignedJWT.parse(jwt);
        com.nimbusds.jose.jwk.JWKSet keys = com.nimbusds.jose.jwk.JWKSet.parse(jwks.body());
        assertTrue(signed.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(keys.getKeyByKeyId(
                signed.getHeader().getKeyID()).toECKey())), "verifies against the published key");
        return signed.getJWTClaimsSet();
    }

    @Test
    void upstreamRefusingTheHandshakeIs502() {
        WebSocketHandshakeException refused = refused("ui-server/ws?refuse=1", "Authorization",
                "Bearer " + PasswordGrant.demoAccessToken("renku", "renku", "renku-secret"));
        assertEquals(502, refused.getResponse().statusCode());
        assertEquals("application/problem+json",
                refused.getResponse().headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void subprotocolChosenByTheUpstreamReachesTheBrowser() throws Exception {
        WebSocket ws = http.newWebSocketBuilder().subprotocols("renku.v2", "renku.v1")
                .header("Authorization", "Bearer " + PasswordGrant.demoAccessToken("renku", "renku", "renku-secret"))
                .buildAsync(wsUri("ui-server/ws"), new Recorder()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("renku.v2", ws.getSubprotocol());
        assertEquals("renku.v2, renku.v1", last().headers().get("sec-websocket-protocol"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
    }

    private Handshake last() {
        var handshakes = upstream.handshakes();
        assertFalse(handshakes.isEmpty(), "the upstream saw no handshake");
        return handshakes.get(handshakes.size() - 1);
    }

    private void awaitCloseCodeAtUpstream(int code) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!upstream.closeCodes().contains(code) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(upstream.closeCodes().contains(code), "the upstream got " + upstream.closeCodes());
    }

    private URI wsUri(String path) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/" + path);
    }

    private WebSocket connect(String path, WebSocket.Listener listener, String... headers) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.buildAsync(wsUri(path), listener).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private WebSocketHandshakeException refused(String path, String... headers) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> connect(path, new Recorder(),
                headers));
        return assertInstanceOf(WebSocketHandshakeException.class, failed.getCause());
    }

    record Closed(int code, String reason) {
    }

    /** Collects whole messages (text as String, binary as byte[]) and the close the browser side received. */
    private static final class Recorder implements WebSocket.Listener {
        private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Closed> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object nextMessage() throws InterruptedException {
            Object message = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(message != null, "no message came back");
            return message;
        }

        String next() throws InterruptedException {
            return (String) nextMessage();
        }

        CompletableFuture<Closed> closed() {
            return closed;
        }
    }
}
