package io.renku.gateway.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** One row per close code: what the other side of the relay receives. */
class RelayCloseCodesTest {
    @ParameterizedTest(name = "browser {0} -> upstream {1}")
    @CsvSource({"1000,1000", "1001,1001", "1008,1008", "1011,1011", "3000,3000", "4000,4000", "4999,4999",
        "1005,1000", "1006,1001", "1002,1001", "1003,1001", "1007,1001", "1009,1001", "1010,1001"})
    void browserCloseBecomesACodeTheJdkClientMaySend(int browser, int upstream) {
        assertEquals(upstream, RelayCloseCodes.toUpstream(browser));
    }

    @ParameterizedTest(name = "upstream {0} -> browser {1}")
    @CsvSource({"1000,1000", "1001,1001", "1011,1011", "1012,1012", "1013,1013", "4001,4001", "1005,1000",
        "1006,1014", "1015,1014", "1004,1014", "2000,1014", "5000,1014"})
    void upstreamCloseBecomesACodeABrowserMayReceive(int upstream, int browser) {
        assertEquals(browser, RelayCloseCodes.toClient(upstream));
    }

    @Test
    void reasonIsCutTo123BytesOnACharacterBoundary() {
        String cut = RelayCloseCodes.reason("é".repeat(100));
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 123);
        assertEquals(61, cut.length());
        assertEquals("", RelayCloseCodes.reason(null));
        assertEquals("bye", RelayCloseCodes.reason("bye"));
    }
}
