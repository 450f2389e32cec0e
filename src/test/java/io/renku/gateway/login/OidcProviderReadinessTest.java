package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.LoginSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import io.renku.gateway.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code /ready}'s view of an OIDC provider: not only "discovery worked once" but "the provider answers now", asked
 * again at most once per retry delay, so a provider that goes away after the gateway discovered it is named by
 * {@code /ready} until it is back.
 */
class OidcProviderReadinessTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    @Test
    void aProviderThatGoesAwayAfterDiscoveryIsNotReadyUntilItIsBack() throws Exception {
        try (TestOidcProvider idp = new TestOidcProvider()) {
            OidcProvider provider = new OidcProvider(new LoginSettings.Provider("renku", URI.create(idp.issuer()),
                    TestOidcProvider.CLIENT_ID, Secret.of(TestOidcProvider.CLIENT_SECRET), List.of("openid"), true,
                    URI.create("https://renku.example.org/api/auth/callback")), Set.of("RS256"),
                    Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(5), clock);
            assertDoesNotThrow(provider::probe, "ready: discovery works");
            int hits = idp.discoveryHits.get();

            idp.discoveryDown.set(true);
            assertDoesNotThrow(provider::probe, "within the retry delay the last answer stands");
            assertEquals(hits, idp.discoveryHits.get(), "the provider was not asked again yet");
            clock.advance(Duration.ofSeconds(5));
            GatewayException down = assertThrows(GatewayException.class, provider::probe);
            assertEquals(ErrorKind.BAD_GATEWAY, down.kind());
            assertTrue(down.getMessage().contains("'renku'"), down.getMessage());
            assertThrows(GatewayException.class, provider::probe, "still down within the retry delay");

            idp.discoveryDown.set(false);
            clock.advance(Duration.ofSeconds(5));
            assertDoesNotThrow(provider::probe, "ready again once the provider answers");
            provider.close();
        }
    }
}
