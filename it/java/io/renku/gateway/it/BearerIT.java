package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import io.renku.gateway.harness.PasswordGrant;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Bearer and Basic credentials with real tokens from the real Keycloak: each becomes an ephemeral identity (no
 * cookie, nothing stored), and every kind of bad token is a 401 problem with an RFC 6750 challenge.
 */
@GatewayIT
class BearerIT {
    private final ObjectMapper json = new ObjectMapper();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void validBearerTokenIsAnEphemeralIdentity() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        HttpResponse<String> response = new Http(base).get("api/auth/user", "Authorization", "Bearer " + token);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode user = json.readTree(response.body());
        assertEquals("demo", user.path("preferred_username").asText());
        assertEquals("bearer", user.path("authenticated_by").asText());
        assertEquals(PasswordGrant.issuer("renku"), user.path("issuer").asText());
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty(), "an ephemeral session sets no cookie");
    }

    @Test
    void validatedBearerTokenIsForwardedAndNoSessionIsMade() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        HttpResponse<String> response = new Http(base).get("api/data/projects", "Authorization", "Bearer " + token,
                "Renku-Auth-Refresh-Token", "forged", "Renku-Auth-Anon-Id", "anon-forged");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode headers = json.readTree(response.body()).path("headers");
        assertEquals("Bearer " + token, headers.path("authorization").asText());
        assertTrue(headers.path("renku-auth-refresh-token").isMissingNode(), "client-sent credential headers are dropped");
        assertTrue(headers.path("renku-auth-anon-id").isMissingNode());
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty(), "a bearer caller gets no session");
    }

    @Test
    void tokenAsBasicPasswordWorksWithAnyUserName() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku-cli", null);
        String basic = Base64.getEncoder().encodeToString(("whoever:" + token).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = new Http(base).get("api/auth/user", "Authorization", "Basic " + basic);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("basic", json.readTree(response.body()).path("authenticated_by").asText());
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty());
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku-short-lived", null);
        Thread.sleep(4000); // lives 2 s; the deployment allows 1 s of clock skew
        assertRefused("Bearer " + token, "expired");
    }

    @Test
    void tokenForAnotherAudienceIsRefused() throws Exception {
        assertRefused("Bearer " + PasswordGrant.demoAccessToken("renku", "other-app", null), "audience");
    }

    @Test
    void tokenFromAnotherIssuerIsRefused() throws Exception {
        assertRefused("Bearer " + PasswordGrant.demoAccessToken("gitlab", "renku-gateway", "gitlab-secret"),
                "issuer");
    }

    @Test
    void alteredSignatureIsRefused() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        String[] parts = token.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[0] ^= 1;
        String altered = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(signature);
        assertRefused("Bearer " + altered, "signature");
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        String token = PasswordGrant.demoAccessToken("renku", "renku", "renku-secret");
        String payload = token.split("\\.")[1];
        String header = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        assertRefused("Bearer " + header + "." + payload + ".", "");
    }

    @Test
    void malformedHeadersAreClientErrorsNeverServerErrors() {
        for (String header : new String[] {"Bearer", "Bearer  ", "Basic !!!", "Basic " + Base64.getEncoder()
                .encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)), "Digest abc", "Bearer a b"}) {
            HttpResponse<String> response = new Http(base).get("api/auth/user", "Authorization", header);
            assertTrue(response.statusCode() == 400 || response.statusCode() == 401,
                    header + " gave " + response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), header);
        }
    }

    private void assertRefused(String authorization, String reason) throws Exception {
        HttpResponse<String> response = new Http(base).get("api/auth/user", "Authorization", authorization);
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer") && challenge.contains("error=\"invalid_token\""), challenge);
        String detail = json.readTree(response.body()).path("detail").asText();
        assertTrue(detail.toLowerCase().contains(reason), "detail should say why: " + detail);
        assertFalse(response.body().contains(authorization.substring(7)), "the token is echoed back");
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty());
    }
}
