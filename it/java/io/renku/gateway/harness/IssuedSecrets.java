package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every token, authorization code, state and session cookie value the tests are handed during a run, one a line in
 * {@code <it.work.dir>/issued-secrets.txt}, so {@code LogAuditIT} can grep all logs of the run for them afterwards.
 * The harness records them where they are issued (password grants, Keycloak's callback, the gateway's Set-Cookie).
 */
public final class IssuedSecrets {
    public static final String FILE = "issued-secrets.txt";
    private static final Pattern PARAMETER = Pattern.compile("[?&](code|state)=([^&#]+)");

    private IssuedSecrets() {
    }

    /** Records {@code value} (ignored when blank or too short to be a secret). */
    public static synchronized void record(String value) {
        if (value == null || value.length() < 8) {
            return;
        }
        String dir = System.getProperty("it.work.dir");
        if (dir == null) {
            return; // not in an IT run (the demo)
        }
        try {
            Path file = Path.of(dir).resolve(FILE);
            Files.createDirectories(file.getParent());
            Files.writeString(file, value.replace("\n", "") + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the {@code code} and {@code state} of a callback or authorization URL. */
    public static void recordFromUrl(String url) {
        Matcher m = PARAMETER.matcher(url);
        while (m.find()) {
            record(URLDecoder.decode(m.group(2), StandardCharsets.UTF_8));
        }
    }
}
