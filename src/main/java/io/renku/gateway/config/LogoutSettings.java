package io.renku.gateway.config;

/**
 * How a logout reaches beyond the gateway. The name follows the Go gateway ({@code login.logoutGitLabUponRenkuLogout}).
 * Off by default: GitLab is often shared with other applications, and ending the user's GitLab session because they
 * left Renku would surprise them; an install that treats GitLab as part of Renku switches it on.
 */
public record LogoutSettings(boolean logoutGitLabUponRenkuLogout) {
    public static final String LOGOUT_GITLAB_UPON_RENKU_LOGOUT = "login.logoutGitLabUponRenkuLogout";

    public static LogoutSettings read(SettingReader reader) {
        return new LogoutSettings(reader.bool(LOGOUT_GITLAB_UPON_RENKU_LOGOUT, false));
    }
}
