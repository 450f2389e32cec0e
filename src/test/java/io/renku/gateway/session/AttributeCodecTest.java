package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeCodecTest {
    record LoginState(String state, String nonce, Instant started) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    final AttributeCodec codec = new AttributeCodec();

    @Test
    void nativeValuesRoundTripAndStayReadableInRedis() {
        for (Object value : List.of("gr\u00fc\u00df", 42L, 7, true, false, "")) {
            assertEquals(value, codec.decode("a", codec.encode("a", value)));
        }
        assertEquals("sabc", new String(codec.encode("a", "abc"), StandardCharsets.UTF_8));
        assertEquals("l42", new String(codec.encode("a", 42L), StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) codec.decode("a", codec.encode("a", new byte[] {1, 2, 3})));
    }

    @Test
    void serializableRecordsAndJdkCollectionsRoundTrip() {
        LoginState state = new LoginState("s", "n", Instant.parse("2025-01-01T00:00:00Z"));
        assertEquals(state, codec.decode("login", codec.encode("login", state)));
        Map<String, List<String>> map = Map.of("k", List.of("v1", "v2"));
        assertEquals(map, codec.decode("m", codec.encode("m", map)));
    }

    @Test
    void valuesThatCannotBeStoredAreRefusedWhenSet() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.encode("thing", new Object()));
        assertEquals("session attribute 'thing' must be a String, Long, Integer, Boolean, byte[] or Serializable, "
                + "was java.lang.Object", e.getMessage());
    }

    /** A Serializable class outside the allow-list stands in for a deserialization gadget planted in Redis. */
    static final class Foreign implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void classesOutsideTheAllowListAreNotDeserialized() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('j');
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(new java.text.SimpleDateFormat());
        }
        assertThrows(IllegalStateException.class, () -> codec.decode("x", out.toByteArray()));
        AttributeCodec strict = new AttributeCodec("java.lang.*;!*");
        assertThrows(IllegalStateException.class, () -> strict.decode("x", codec.encode("x", new Foreign())));
    }

    @Test
    void corruptValuesAreReportedNotMisread() {
        for (byte[] corrupt : new byte[][] {{}, {'?', 'x'}, {'l', 'x'}, {'i'}, {'j', 1, 2, 3}}) {
            assertThrows(IllegalStateException.class, () -> codec.decode("x", corrupt));
        }
    }
}
