package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.Route;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The default route table, one row per path: which upstream, which forwarded path, which credentials. */
class RouteSettingsTest {
    private static final Map<String, String> SETTINGS = Map.of(
            "revproxy.renkuServices.dataService", "http://data:8000",
            "revproxy.renkuServices.keycloak", "http://kc:8080/auth",
            "revproxy.renkuServices.uiServer", "http://ui");

    private static RouteSettings routes(Map<String, String> values) {
        SettingReader reader = new SettingReader(new SettingsSource(n -> null, n -> null, values::get));
        return new RouteSettings(RouteSettings.renkuDefaults(RevproxySettings.read(reader)), "_renku_session");
    }

    @ParameterizedTest(name = "{0} -> {1}{2} with {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        /api/data                                  | http://data:8000    | /api/data                      | RENKU_BEARER
        /api/data/projects                         | http://data:8000    | /api/data/projects             | RENKU_BEARER
        /api/data/a%2Fb/c%20d/%C3%A9               | http://data:8000    | /api/data/a%2Fb/c%20d/%C3%A9   | RENKU_BEARER
        /api/data/user                             | http://data:8000    | /api/data/user                 | RENKU_BEARER
        /api/data/user/secret_key                  | -                   | DENY                           | NONE
        /api/data/user/secret_key/sub              | -                   | DENY                           | NONE
        /api/data/user/secret_keys                 | http://data:8000    | /api/data/user/secret_keys     | RENKU_BEARER
        /api/database                              | http://ui           | /api/database                  | NONE
        /api/notebooks/servers                     | http://data:8000    | /api/data/notebooks/servers    | RENKU_BEARER
        /api/notebooks                             | http://data:8000    | /api/data/notebooks            | RENKU_BEARER
        /api/kc/realms/renku/account               | http://kc:8080/auth | /auth/realms/renku/account     | BEARER_ONLY
        /api/kc                                    | http://kc:8080/auth | /auth                          | BEARER_ONLY
        /ui-server/api/notebooks/servers/x         | http://data:8000    | /api/data/notebooks/servers/x  | RENKU_BEARER
        /ui-server/api/data/projects               | http://data:8000    | /api/data/projects             | RENKU_BEARER
        /ui-server/api/data/user/secret_key        | -                   | DENY                           | NONE
        /ui-server/api/kc/realms/renku             | http://kc:8080/auth | /auth/realms/renku             | BEARER_ONLY
        /ui-server/auth/login                      | http://ui           | /ui-server/auth/login          | NONE
        /                                          | http://ui           | /                              | NONE
        /projects/some/page                        | http://ui           | /projects/some/page            | NONE
        """)
    void defaultRoutesReproduceTheGoGateway(String path, String origin, String forwarded, String credentials) {
        Route route = routes(SETTINGS).match(path).orElseThrow();
        if (forwarded.equals("DENY")) {
            assertTrue(route.deny(), route.toString());
            return;
        }
        assertEquals(false, route.deny());
        assertEquals(origin, route.upstream().getScheme() + "://" + route.upstream().getRawAuthority()
                + (route.upstream().getRawPath() == null ? "" : route.upstream().getRawPath()));
        assertEquals(forwarded, route.upstreamPath(path));
        assertEquals(Route.Credentials.valueOf(credentials), route.credentials());
    }

    @ParameterizedTest(name = "{0} seen through the gateway is {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /api/data/projects         | /api/data/projects/1     | /api/data/projects/1
        /api/notebooks/x           | /api/data/notebooks/y    | /api/notebooks/y
        /api/notebooks/x           | /elsewhere               | /elsewhere
        /api/kc/realms             | /auth/realms/renku       | /api/kc/realms/renku
        /projects                  | /login                   | /login
        """)
    void upstreamLocationsMapBackToGatewayPaths(String requestPath, String location, String expected) {
        assertEquals(expected, routes(SETTINGS).match(requestPath).orElseThrow().gatewayPath(location));
    }

    @Test
    void defaultsNeedNoSettings() {
        RouteSettings routes = routes(Map.of());
        assertEquals("http://renku-ui", routes.match("/x").orElseThrow().upstream().toString());
        assertEquals("_renku_session", routes.sessionCookieName());
    }

    @Test
    void badUpstreamOrPoolSettingNamesTheSetting() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> routes(Map.of("revproxy.renkuServices.keycloak", "ftp://kc")));
        assertEquals("revproxy.renkuServices.keycloak", e.setting());
        InvalidSettingException pool = assertThrows(InvalidSettingException.class,
                () -> routes(Map.of("revproxy.maxConnections", "0")));
        assertEquals("revproxy.maxConnections must be a whole number from 1 to 10000, was '0'", pool.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /api/data/user/secret_key               | 404
        /api/data/user/secret_key;x             | 404
        /api/data/user/secret_key;              | 404
        /api/data/user;x/secret_key             | 404
        /api/data/user%2fsecret_key             | 404
        /api/data/user%2Fsecret_key             | 404
        /api/data/user/secret_key%2f            | 404
        /api/data/user/secret%5Fkey;x           | 404
        /api/data/user/secret_key%3bx           | 404
        /api/data/user/SECRET_KEY               | 404
        /API/DATA/USER/SECRET_KEY               | 404
        /ui-server/api/data/user/secret_key;a   | 404
        /ui-server/api/data/user%2Fsecret_key   | 404
        /api;x/data/user/secret_key             | 404
        /api;x/data/projects                    | 400
        /api%2Fdata/projects                    | 400
        /api/data;x/projects                    | 400
        /ui-server;a/api/data/projects          | 400
        /api/data/projects;x                    | /api/data
        /api/data/projects/a%2Fb                | /api/data
        /api/data/user/secret_keys              | /api/data
        /api/kc/realms/renku                    | /api/kc
        /projects/x;y                           | /
        """)
    void routesAndDenyRulesJudgeTheRuleView(String raw, String expected) {
        RouteSettings routes = routes(SETTINGS);
        String forward = io.renku.gateway.proxy.ForwardPath.of(raw);
        String view = io.renku.gateway.proxy.ForwardPath.ruleView(forward);
        if (expected.startsWith("/")) {
            assertEquals(expected, routes.resolve(forward, view).prefix());
        } else {
            io.renku.gateway.errors.GatewayException e = assertThrows(io.renku.gateway.errors.GatewayException.class,
                    () -> routes.resolve(forward, view));
            assertEquals(Integer.parseInt(expected), e.kind().status());
        }
    }
}
