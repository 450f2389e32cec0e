package io.renku.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityTest {
    private static Identity bearer() {
        return new Identity("sub", "demo", "Demo", "d@example.org", "https://kc/realms/renku", AuthMethod.BEARER,
                Optional.of(Instant.EPOCH), Set.of("openid"), Optional.of(Secret.of("raw-token")));
    }

    @Test
    void printingAnIdentityNeverShowsItsToken() {
        assertFalse(bearer().toString().contains("raw-token"));
        assertTrue(bearer().toString().contains("<redacted>"));
    }

    @Test
    void scopesAreCopied() {
        Set<String> scopes = new HashSet<>(Set.of("a"));
        Identity identity = new Identity("s", "", "", "", "", AuthMethod.BASIC, Optional.empty(), scopes,
                Optional.empty());
        scopes.add("b");
        assertEquals(Set.of("a"), identity.scopes());
    }

    @Test
    void nullsAndEmptySubjectsAreRefused() {
        assertThrows(NullPointerException.class, () -> new Identity("s", null, "", "", "", AuthMethod.BEARER,
                Optional.empty(), Set.of(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Identity("", "", "", "", "", AuthMethod.BEARER,
                Optional.empty(), Set.of(), Optional.empty()));
    }

    @Test
    void anonymousHasNoTokenAndNoExpiry() {
        Identity anonymous = Identity.anonymous("anon-123");
        assertTrue(anonymous.isAnonymous());
        assertTrue(anonymous.token().isEmpty());
        assertTrue(anonymous.expiry().isEmpty());
    }

    @Test
    void withMethodKeepsEverythingElse() {
        Identity basic = bearer().withMethod(AuthMethod.BASIC);
        assertEquals(AuthMethod.BASIC, basic.method());
        assertEquals(bearer().subject(), basic.subject());
        assertEquals(bearer().token(), basic.token());
    }
}
