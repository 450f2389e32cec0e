package io.renku.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdsTest {
    @Test
    void idsCarry256RandomBitsAndAreWellFormed() {
        SessionIds ids = new SessionIds();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = ids.generate();
            assertEquals(32, Base64.getUrlDecoder().decode(id).length);
            assertTrue(SessionIds.isWellFormed(id), id);
            assertTrue(seen.add(id));
        }
    }

    @Test
    void otherShapesAreNotIds() {
        for (String bad : new String[] {null, "", "abc", "A".repeat(42), "A".repeat(44), "A".repeat(42) + "B",
            "A".repeat(42) + "=", "+" + "A".repeat(42), "{" + "A".repeat(41) + "}", "A".repeat(42) + "\u00c1"}) {
            assertFalse(SessionIds.isWellFormed(bad), String.valueOf(bad));
        }
    }
}
