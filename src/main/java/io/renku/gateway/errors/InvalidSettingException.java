package io.renku.gateway.errors;

/**
 * A setting that cannot be used. Thrown while the configuration is parsed at startup, so the deployment fails with a
 * message that names the setting, the value (already redacted for secrets) and what is allowed.
 */
public final class InvalidSettingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    public InvalidSettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
