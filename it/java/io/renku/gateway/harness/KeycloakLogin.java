package io.renku.gateway.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A login through the gateway and the real Keycloak without a browser, shared by the tests that need a logged-in
 * session: the gateway sends us to a realm, we post the demo user's credentials to its login form, Keycloak sends us
 * back with a code. Both Keycloak's cookies and the gateway's are {@code Secure}, so over these plain-http test
 * connections they are sent by hand, as a browser on https would.
 */
public final class KeycloakLogin {
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*\\saction=\"([^\"]+)\"");

    private KeycloakLogin() {
    }

    /** The whole default chain (renku, then gitlab) on the gateway at {@code base}; the session's Cookie header. */
    public static String logIn(URL base) throws IOException, InterruptedException {
        Http http = new Http(base);
        Browser keycloak = new Browser();
        HttpResponse<String> start = http.get("api/auth/login");
        assertEquals(302, start.statusCode(), start.body());
        String cookie = cookie(start, null);
        String next = location(start);
        while (!next.startsWith(base.toString()) || next.contains("/api/auth/callback")) {
            String callback = next.contains("/api/auth/callback") ? next : keycloak.logIn(next);
            HttpResponse<String> step = http.get(relative(base, callback), "Cookie", cookie);
            assertEquals(302, step.statusCode(), step.body());
            cookie = cookie(step, cookie);
            next = location(step);
        }
        return cookie;
    }

    public static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location"));
    }

    public static String relative(URL base, String absolute) {
        assertTrue(absolute.startsWith(base.toString()), absolute);
        return absolute.substring(base.toString().length());
    }

    /** The gateway's cookie as a Cookie header: the one just set, or {@code previous} when none was set. */
    public static String cookie(HttpResponse<String> response, String previous) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_renku_session="))
                .reduce((a, b) -> b).map(c -> c.substring(0, c.indexOf(';')))
                .orElseGet(() -> {
                    if (previous == null) {
                        throw new AssertionError("the gateway set no session cookie");
                    }
                    return previous;
                });
    }

    /**
     * Keycloak's side of a browser: its cookies kept by name, its login form read and posted, no redirects followed.
     * A {@link java.net.CookieManager} does not do here: Keycloak marks its cookies {@code Secure} (with
     * {@code SameSite=None}) even on plain http, and the JDK's jar then never sends them back over http, so Keycloak
     * answers "Restart login cookie not found". The cookies are sent by hand instead, as a browser does on localhost.
     */
    public static final class Browser {
        private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final Map<String, String> cookies = new LinkedHashMap<>();

        /** Logs the demo user in at {@code authorize} and returns where Keycloak sends the browser back to. */
        public String logIn(String authorize) throws IOException, InterruptedException {
            HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(authorize)).GET());
            if (page.statusCode() == 302) {
                return location(page); // still logged in at Keycloak (SSO cookie)
            }
            assertEquals(200, page.statusCode(), page.body());
            Matcher action = FORM_ACTION.matcher(page.body());
            assertTrue(action.find(), "Keycloak's login form");
            String url = action.group(1).replace("&amp;", "&");
            HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=demo&password=demo&credentialId=")));
            assertEquals(302, posted.statusCode(), posted.body());
            return location(posted);
        }

        private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            if (!cookies.isEmpty()) {
                request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("; ")));
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String setCookie : response.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1);
                if (value.isEmpty() || setCookie.toLowerCase(Locale.ROOT).contains("max-age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return response;
        }
    }
}
