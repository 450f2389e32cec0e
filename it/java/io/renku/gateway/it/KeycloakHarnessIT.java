package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.harness.KeycloakExtension;
import io.renku.gateway.harness.KeycloakProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks that the harness's Keycloak serves the two realms the other integration tests rely on, with the clients,
 * user and token contents the gateway expects, and pins down Keycloak's redirect-URI and PKCE behaviour for them.
 */
@ExtendWith(KeycloakExtension.class)
class KeycloakHarnessIT {

  private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // any 43-char S256 value

  private final KeycloakProcess keycloak;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  KeycloakHarnessIT(KeycloakProcess keycloak) {
    this.keycloak = keycloak;
  }

  @ParameterizedTest
  @ValueSource(strings = {"renku", "gitlab"})
  void discoveryAnswersWithTheRealmIssuer(String realm) throws Exception {
    HttpResponse<String> response = get(keycloak.issuer(realm) + "/.well-known/openid-configuration");

    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> discovery = JSONObjectUtils.parse(response.body());
    assertEquals(keycloak.issuer(realm), discovery.get("issuer"));
    assertEquals(keycloak.issuer(realm) + "/protocol/openid-connect/token", discovery.get("token_endpoint"));
  }

  @Test
  void systemPropertyPointsAtTheRunningKeycloak() {
    assertEquals(keycloak.baseUrl(), System.getProperty(KeycloakExtension.URL_PROPERTY));
  }

  @Test
  void passwordGrantOnRenkuGivesDemoATokenForRenku() throws Exception {
    JWTClaimsSet claims = passwordGrant("renku", "renku", "renku-secret");

    assertTrue(claims.getAudience().contains("renku"), "aud " + claims.getAudience());
    assertEquals("demo", claims.getStringClaim("preferred_username"));
    assertEquals("demo@example.org", claims.getStringClaim("email"));
    assertEquals(keycloak.issuer("renku"), claims.getIssuer());
    assertEquals("renku", claims.getStringClaim("azp"));
  }

  @Test
  void passwordGrantOnPublicCliClientAlsoCarriesRenkuAudience() throws Exception {
    JWTClaimsSet claims = passwordGrant("renku", "renku-cli", null);

    assertTrue(claims.getAudience().contains("renku"), "aud " + claims.getAudience());
    assertEquals("demo", claims.getStringClaim("preferred_username"));
    assertEquals("renku-cli", claims.getStringClaim("azp"));
  }

  @Test
  void passwordGrantOnGitlabRealmGivesDemoATokenForTheGateway() throws Exception {
    JWTClaimsSet claims = passwordGrant("gitlab", "renku-gateway", "gitlab-secret");

    assertTrue(claims.getAudience().contains("renku-gateway"), "aud " + claims.getAudience());
    assertEquals("demo", claims.getStringClaim("preferred_username"));
    assertEquals(keycloak.issuer("gitlab"), claims.getIssuer());
  }

  @Test
  void wrongPasswordIsRejected() throws Exception {
    HttpResponse<String> response =
        postForm(
            tokenEndpoint("renku"),
            form("grant_type", "password", "client_id", "renku", "client_secret", "renku-secret",
                "username", "demo", "password", "not-demo"));

    assertEquals(400, response.statusCode()); // Keycloak answers invalid_grant with 400, not 401
    assertEquals("invalid_grant", JSONObjectUtils.parse(response.body()).get("error"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:54321/api/auth/callback", "http://127.0.0.1:8080/api/auth/callback"})
  void loopbackRedirectOnAnyPortShowsTheLoginForm(String redirectUri) throws Exception {
    HttpResponse<String> response = get(authorizationUrl("renku", "renku", redirectUri, true));

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("kc-form-login"), "expected the login form");
  }

  @Test
  void foreignRedirectIsRefused() throws Exception {
    HttpResponse<String> response =
        get(authorizationUrl("renku", "renku", "http://evil.example:8080/api/auth/callback", true));

    assertEquals(400, response.statusCode());
  }

  @Test
  void renkuClientRequiresPkce() throws Exception {
    String redirectUri = "http://localhost:54321/api/auth/callback";
    HttpResponse<String> response = get(authorizationUrl("renku", "renku", redirectUri, false));

    assertEquals(302, response.statusCode());
    String location = response.headers().firstValue("Location").orElse("");
    assertTrue(location.startsWith(redirectUri + "?error=invalid_request"), location);
  }

  @Test
  void gitlabClientLogsInWithoutPkce() throws Exception {
    HttpResponse<String> response =
        get(authorizationUrl("gitlab", "renku-gateway", "http://localhost:8080/api/auth/gitlab/callback", false));

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("kc-form-login"), "expected the login form");
  }

  private JWTClaimsSet passwordGrant(String realm, String clientId, String clientSecret)
      throws IOException, InterruptedException, ParseException {
    Map<String, String> form = form("grant_type", "password", "client_id", clientId, "username", "demo",
        "password", "demo", "scope", "openid");
    if (clientSecret != null) {
      form.put("client_secret", clientSecret);
    }
    HttpResponse<String> response = postForm(tokenEndpoint(realm), form);
    assertEquals(200, response.statusCode(), "token endpoint of " + realm + " for " + clientId);
    Map<String, Object> tokens = JSONObjectUtils.parse(response.body());
    assertEquals("Bearer", tokens.get("token_type"));
    JWTClaimsSet claims = SignedJWT.parse((String) tokens.get("access_token")).getJWTClaimsSet();
    // expires_in counts from "now" and may read 299; exp - iat is the configured lifespan.
    long lifespanMillis = claims.getExpirationTime().getTime() - claims.getIssueTime().getTime();
    assertEquals(300_000L, lifespanMillis, "access-token lifespan");
    return claims;
  }

  private String tokenEndpoint(String realm) {
    return keycloak.issuer(realm) + "/protocol/openid-connect/token";
  }

  private String authorizationUrl(String realm, String clientId, String redirectUri, boolean pkce) {
    Map<String, String> query = form("response_type", "code", "client_id", clientId, "redirect_uri", redirectUri,
        "scope", "openid", "state", "s1", "nonce", "n1");
    if (pkce) {
      query.put("code_challenge", CHALLENGE);
      query.put("code_challenge_method", "S256");
    }
    return keycloak.issuer(realm) + "/protocol/openid-connect/auth?" + encode(query);
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> postForm(String url, Map<String, String> form)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> form(String... namesAndValues) {
    Map<String, String> form = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      form.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return form;
  }

  private static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
