package io.renku.gateway.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code mvn -Pdemo}: the demo stack on this machine, built from the same harness the integration tests use.
 * Keycloak with the demo realms, an echo upstream as the data service, and the gateway WAR in Tomcat at
 * {@code http://localhost:8080/}. Settings are overridden as anywhere else ({@code -Dname=value} on the Maven command
 * line or {@code GATEWAY_…} variables); the demo only fills in what the user left unset. Ctrl-C or SIGTERM stops
 * everything it started.
 */
public final class Demo {
    private static final List<String> SETTING_PREFIXES = List.of("redis.", "sessions.", "login.", "revproxy.",
            "authz.", "gateway.", "monitoring.", "logging.", "server.");

    private final Started started = new Started(Demo::say);

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException(
                    "usage: Demo <tomcat-home> <tomcat-base> <war> <keycloak-home> <server-config-dir>");
        }
        new Demo().run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]));
    }

    private void run(Path tomcatHome, Path tomcatBase, Path war, Path keycloakHome, Path serverConfig)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping everything the demo started ...");
            started.close();
            stopped.countDown();
        }, "demo-stop"));

        int gatewayPort = Integer.getInteger("demo.port", 8080);
        int keycloakPort = Integer.getInteger("demo.keycloak.port", 8180);
        int keycloakManagementPort = Integer.getInteger("demo.keycloak.managementPort", 9180);
        int echoPort = Integer.getInteger("demo.echo.port", 8090);
        int uiPort = Integer.getInteger("demo.ui.port", 8091);
        Path work = tomcatBase.getParent();

        try {
            say("starting the echo upstream (plays the data service) on port " + echoPort);
            EchoUpstream echo = EchoUpstream.start(echoPort);
            started.add(echo);
            say("starting the demo page (plays Renku's UI server) on port " + uiPort);
            DemoUi ui = DemoUi.start(uiPort);
            started.add(ui);

            say("starting Keycloak on port " + keycloakPort + " (the first start builds Keycloak: about a minute)");
            KeycloakProcess keycloak = KeycloakProcess.start(keycloakHome, keycloakPort, keycloakManagementPort,
                    serverConfig.resolve("keycloak"), work.resolve("keycloak.log"), KeycloakProcess.DEFAULT_START_TIMEOUT,
                    line -> say("  keycloak: " + line));
            started.add(keycloak);

            Map<String, String> settings = new LinkedHashMap<>();
            defaultSetting(settings, "revproxy.renkuServices.dataService", echo.url());
            defaultSetting(settings, "revproxy.renkuServices.uiServer", ui.url());
            // Tokens a Renku CLI user gets from Keycloak (clients renku and renku-cli) are accepted as Bearer tokens.
            defaultSetting(settings, "sessions.authorizationVerifiers", keycloak.issuer("renku") + "|renku,"
                    + keycloak.issuer("renku") + "|renku-cli");
            // Demo-only keys (public in this repository); a real install generates its own: openssl rand -base64 32
            defaultSetting(settings, "sessions.cookieSigningKeys", "ZGVtby1vbmx5LWNvb2tpZS1zaWduaW5nLWtleS0wMDA=");
            defaultSetting(settings, "login.tokenEncryption.secretKey", "ZGVtby1vbmx5LXRva2VuLWVuY3J5cHRpb24ta2V5MDA=");
            defaultSetting(settings, "sessions.cookieSecure", "false");
            defaultSetting(settings, "login.renkuBaseURL", "http://localhost:" + gatewayPort);
            defaultSetting(settings, "login.providers.renku.issuer", keycloak.issuer("renku"));
            defaultSetting(settings, "login.providers.renku.clientID", "renku");
            defaultSetting(settings, "login.providers.renku.clientSecret", "renku-secret");
            defaultSetting(settings, "login.providers.gitlab.issuer", keycloak.issuer("gitlab"));
            defaultSetting(settings, "login.providers.gitlab.clientID", "renku-gateway");
            defaultSetting(settings, "login.providers.gitlab.clientSecret", "gitlab-secret");
            // Authorization (README "Authorization"): both grant formats of the demo realm, the demo policy file, and
            // one edge rule on the data service's projects.
            defaultSetting(settings, "authz.scopeClaim", "scope,authz");
            defaultSetting(settings, "authz.policyFile", serverConfig.resolve("authz/demo-policy.json").toString());
            defaultSetting(settings, "authz.rules", "projects");
            defaultSetting(settings, "authz.rules.projects.path", "/api/data/projects/{id}/**");
            defaultSetting(settings, "authz.rules.projects.permission", "auto");
            defaultSetting(settings, "authz.rules.projects.resource", "gid://app/Project/{id}");
            // The second design's flows: Keycloak as a SAML IdP (client renku-gateway-saml, signed assertions) and an
            // OIDC client that asks for consent, both alternatives to renku (provider_id=saml|oidc-consent).
            defaultSetting(settings, "login.additionalProviders", "saml,oidc-consent");
            defaultSetting(settings, "login.providers.saml.type", "saml");
            defaultSetting(settings, "login.providers.saml.idpMetadataURL",
                    keycloak.issuer("renku") + "/protocol/saml/descriptor");
            defaultSetting(settings, "login.providers.saml.spEntityID", "renku-gateway-saml");
            defaultSetting(settings, "login.providers.oidc-consent.issuer", keycloak.issuer("renku"));
            defaultSetting(settings, "login.providers.oidc-consent.clientID", "renku-consent");
            defaultSetting(settings, "login.providers.oidc-consent.clientSecret", "consent-secret");
            defaultSetting(settings, "revproxy.identityAssertion", "true");
            defaultSetting(settings, "revproxy.identityAssertion.signingKey", "{\"kty\":\"EC\",\"d\":"
                    + "\"NdqDz7gw5n_GpirY37AAzHUE5uPix4ikymqBJkMktd4\",\"crv\":\"P-256\",\"kid\":\"demo-1\","
                    + "\"x\":\"tuoaKGrjXYrnyt212CcAcB6YQG5IyM_A99G4t_laIu4\",\"y\":\"FbUOtWeH6gcIFry4R0ilWV4X2qhi9AVQWde-y-5sp9M\"}");
            forwardUserSettings(settings);

            say("starting the gateway in Tomcat on port " + gatewayPort);
            TomcatProcess tomcat = TomcatProcess.start(tomcatHome, tomcatBase, war, gatewayPort, settings);
            started.add(tomcat);
            tomcat.awaitOk("ready", Duration.ofSeconds(120), line -> say("  " + line));

            say("");
            say("The demo is up.");
            say("  open           " + tomcat.url() + "   in a browser: who is logged in, log in / out, what the "
                    + "data service receives");
            say("  gateway        " + tomcat.url() + "   (health: " + tomcat.url() + "health, ready: "
                    + tomcat.url() + "ready, metrics: " + tomcat.url() + "metrics)");
            say("  data service   " + tomcat.url() + "api/data/anything  -> echo upstream " + echo.url());
            say("  Keycloak       " + keycloak.baseUrl() + "/admin   (admin / admin)");
            say("  realms         renku: " + keycloak.issuer("renku") + "   gitlab: " + keycloak.issuer("gitlab"));
            say("  demo user      demo / demo (in both realms)");
            say("  log in         " + tomcat.url() + "api/auth/login   (then " + tomcat.url() + "api/auth/user)");
            say("  Bearer token   TOKEN=$(curl -s -d grant_type=password -d client_id=renku-cli -d username=demo "
                    + "-d password=demo " + keycloak.issuer("renku") + "/protocol/openid-connect/token | jq -r "
                    + ".access_token)");
            say("                 curl -H \"Authorization: Bearer $TOKEN\" " + tomcat.url() + "api/data/projects");
            say("  decisions      POST " + tomcat.url() + "twirp/authx.rpc.Ability/Allowed   (README: Authorization)");
            say("  SAML login     " + tomcat.url() + "api/auth/login?provider_id=saml   (Keycloak as the SAML IdP)");
            say("  with consent   " + tomcat.url() + "api/auth/login?provider_id=oidc-consent   (OIDC, consent screen)");
            say("  identity keys  " + tomcat.url() + "api/auth/.well-known/jwks.json   (Renku-Auth-Identity)");
            say("  sessions       " + (System.getenv("GATEWAY_REDIS_ADDRESSES") != null
                    || System.getProperty("redis.addresses") != null ? "in Redis" : "in memory (single node)"));
            say("  logs           " + work);
            say("Press Ctrl-C to stop.");
        } catch (RuntimeException e) {
            say("the demo could not start: " + e.getMessage());
            started.close();
            stopped.countDown();
            throw e;
        }
        stopped.await();
    }

    /** Sets a demo default unless the user chose a value (system property or {@code GATEWAY_…} variable). */
    private static void defaultSetting(Map<String, String> settings, String name, String value) {
        String env = "GATEWAY_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
        if (System.getProperty(name) == null && System.getenv(env) == null) {
            settings.put(name, value);
        }
    }

    /** Gateway settings given to Maven as {@code -D} reach the gateway's JVM; {@code GATEWAY_…} variables are inherited. */
    private static void forwardUserSettings(Map<String, String> settings) {
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> SETTING_PREFIXES.stream().anyMatch(name::startsWith))
                .forEach(name -> settings.put(name, System.getProperty(name)));
    }

    private static void say(String line) {
        System.out.println("[demo] " + line);
        System.out.flush();
    }
}
