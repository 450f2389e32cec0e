package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.sun.net.httpserver.HttpServer;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.IssuedSecrets;
import io.renku.gateway.harness.KeycloakBrowser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 7522 tokens on the deployed WAR: the SAML provider {@code saml} of this deployment has a
 * {@code tokenEndpoint}, a small token server of the test's own (Keycloak does not offer the saml2-bearer grant).
 * After a real SAML login through Keycloak the gateway exchanged Keycloak's signed assertion there; the first proxied
 * request finds the exchanged access token within the refresh skew, so the gateway refreshes it at the same endpoint
 * and the upstream receives the refreshed tokens, exactly as for an OIDC login.
 */
@GatewayIT
class SamlTokenExchangeIT {
    private static final String CLIENT_SECRET = "exchange-secret-" + UUID.randomUUID();
    private static final List<Map<String, List<String>>> REQUESTS = new CopyOnWriteArrayList<>();
    private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    private static final String EXCHANGED_ACCESS = "exchanged-at-" + UUID.randomUUID();
    private static final String EXCHANGED_REFRESH = "exchanged-rt-" + UUID.randomUUID();
    private static final String REFRESHED_ACCESS = "refreshed-at-" + UUID.randomUUID();
    private static final String REFRESHED_REFRESH = "refreshed-rt-" + UUID.randomUUID();
    private static HttpServer tokenServer;

    private final ObjectMapper json = new ObjectMapper();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() throws IOException {
        List.of(CLIENT_SECRET, EXCHANGED_ACCESS, EXCHANGED_REFRESH, REFRESHED_ACCESS, REFRESHED_REFRESH)
                .forEach(IssuedSecrets::record);
        tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tokenServer.createContext("/token", exchange -> {
            Map<String, List<String>> form = URLUtils.parseParameters(new String(
                    exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            REQUESTS.add(form);
            AUTHORIZATIONS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String grant = form.getOrDefault("grant_type", List.of("")).get(0);
            String body = switch (grant) {
                // 60 s is inside the gateway's 180 s refresh skew: the first request that uses it refreshes it.
                case "urn:ietf:params:oauth:grant-type:saml2-bearer" -> tokens(EXCHANGED_ACCESS, EXCHANGED_REFRESH, 60);
                case "refresh_token" -> List.of(EXCHANGED_REFRESH).equals(form.get("refresh_token"))
                        ? tokens(REFRESHED_ACCESS, REFRESHED_REFRESH, 3600) : null;
                default -> null;
            };
            byte[] bytes = (body == null ? "{\"error\":\"invalid_grant\"}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            exchange.sendResponseHeaders(body == null ? 400 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        tokenServer.start();
        return Deployments.withAddedContextParams("ROOT.war", Map.of(
                "login.providers.saml.tokenEndpoint", "http://127.0.0.1:" + tokenServer.getAddress().getPort()
                        + "/token",
                "login.providers.saml.clientID", "gateway-exchange",
                "login.providers.saml.clientSecret", CLIENT_SECRET));
    }

    private static String tokens(String access, String refresh, int lifetime) {
        return "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + lifetime
                + ",\"refresh_token\":\"" + refresh + "\"}";
    }

    @AfterAll
    static void stop() {
        if (tokenServer != null) {
            tokenServer.stop(0);
        }
    }

    @Test
    void exchangedTokensAreRefreshedAndInjectedIntoTheRoutesThatTakeTheUsersToken() throws Exception {
        Http http = new Http(base);
        String session = new KeycloakBrowser().logInWithSaml(http, "saml");

        Map<String, List<String>> exchange = REQUESTS.get(0);
        assertEquals(List.of("urn:ietf:params:oauth:grant-type:saml2-bearer"), exchange.get("grant_type"));
        String assertion = new String(Base64.getUrlDecoder().decode(exchange.get("assertion").get(0)),
                StandardCharsets.UTF_8);
        assertTrue(assertion.contains("Assertion") && assertion.contains(">demo<"), "Keycloak's assertion");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("gateway-exchange:" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(basic, AUTHORIZATIONS.get(0), "client_secret_basic");
        assertEquals(1, REQUESTS.size(), "no refresh before a request needs the token");

        HttpResponse<String> proxied = http.get("api/data/exchanged", "Cookie", session);
        assertEquals(200, proxied.statusCode(), proxied.body());
        JsonNode headers = json.readTree(proxied.body()).path("headers");
        assertEquals("Bearer " + REFRESHED_ACCESS, headers.path("authorization").asText(),
                "the refreshed access token reaches the upstream");
        assertEquals(REFRESHED_REFRESH, headers.path("renku-auth-refresh-token").asText());
        assertEquals(2, REQUESTS.size());
        assertEquals(List.of("refresh_token"), REQUESTS.get(1).get("grant_type"));
        assertEquals(List.of(EXCHANGED_REFRESH), REQUESTS.get(1).get("refresh_token"));
        assertEquals(basic, AUTHORIZATIONS.get(1), "the same client authentication as the exchange");

        HttpResponse<String> again = http.get("api/data/exchanged", "Cookie", session);
        assertEquals("Bearer " + REFRESHED_ACCESS, json.readTree(again.body()).path("headers").path("authorization")
                .asText(), "the refreshed tokens were stored in the session");
        assertEquals(2, REQUESTS.size(), "a fresh token is not refreshed again");
    }
}
