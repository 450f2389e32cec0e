package io.renku.gateway.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.model.Secret;
import io.renku.gateway.proxy.SessionCookies;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The upstream handshake's headers, the browser's Origin check and the ws:// URL, without a container. */
class HandshakeHeadersTest {
    private static Map<String, List<String>> upstreamHeaders(Map<String, List<String>> client) {
        Map<String, String> forwarded = new LinkedHashMap<>();
        forwarded.put("X-Forwarded-For", "10.0.0.1");
        forwarded.put("X-Forwarded-Host", null);
        return HandshakeHeaders.forUpstream(client, new SessionCookies("_renku_session"), forwarded,
                Secret.of("the-token"));
    }

    @Test
    void clientCredentialsAndHopHeadersAreReplacedByTheGatewaysOwn() {
        Map<String, List<String>> client = new LinkedHashMap<>();
        client.put("Authorization", List.of("Bearer client-token"));
        client.put("Renku-Auth-Refresh-Token", List.of("forged"));
        client.put("Renku-Auth-Anon-Id", List.of("anon-forged"));
        client.put("Gitlab-Access-Token", List.of("forged"));
        client.put("X-Forwarded-For", List.of("6.6.6.6"));
        client.put("Connection", List.of("Upgrade, X-Hop"));
        client.put("X-Hop", List.of("hop"));
        client.put("Upgrade", List.of("websocket"));
        client.put("Host", List.of("gateway"));
        client.put("Sec-WebSocket-Key", List.of("abc"));
        client.put("Sec-WebSocket-Version", List.of("13"));
        client.put("Sec-WebSocket-Extensions", List.of("permessage-deflate"));
        client.put("Cookie", List.of("_renku_session=secret; other=1"));
        client.put("Origin", List.of("https://renku.example"));
        Map<String, List<String>> headers = upstreamHeaders(client);
        assertEquals(Map.of("Origin", List.of("https://renku.example"), "Cookie", List.of("other=1"),
                "X-Forwarded-For", List.of("10.0.0.1"), "Authorization", List.of("Bearer the-token")), headers);
    }

    @Test
    void onlySessionCookieIsDroppedEntirely() {
        Map<String, List<String>> headers = upstreamHeaders(Map.of("cookie", List.of("_renku_session=secret")));
        assertFalse(headers.containsKey("cookie"));
        assertTrue(headers.containsKey("Authorization"));
    }

    @Test
    void offeredSubprotocolsAreSplitAndTrimmed() {
        assertEquals(List.of("a", "b", "c"), HandshakeHeaders.offeredSubprotocols(List.of("a, b", " c ,")));
    }

    @ParameterizedTest(name = "Origin {0} with Host {1}: {2}")
    @CsvSource(nullValues = "-", value = {
        "https://renku.example, renku.example, true",
        "https://renku.example, renku.example:443, true",
        "http://localhost:8080, localhost:8080, true",
        "https://RENKU.example, renku.example, true",
        "https://evil.example, renku.example, false",
        "https://renku.example.evil, renku.example, false",
        "http://localhost:8081, localhost:8080, false",
        "null, renku.example, false",
        "-, renku.example, true"})
    void sessionHandshakeMustComeFromTheGatewaysOwnHost(String origin, String host, boolean allowed) {
        assertEquals(allowed, WebSocketUpgradeFilter.sameHost(origin, host));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"http://ui, ws://ui", "https://ui:8443/, wss://ui:8443", "http://ui/base/, ws://ui/base"})
    void upstreamUrlBecomesAWebSocketUrl(String http, String ws) {
        assertEquals(URI.create(ws), WebSocketRelay.webSocketUrl(URI.create(http)));
    }

    @ParameterizedTest(name = "version {0}, keys {1}")
    @CsvSource(delimiter = '|', value = {"8|dGhlIHNhbXBsZSBub25jZQ==|426", "x|dGhlIHNhbXBsZSBub25jZQ==|426",
        "|dGhlIHNhbXBsZSBub25jZQ==|426", "13,13|dGhlIHNhbXBsZSBub25jZQ==|426", "13|short|400", "13||400",
        "13|!!!!!!!!!!!!!!!!!!!!!!!=|400", "13|dGhlIHNhbXBsZSBub25jZQ==,dGhlIHNhbXBsZSBub25jZQ==|400",
        "13|dGhlIHNhbXBsZSBub25jZSE=|400"})
    void junkHandshakesAreRefusedBeforeTheUpstreamIsDialled(String versions, String keys, int status) {
        io.renku.gateway.errors.GatewayException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.renku.gateway.errors.GatewayException.class, () -> HandshakeHeaders.requireValid(list(versions),
                        list(keys)));
        assertEquals(status, e.kind().status(), e.getMessage());
        if (status == 426) {
            assertEquals("13", e.headers().get("Sec-WebSocket-Version"));
        }
    }

    @Test
    void aWellFormedHandshakeIsAdmitted() {
        HandshakeHeaders.requireValid(List.of("13"), List.of("dGhlIHNhbXBsZSBub25jZQ=="));
        HandshakeHeaders.requireValid(List.of(" 13 "), List.of(" dGhlIHNhbXBsZSBub25jZQ== "));
    }

    private static List<String> list(String commaSeparated) {
        return commaSeparated == null || commaSeparated.isEmpty() ? List.of() : List.of(commaSeparated.split(","));
    }

    @Test
    void anUpgradeThatMerelyMentionsWebSocketIsToldApart() {
        assertTrue(HandshakeHeaders.mentionsWebSocket(List.of("websocketx")));
        assertTrue(HandshakeHeaders.mentionsWebSocket(List.of("h2c", "WebSocket/13")));
        assertFalse(HandshakeHeaders.mentionsWebSocket(List.of("h2c")));
        assertFalse(HandshakeHeaders.mentionsWebSocket(List.of()));
    }
}
