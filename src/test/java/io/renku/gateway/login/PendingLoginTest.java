package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingLoginTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private static final URI TARGET = URI.create("https://renku.example.org/projects?x=1#y");

    private static PendingLogin step() {
        return PendingLogin.start(List.of("renku", "gitlab"), 0, true, TARGET, NOW.plusSeconds(600),
                new SecureRandom());
    }

    @Test
    void stateNonceAndVerifierAreFreshAndCarryAtLeast128Bits() {
        PendingLogin a = step();
        PendingLogin b = step();
        for (Secret s : List.of(a.state(), a.nonce(), a.verifier().orElseThrow())) {
            assertTrue(Base64.getUrlDecoder().decode(s.reveal()).length >= 16, "at least 128 bits");
        }
        assertNotEquals(a.state(), b.state());
        assertNotEquals(a.state(), a.nonce());
        assertNotEquals(a.nonce(), b.nonce());
    }

    @Test
    void matchingStateWithinItsLifetimeIsAccepted() {
        PendingLogin step = step();
        assertDoesNotThrow(() -> step.verify(step.state().reveal(), NOW.plusSeconds(599)));
    }

    @Test
    void missingStateIsRefused() {
        PendingLogin step = step();
        assertRefused(() -> step.verify(null, NOW), "no state");
        assertRefused(() -> step.verify("", NOW), "no state");
    }

    @Test
    void unknownStateIsRefusedWithoutEchoingEitherValue() {
        PendingLogin step = step();
        GatewayException e = assertRefused(() -> step.verify("forged-state-value", NOW), "does not belong");
        assertFalse(e.getMessage().contains("forged-state-value"));
        assertFalse(e.getMessage().contains(step.state().reveal()));
        assertRefused(() -> step.verify(step.state().reveal() + "x", NOW), "does not belong");
    }

    @Test
    void expiredStateIsRefused() {
        PendingLogin step = step();
        assertRefused(() -> step.verify(step.state().reveal(), NOW.plusSeconds(600)), "expired");
    }

    @Test
    void encodedFormRoundTripsAndRejectsAnythingElse() {
        PendingLogin step = step();
        PendingLogin back = PendingLogin.decode(step.encode()).orElseThrow();
        assertEquals(step.chain(), back.chain());
        assertEquals(step.state(), back.state());
        assertEquals(step.nonce(), back.nonce());
        assertEquals(step.verifier(), back.verifier());
        assertEquals(step.expiresAt(), back.expiresAt());
        assertEquals(TARGET, back.redirect());
        PendingLogin noPkce = PendingLogin.start(List.of("gitlab"), 0, false, TARGET, NOW, new SecureRandom());
        assertTrue(PendingLogin.decode(noPkce.encode()).orElseThrow().verifier().isEmpty());
        assertTrue(PendingLogin.decode(Secret.of("v1 renku 5 a b c 1 x")).isEmpty(), "step outside the chain");
        assertTrue(PendingLogin.decode(Secret.of("garbage")).isEmpty());
    }

    @Test
    void chainAdvancesStepByStepAndKnowsItsEnd() {
        PendingLogin first = step();
        assertEquals("renku", first.provider());
        assertFalse(first.isLast());
        PendingLogin second = PendingLogin.start(first.chain(), 1, true, TARGET, NOW, new SecureRandom());
        assertEquals("gitlab", second.provider());
        assertTrue(second.isLast());
        assertFalse(first.toString().contains(first.state().reveal()), "toString carries no secret");
    }

    private static GatewayException assertRefused(org.junit.jupiter.api.function.Executable call, String text) {
        GatewayException e = assertThrows(GatewayException.class, call);
        assertEquals(ErrorKind.BAD_REQUEST, e.kind());
        assertTrue(e.getMessage().contains(text), e.getMessage());
        return e;
    }
}
