package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.authz.rpc.AllowReply;
import io.renku.gateway.authz.rpc.AllowRequest;
import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.PasswordGrant;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /twirp/authx.rpc.Ability/Allowed} on the deployed WAR with real Keycloak tokens of the test realm,
 * whose demo user carries Option 2 grants in {@code scope} ({@code read:project:1}, {@code write:project:1},
 * {@code read:organization:1:group:2:*}, optionally {@code decide:ability}) and Option 1 grants as an object in the
 * claim {@code authz} ({@code read}/{@code write} below Project 1 of Group 1, {@code name}/{@code description} of
 * Group 1); the gateway reads both ({@code authz.scopeClaim=scope,authz}) and the policy file
 * {@code it/resources/authz/policy.json}. Both encodings, every Twirp error code, never a token in an answer.
 */
@GatewayIT
class AbilityIT {
    private static final String PATH = "twirp/authx.rpc.Ability/Allowed";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private String token;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @BeforeEach
    void demoToken() {
        token = PasswordGrant.demoAccessToken("renku", "renku-cli", null);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
        read  | gid://app/Project/1                                          | true
        read  | organization:1:group:7:project:1                             | true
        write | project:1                                                    | true
        read  | gid://app/Project/2                                          | false
        read  | gid://app/Organization/1/Group/1/Project/1/Issue/3           | true
        write | organization:1:group:1:project:1:issue:3                     | true
        read  | gid://app/Organization/1/Group/1?attributes[]=name           | true
        read  | gid://app/Organization/1/Group/1                             | false
        read  | gid://app/Organization/1/Group/2/Project/5                   | true
        read  | gid://app/Organization/1/Group/2                             | false
        admin | gid://app/Project/1                                          | false
        """)
    void aTokenSubjectIsAnsweredFromItsClaimsInJson(String permission, String resource, boolean expected)
            throws Exception {
        HttpResponse<String> response = postJson(request(token, permission, resource));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"result\":" + expected + "}", response.body(), "result is always written");
    }

    @Test
    void protobufRequestsGetProtobufAnswers() throws Exception {
        AllowRequest yes = AllowRequest.newBuilder().setSubject(token).setPermission("read")
                .setResource("gid://app/Project/1").build();
        HttpResponse<byte[]> allowed = postProtobuf(yes.toByteArray());
        assertEquals(200, allowed.statusCode());
        assertEquals("application/protobuf", allowed.headers().firstValue("Content-Type").orElse(""));
        assertTrue(AllowReply.parseFrom(allowed.body()).getResult());

        HttpResponse<byte[]> denied = postProtobuf(yes.toBuilder().setResource("project:2").build().toByteArray());
        assertEquals(200, denied.statusCode());
        assertArrayEquals(new byte[0], denied.body(), "false is proto3's default: an empty message");
        assertFalse(AllowReply.parseFrom(denied.body()).getResult());
    }

    @Test
    void anEmptySubjectIsTheCallerItself() throws Exception {
        HttpResponse<String> bearer = post(request("", "read", "project:1"), "application/json",
                "Authorization", "Bearer " + token);
        assertEquals("{\"result\":true}", bearer.body());
        HttpResponse<String> anonymous = postJson(request("", "read", "project:1"));
        assertTwirpError(anonymous, 401, "unauthenticated");
        HttpResponse<String> badHeader = post(request("", "read", "project:1"), "application/json",
                "Authorization", "Bearer not-a-valid.token.at-all");
        assertTwirpError(badHeader, 401, "unauthenticated");
    }

    @Test
    void aSubjectIdIsAnsweredFromThePolicyFileForADecider() throws Exception {
        String decider = PasswordGrant.demoAccessToken("renku", "renku-cli", null, "openid decide:ability");
        HttpResponse<String> below = post(request("gid://User/17", "read",
                "gid://app/Organization/1/Group/1/Project/1/Issue/1"), "application/json",
                "Authorization", "Bearer " + decider);
        assertEquals("{\"result\":true}", below.body());
        HttpResponse<String> option2 = post(request("gid://User/18", "read", "gid://app/Project/7"),
                "application/json", "Authorization", "Bearer " + decider);
        assertEquals("{\"result\":true}", option2.body());
        HttpResponse<String> unknown = post(request("gid://User/99", "read", "gid://app/Project/7"),
                "application/json", "Authorization", "Bearer " + decider);
        assertEquals("{\"result\":false}", unknown.body(), "a subject without an entry has no grants");
    }

    @Test
    void aCallerWithoutDecideCannotAskAboutOthers() throws Exception {
        HttpResponse<String> decideLess = post(request("gid://User/17", "read", "project:1"), "application/json",
                "Authorization", "Bearer " + token);
        assertTwirpError(decideLess, 403, "permission_denied");
        assertTwirpError(postJson(request("gid://User/17", "read", "project:1")), 403, "permission_denied");
    }

    @Test
    void invalidArgumentsNameTheField() throws Exception {
        JsonNode permission = assertTwirpError(postJson(request(token, "", "project:1")), 400, "invalid_argument");
        assertEquals("permission", permission.path("meta").path("argument").asText());
        JsonNode resource = assertTwirpError(postJson(request(token, "read", "project:*")), 400,
                "invalid_argument");
        assertEquals("resource", resource.path("meta").path("argument").asText());
        JsonNode other = assertTwirpError(postJson(request(token, "read", "gid://other/Project/1")), 400,
                "invalid_argument");
        assertEquals("resource", other.path("meta").path("argument").asText());
    }

    @Test
    void bodiesThatDoNotDecodeAreMalformed() throws Exception {
        assertTwirpError(post("{\"subject\": ", "application/json"), 400, "malformed");
        assertTwirpError(post("{\"permission\": 5, \"resource\": {}}", "application/json"), 400, "malformed");
        // JsonFormat takes a one-element array or a number for a string (the reference parser's leniency); two are not
        assertTwirpError(post("{\"subject\": [\"a\", \"" + token + "\"]}", "application/json"), 400, "malformed");
        assertTwirpError(post("{\"subject\": \"" + token + "\", \"permission\": {\"x\": \"" + token + "\"}}",
                "application/json"), 400, "malformed");
        HttpResponse<byte[]> garbage = http.send(HttpRequest.newBuilder(URI.create(base + PATH))
                .header("Content-Type", "application/protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xff, 0x01})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(400, garbage.statusCode());
        assertEquals("malformed", json.readTree(garbage.body()).path("code").asText());
    }

    @Test
    void anInvalidSubjectTokenIsUnauthenticatedAndNeverEchoed() throws Exception {
        String[] parts = token.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[0] ^= 1;
        String altered = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(signature);
        HttpResponse<String> response = postJson(request(altered, "read", "project:1"));
        assertTwirpError(response, 401, "unauthenticated");
        assertFalse(response.body().contains(parts[1]), "the token is not in the answer");
        String other = PasswordGrant.demoAccessToken("renku", "other-app", null);
        assertTwirpError(postJson(request(other, "read", "project:1")), 401, "unauthenticated");
    }

    @Test
    void anIssuerThatCannotBeReachedIsUnavailable() throws Exception {
        // Signed by nobody, from the configured issuer at a closed port: deciding needs its keys, which cannot come.
        String header = b64("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
        String payload = b64("{\"iss\":\"http://127.0.0.1:1/realms/down\",\"sub\":\"x\",\"aud\":\"renku\","
                + "\"exp\":4102444800}");
        String unreachable = header + "." + payload + "." + b64("signature");
        HttpResponse<String> response = postJson(request(unreachable, "read", "project:1"));
        assertTwirpError(response, 503, "unavailable");
        assertFalse(response.body().contains(payload));
    }

    @ParameterizedTest(name = "{0} {1} ({2}) is bad_route")
    @CsvSource(delimiter = '|', textBlock = """
        GET  | twirp/authx.rpc.Ability/Allowed  | application/json
        PUT  | twirp/authx.rpc.Ability/Allowed  | application/json
        POST | twirp/authx.rpc.Ability/Denied   | application/json
        POST | twirp/authx.rpc.Ability          | application/json
        POST | twirp/authx.rpc.Ability/Allowed  | text/plain
        POST | twirp/authx.rpc.Ability/Allowed  | application/x-www-form-urlencoded
        """)
    void wrongMethodPathOrContentTypeIsBadRoute(String method, String path, String type) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(request(token, "read", "project:1"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTwirpError(response, 404, "bad_route");
        assertFalse(response.body().contains(token));
    }

    private JsonNode assertTwirpError(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode error = json.readTree(response.body());
        assertEquals(code, error.path("code").asText(), response.body());
        assertFalse(error.path("msg").asText().isEmpty());
        assertTrue(error.path("meta").isObject(), "meta is always an object");
        assertFalse(response.body().contains(token), "never the token in a message");
        return error;
    }

    private String request(String subject, String permission, String resource) throws Exception {
        return json.writeValueAsString(json.createObjectNode().put("subject", subject).put("permission", permission)
                .put("resource", resource));
    }

    private HttpResponse<String> postJson(String body) throws Exception {
        return post(body, "application/json");
    }

    private HttpResponse<String> post(String body, String type, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + PATH)).header("Content-Type", type)
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> postProtobuf(byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + PATH)).header("Content-Type", "application/protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
