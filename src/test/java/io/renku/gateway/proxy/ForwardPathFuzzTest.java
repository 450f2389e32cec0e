package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Fuzzes {@link ForwardPath} with raw paths under a route prefix. Properties: the only exception is the gateway's own
 * 400; the forwarded path keeps the prefix; an upstream that percent-decodes it once, takes a backslash for a slash,
 * drops {@code ;parameters} and resolves dot segments still lands under the prefix; and the rule view keeps the prefix
 * and holds no dot segment.
 */
class ForwardPathFuzzTest {
    private static final String PREFIX = "/api/data";

    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({"/", "..", ".", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", ";", "%3b", "\\", "%00", "%25", "%c0%ae",
        "//", "%u002e"})
    void aNormalisedPathNeverClimbsOutOfItsPrefix(FuzzedDataProvider data) {
        String raw = PREFIX + "/" + data.consumeRemainingAsString();
        String forwarded;
        try {
            forwarded = ForwardPath.of(raw);
        } catch (GatewayException refused) {
            assertEquals(ErrorKind.BAD_REQUEST, refused.kind());
            return;
        }
        assertTrue(forwarded.startsWith(PREFIX + "/") || forwarded.equals(PREFIX), forwarded);
        String upstream = resolveDots(decodeOnce(forwarded).replace('\\', '/'));
        assertTrue(upstream.equals(PREFIX) || upstream.startsWith(PREFIX + "/"),
                raw + " reaches an upstream as " + upstream);
        String view = ForwardPath.ruleView(forwarded);
        assertTrue(view.equals(PREFIX) || view.startsWith(PREFIX + "/"), raw + " is judged as " + view);
        for (String segment : view.split("/")) {
            assertTrue(!segment.equals(".") && !segment.equals(".."), raw + " is judged as " + view);
        }
    }

    /** Dot segments removed as RFC 3986 5.2.4 does, {@code ;parameters} first cut off each segment. */
    private static String resolveDots(String path) {
        Deque<String> out = new ArrayDeque<>();
        for (String segment : path.split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = parameters >= 0 ? segment.substring(0, parameters) : segment;
            if (name.equals("..")) {
                out.pollLast();
            } else if (!name.equals(".") && !name.isEmpty()) {
                out.addLast(name);
            }
        }
        return "/" + String.join("/", out);
    }

    private static String decodeOnce(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && Character.digit(in[i + 1], 16) >= 0
                    && Character.digit(in[i + 2], 16) >= 0) {
                bytes.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
                i += 2;
            } else {
                bytes.write(in[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
