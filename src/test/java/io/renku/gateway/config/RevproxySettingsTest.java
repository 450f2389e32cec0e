package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The WebSocket upstream follows the UI server unless it is set on its own. */
class RevproxySettingsTest {
    private static RevproxySettings read(Map<String, String> values) {
        return RevproxySettings.read(new SettingReader(new SettingsSource(n -> null, n -> null, values::get)));
    }

    @Test
    void webSocketUpstreamDefaultsToTheUiServer() {
        assertEquals(URI.create("http://ui:3000"),
                read(Map.of("revproxy.renkuServices.uiServer", "http://ui:3000")).uiServerWebSocket());
    }

    @Test
    void webSocketUpstreamCanBeSetOnItsOwn() {
        RevproxySettings settings = read(Map.of("revproxy.renkuServices.uiServer", "http://ui:3000",
                "revproxy.renkuServices.uiServerWebSocket", "https://ui-ws:8443"));
        assertEquals(URI.create("http://ui:3000"), settings.uiServer());
        assertEquals(URI.create("https://ui-ws:8443"), settings.uiServerWebSocket());
    }

    @Test
    void badWebSocketUpstreamNamesTheSetting() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> read(Map.of("revproxy.renkuServices.uiServerWebSocket", "ftp://x")));
        assertTrue(e.getMessage().contains("revproxy.renkuServices.uiServerWebSocket"), e.getMessage());
    }

    @Test
    void theWholeExchangeIsBoundedByDefaultAndZeroSwitchesTheBoundOff() {
        assertEquals(3_600_000, read(Map.of()).maxResponseMillis());
        assertEquals(0, read(Map.of("revproxy.maxResponseMillis", "0")).maxResponseMillis());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> read(Map.of("revproxy.maxResponseMillis", "-5")));
        assertTrue(e.getMessage().contains("revproxy.maxResponseMillis"), e.getMessage());
    }
}
