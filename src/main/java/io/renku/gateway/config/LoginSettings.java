package io.renku.gateway.config;

/**
 * Where the login routes live ({@code login.loginRoutesBasePath}, as in the Go gateway). The login chain's providers
 * and redirects join this record as the login work lands.
 */
public record LoginSettings(String loginRoutesBasePath) {
    public static final String LOGIN_ROUTES_BASE_PATH = "login.loginRoutesBasePath";

    public static LoginSettings read(SettingReader reader) {
        String base = reader.string(LOGIN_ROUTES_BASE_PATH, "/api/auth");
        if (!base.matches("(/[A-Za-z0-9_-]+)+")) {
            throw SettingReader.invalid(LOGIN_ROUTES_BASE_PATH, base,
                    "an absolute path without a trailing slash, made of letters, digits, '_' and '-' (e.g. /api/auth)");
        }
        return new LoginSettings(base);
    }
}
