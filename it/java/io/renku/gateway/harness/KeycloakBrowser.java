package io.renku.gateway.harness;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keycloak's side of a browser for tests that log in without one: its cookies kept by name, its login form read and
 * posted, no redirects followed. A {@link java.net.CookieManager} does not do here: Keycloak marks its cookies
 * {@code Secure} (with {@code SameSite=None}) even on plain http, and the JDK's jar then never sends them back over
 * http, so Keycloak answers "Restart login cookie not found". The cookies are sent by hand instead, as a browser does
 * on localhost. {@link #logInThroughGateway} runs the gateway's whole login chain with it.
 */
public final class KeycloakBrowser {
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*\\saction=\"([^\"]+)\"");

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();

    /** Logs the demo user in at {@code authorize} and returns where Keycloak sends the browser back to. */
    public String logIn(String authorize) throws IOException, InterruptedException {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(authorize)).GET());
        check(page.statusCode() == 200, "Keycloak's login page answered " + page.statusCode());
        Matcher action = FORM_ACTION.matcher(page.body());
        check(action.find(), "Keycloak's login form");
        String url = action.group(1).replace("&amp;", "&");
        HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=demo&password=demo&credentialId=")));
        check(posted.statusCode() == 302, "Keycloak's login form answered " + posted.statusCode());
        IssuedSecrets.recordFromUrl(authorize);
        IssuedSecrets.recordFromUrl(location(posted));
        return location(posted);
    }

    /**
     * Logs the demo user in at {@code url} and returns Keycloak's answer to the posted credentials as it is: a 302 for
     * a plain OIDC login, a page for a consent screen or a SAML POST-binding form.
     */
    public HttpResponse<String> postCredentials(String url) throws IOException, InterruptedException {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(url)).GET());
        check(page.statusCode() == 200, "Keycloak's login page answered " + page.statusCode());
        return followAtKeycloak(submit(page, Map.of("username", "demo", "password", "demo", "credentialId", "")));
    }

    /** Follows Keycloak's redirects to its own pages (a consent screen may be one hop away); others are returned. */
    public HttpResponse<String> followAtKeycloak(HttpResponse<String> response)
            throws IOException, InterruptedException {
        HttpResponse<String> current = response;
        for (int i = 0; i < 5 && current.statusCode() == 302; i++) {
            URI next = current.uri().resolve(location(current));
            if (!next.toString().startsWith(PasswordGrant.keycloakUrl())) {
                return current;
            }
            current = send(HttpRequest.newBuilder(next).GET());
        }
        return current;
    }

    /** Posts the first form of {@code page} to its action with its hidden fields plus {@code fields}. */
    public HttpResponse<String> submit(HttpResponse<String> page, Map<String, String> fields)
            throws IOException, InterruptedException {
        String html = page.body();
        Matcher action = FORM_ACTION.matcher(html);
        check(action.find(), "a form in the page");
        Map<String, String> all = new LinkedHashMap<>(hiddenFields(html));
        all.putAll(fields);
        return send(HttpRequest.newBuilder(page.uri().resolve(unescape(action.group(1))))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(all))));
    }

    /** The action of the first form of {@code html}, un-escaped. */
    public static String formAction(String html) {
        Matcher action = FORM_ACTION.matcher(html);
        check(action.find(), "a form in the page");
        return unescape(action.group(1));
    }

    /** The hidden inputs of {@code html} by name (Keycloak's SAML POST form: SAMLResponse, RelayState). */
    public static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher input = Pattern.compile("<input[^>]*type=\"hidden\"[^>]*>").matcher(html);
        while (input.find()) {
            Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(input.group());
            Matcher value = Pattern.compile("value=\"([^\"]*)\"").matcher(input.group());
            if (name.find()) {
                fields.put(name.group(1), value.find() ? unescape(value.group(1)) : "");
            }
        }
        return fields;
    }

    /** An {@code application/x-www-form-urlencoded} body. */
    public static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static String unescape(String html) {
        return html.replace("&#x3d;", "=").replace("&#x2b;", "+").replace("&#x2f;", "/").replace("&#61;", "=")
                .replace("&#43;", "+").replace("&#47;", "/").replace("&quot;", "\"").replace("&amp;", "&");
    }

    /** A GET at Keycloak with its cookies, redirects not followed. */
    public HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /**
     * The gateway's whole login chain for the demo user, starting at {@code /api/auth/login?redirect_url=target}: every
     * provider's form is posted, every callback taken. Returns the final session cookie as a {@code Cookie} header.
     */
    public String logInThroughGateway(Http http, URL base, String target) throws IOException, InterruptedException {
        return logInThroughGateway(http, base, target, PasswordGrant.keycloakUrl());
    }

    /** As above, at the Keycloak at {@code keycloakUrl} (a drill's own, not the run's). */
    public String logInThroughGateway(Http http, URL base, String target, String keycloakUrl)
            throws IOException, InterruptedException {
        HttpResponse<String> step = http.get("api/auth/login?redirect_url="
                + URLEncoder.encode(target, StandardCharsets.UTF_8));
        String cookie = cookie(step, null);
        for (int i = 0; i < 5; i++) {
            check(step.statusCode() == 302, "the gateway answered " + step.statusCode() + ": " + step.body());
            String next = location(step);
            if (!next.startsWith(keycloakUrl)) {
                return cookie;
            }
            String callback = logIn(next);
            check(callback.startsWith(base.toString()), "Keycloak sent the browser elsewhere");
            step = http.get(callback.substring(base.toString().length()), "Cookie", cookie);
            cookie = cookie(step, cookie);
        }
        throw new AssertionError("the login chain did not end");
    }

    /**
     * A SAML login of the demo user through the gateway's provider {@code providerId}: the AuthnRequest followed to
     * Keycloak, the credentials posted, Keycloak's POST-binding form posted to the gateway's ACS. Returns the session
     * cookie as a {@code Cookie} header.
     */
    public String logInWithSaml(Http http, String providerId) throws IOException, InterruptedException {
        HttpResponse<String> started = http.get("api/auth/saml/new?provider_id="
                + URLEncoder.encode(providerId, StandardCharsets.UTF_8));
        check(started.statusCode() == 302, "the gateway answered " + started.statusCode() + ": " + started.body());
        String cookie = cookie(started, null);
        HttpResponse<String> form = postCredentials(location(started));
        check(form.statusCode() == 200, "Keycloak answered " + form.statusCode() + " instead of its POST form");
        String samlResponse = hiddenFields(form.body()).get("SAMLResponse");
        check(samlResponse != null, "Keycloak's form carries a SAMLResponse");
        HttpResponse<String> done = http.postForm("api/auth/saml/assertions", form(Map.of("SAMLResponse",
                samlResponse)), "Cookie", cookie, "Accept", "text/html");
        check(done.statusCode() == 302, "the gateway's ACS answered " + done.statusCode() + ": " + done.body());
        return cookie(done, cookie);
    }

    /** {@code absolute} as a path relative to the gateway at {@code base}. */
    public static String relative(URL base, String absolute) {
        check(absolute.startsWith(base.toString()), absolute + " is not on " + base);
        return absolute.substring(base.toString().length());
    }

    public static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location"));
    }

    /** The gateway's cookie as a Cookie header: the one just set, or {@code previous} when none was set. */
    public static String cookie(HttpResponse<String> response, String previous) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("_renku_session="))
                .reduce((a, b) -> b).map(c -> c.substring(0, c.indexOf(';')))
                .map(c -> {
                    IssuedSecrets.record(c.substring(c.indexOf('=') + 1));
                    return c;
                })
                .orElseGet(() -> {
                    if (previous == null) {
                        throw new AssertionError("the gateway set no session cookie");
                    }
                    return previous;
                });
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
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
