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
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The one real-browser test of the whole chain: headless Debian Chromium, driven by Debian's chromedriver through
 * Selenium (never Selenium Manager, which would try to download a browser), logs the demo user in at the renku realm
 * and then at the realm playing GitLab, lands on the echo upstream's JSON through the gateway with both injected
 * tokens, logs out through Keycloak, and is anonymous afterwards. What the other tests post by hand (cookies, forms,
 * redirects) is here done by a browser, so cookie attributes ({@code SameSite}, {@code Secure}) are really applied.
 *
 * <p>The gateway's cookie is {@code Secure} and every server here is plain http on 127.0.0.1 (Keycloak's issuer is
 * pinned to it), so the browser is told to treat the gateway's and Keycloak's origins as secure
 * ({@code --unsafely-treat-insecure-origin-as-secure}), as they would be behind TLS: the deployment keeps its
 * production cookie settings. A failure leaves a screenshot in {@code target/browser-login-failure.png}.
 */
@GatewayIT
class BrowserLoginIT {
    private final ObjectMapper json = new ObjectMapper();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void aBrowserLogsInAtBothProvidersReachesTheUpstreamWithTokensAndLogsOut() throws Exception {
        Path profile = Files.createTempDirectory("gateway-chromium-");
        WebDriver driver = start(profile);
        try {
            String gateway = base.toString().replaceAll("/$", "");
            driver.get(gateway + "/api/auth/login?redirect_url=" + enc(gateway + "/api/data/after-login"));
            logIn(driver, "renku");
            logIn(driver, "gitlab");
            waitFor(driver, gateway + "/api/data/after-login");
            JsonNode echoed = json.readTree(driver.findElement(By.tagName("pre")).getText());
            JsonNode headers = echoed.path("headers");
            assertTrue(headers.path("authorization").asText().startsWith("Bearer "), headers.toString());
            assertFalse(headers.path("gitlab-access-token").asText().isEmpty(), headers.toString());
            assertTrue(headers.path("cookie").isMissingNode() || !headers.path("cookie").asText()
                    .contains("_renku_session"), "the session cookie is not forwarded");

            demoPageShowsTheUserAndWhatTheDataServiceReceives(driver, gateway);

            Cookie session = driver.manage().getCookieNamed("_renku_session");
            assertTrue(session != null && session.isHttpOnly() && session.isSecure(), String.valueOf(session));
            Http http = new Http(base);
            String cookie = "_renku_session=" + session.getValue();
            assertEquals(200, http.get("api/auth/user", "Cookie", cookie).statusCode());

            driver.get(gateway + "/api/auth/logout?redirect_url=" + enc(gateway + "/api/data/after-logout"));
            waitFor(driver, gateway + "/api/data/after-logout");
            assertEquals(401, http.get("api/auth/user", "Cookie", cookie).statusCode(), "the old cookie is dead");
            Cookie now = driver.manage().getCookieNamed("_renku_session");
            if (now != null) {
                assertEquals(401, http.get("api/auth/user", "Cookie", "_renku_session=" + now.getValue())
                        .statusCode(), "the browser's cookie is no longer logged in");
            }
            driver.get(gateway + "/api/auth/login?provider_id=renku&redirect_url=" + enc(gateway + "/api/data/again"));
            until(driver, d -> !d.findElements(By.id("username")).isEmpty(), "Keycloak's login form");
            assertTrue(driver.getCurrentUrl().startsWith(PasswordGrant.issuer("renku")),
                    "Keycloak asks for the password again: its session ended too");
        } catch (AssertionError | RuntimeException e) {
            screenshot(driver);
            throw e;
        } finally {
            driver.quit();
            deleteRecursively(profile);
        }
    }

    /**
     * SAML through the browser: Keycloak (realm {@code renku} as SAML IdP) shows its login form, then posts the
     * SAMLResponse to the gateway's assertion consumer service with its auto-submitting form, and the upstream gets
     * the gateway-signed {@code Renku-Auth-Identity} of the SAML user.
     */
    @Test
    void aBrowserLogsInWithSamlAndTheUpstreamLearnsWhoThatIs() throws Exception {
        Path profile = Files.createTempDirectory("gateway-chromium-");
        WebDriver driver = start(profile);
        try {
            String gateway = base.toString().replaceAll("/$", "");
            driver.get(gateway + "/api/auth/login?provider_id=saml&redirect_url=" + enc(gateway
                    + "/api/data/after-saml"));
            logIn(driver, "renku");
            waitFor(driver, gateway + "/api/data/after-saml");
            JsonNode headers = json.readTree(driver.findElement(By.tagName("pre")).getText()).path("headers");
            String identity = headers.path("renku-auth-identity").asText();
            assertEquals(3, identity.split("\\.").length, "a JWT: " + headers);
            Cookie session = driver.manage().getCookieNamed("_renku_session");
            JsonNode user = json.readTree(new Http(base).get("api/auth/user", "Cookie", "_renku_session="
                    + session.getValue()).body());
            assertEquals("demo", user.path("sub").asText());
            assertEquals("saml", user.path("login_provider").asText());
        } catch (AssertionError | RuntimeException e) {
            screenshot(driver);
            throw e;
        } finally {
            driver.quit();
            deleteRecursively(profile);
        }
    }

    /**
     * The demo's page (it/resources/demo-ui, the UI stand-in that {@code mvn -Pdemo} serves at {@code /}), here
     * through a data-service route because the ITs' UI upstream is a closed port: its script asks the gateway who is
     * logged in and shows what the data service received. Leaves target/demo-page.png (the README's screenshot).
     */
    private static void demoPageShowsTheUserAndWhatTheDataServiceReceives(WebDriver driver, String gateway)
            throws IOException {
        driver.get(gateway + "/api/data/ui?page=demo-ui");
        until(driver, d -> d.findElement(By.id("who")).getText().startsWith("Logged in as"), "the demo page's user");
        String how = driver.findElement(By.id("how")).getText();
        assertTrue(how.startsWith("by session") && how.contains("renku") && how.contains("gitlab"), how);
        driver.findElement(By.id("call-data")).click();
        until(driver, d -> !d.findElements(By.cssSelector("tr[data-header='authorization']")).isEmpty(),
                "the data service's headers on the demo page");
        String authorization = driver.findElement(By.cssSelector("tr[data-header='authorization']")).getText();
        assertTrue(authorization.contains("Bearer") && authorization.contains("chars"), authorization);
        File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of("target", "demo-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebDriver start(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1100,1000",
                "--unsafely-treat-insecure-origin-as-secure=" + PasswordGrant.keycloakUrl() + ",http://127.0.0.1:"
                        + System.getProperty("it.tomcat.port"));
        return new ChromeDriver(service, options);
    }

    /** Fills the Keycloak login form of {@code realm} for demo/demo. */
    private static void logIn(WebDriver driver, String realm) {
        until(driver, d -> d.getCurrentUrl().startsWith(PasswordGrant.issuer(realm) + "/")
                && !d.findElements(By.id("kc-login")).isEmpty(), "the login form of realm " + realm);
        driver.findElement(By.id("username")).sendKeys("demo");
        driver.findElement(By.id("password")).sendKeys("demo");
        driver.findElement(By.id("kc-login")).click();
    }

    private static void waitFor(WebDriver driver, String urlPrefix) {
        until(driver, d -> d.getCurrentUrl().startsWith(urlPrefix), urlPrefix);
    }

    /** Polls {@code condition} for up to 30 s (selenium-support's waits are not among the dependencies). */
    private static void until(WebDriver driver, Predicate<WebDriver> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.test(driver)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited 30 s for " + what + "; the browser is at " + driver.getCurrentUrl());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static void screenshot(WebDriver driver) {
        try {
            File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "browser-login-failure.png");
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            System.err.println("BrowserLoginIT: screenshot of the failure in " + target.toAbsolutePath() + " (page "
                    + driver.getCurrentUrl() + ")");
        } catch (IOException | RuntimeException e) {
            System.err.println("BrowserLoginIT: no screenshot: " + e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
