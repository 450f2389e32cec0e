package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Gateway replicas as an operator runs them behind a load balancer: each one a standalone Tomcat of its own
 * ({@link TomcatProcess}, set up like the shipped {@code server-config/tomcat}), all with the same cookie signing key,
 * token encryption key, client secrets and public base URL ({@code login.renkuBaseURL}: the load balancer's address,
 * here the first replica's), and the same Redis. They share nothing but Redis and Keycloak, so whatever one replica
 * knows the other must learn from Redis. The keys are fresh per run and registered with {@link IssuedSecrets}.
 */
public final class Replicas implements AutoCloseable {
    private final List<TomcatProcess> tomcats = new ArrayList<>();
    private final List<Path> bases = new ArrayList<>();
    private final List<URL> urls = new ArrayList<>();

    private Replicas() {
    }

    /** Settings every replica shares: the keys, the login providers on the run's Keycloak, the echo upstream. */
    public static Map<String, String> sharedSettings(String publicBaseUrl, String upstreamUrl) {
        return sharedSettings(publicBaseUrl, upstreamUrl, PasswordGrant.keycloakUrl());
    }

    /** As above, with the login providers on the Keycloak at {@code keycloakUrl}. */
    public static Map<String, String> sharedSettings(String publicBaseUrl, String upstreamUrl, String keycloakUrl) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sessions.cookieSigningKeys", freshKey());
        settings.put("login.tokenEncryption.secretKey", freshKey());
        settings.put("login.renkuBaseURL", publicBaseUrl);
        settings.put("login.providers.renku.issuer", keycloakUrl + "/realms/renku");
        settings.put("login.providers.renku.clientID", "renku");
        settings.put("login.providers.renku.clientSecret", "renku-secret");
        settings.put("login.providers.gitlab.issuer", keycloakUrl + "/realms/gitlab");
        settings.put("login.providers.gitlab.clientID", "renku-gateway");
        settings.put("login.providers.gitlab.clientSecret", "gitlab-secret");
        settings.put("revproxy.renkuServices.dataService", upstreamUrl);
        settings.put("revproxy.renkuServices.keycloak", upstreamUrl);
        settings.put("revproxy.readTimeoutMillis", "2000");
        settings.put("sessions.tokenClockSkewSeconds", "1");
        return settings;
    }

    /**
     * Starts one replica per port, each with {@code settings} (plus its own log file), and waits until each answers
     * {@code /health}. {@code name} names the folders under {@code it.work.dir}.
     */
    public static Replicas start(String name, List<Integer> ports, Map<String, String> settings) {
        return startWithJvmOptions(name, ports, settings, List.of("-Xmx512m"));
    }

    /** As {@link #start}, each JVM with these options. */
    public static Replicas startWithJvmOptions(String name, List<Integer> ports, Map<String, String> settings,
            List<String> jvmOptions) {
        Replicas replicas = new Replicas();
        try {
            for (int i = 0; i < ports.size(); i++) {
                Path base = Files.createDirectories(Path.of(System.getProperty("it.work.dir", "target/it-work"),
                        name + "-" + (char) ('a' + i) + "-" + ports.get(i)));
                copyConf(Path.of(System.getProperty("it.tomcat.base"), "conf"), base.resolve("conf"));
                Map<String, String> own = new LinkedHashMap<>(settings);
                own.put("logging.destination", base.resolve("gateway.log").toString());
                replicas.bases.add(base);
                replicas.tomcats.add(TomcatProcess.start(Path.of(System.getProperty("it.tomcat.home")), base,
                        Path.of(System.getProperty("it.war")), ports.get(i), own, jvmOptions));
                replicas.urls.add(new URL("http://127.0.0.1:" + ports.get(i) + "/"));
            }
            for (TomcatProcess tomcat : replicas.tomcats) {
                tomcat.awaitOk("health", Duration.ofSeconds(120), line -> System.out.println("[" + name + "] " + line));
            }
            return replicas;
        } catch (IOException | RuntimeException e) {
            replicas.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Replica {@code i}'s base URL, ending in {@code /}. */
    public URL url(int i) {
        return urls.get(i);
    }

    public TomcatProcess tomcat(int i) {
        return tomcats.get(i);
    }

    public static String freshKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encoded = Base64.getEncoder().encodeToString(key);
        IssuedSecrets.record(encoded);
        return encoded;
    }

    public static URL url(String url) {
        try {
            return new URL(url);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(url, e);
        }
    }

    @Override
    public void close() {
        for (TomcatProcess tomcat : tomcats) {
            tomcat.close();
        }
    }

    private static void copyConf(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                String relative = from.relativize(path).toString();
                if (relative.startsWith("Catalina")) {
                    continue; // per-application descriptors of the Arquillian Tomcat are not this Tomcat's
                }
                Path target = to.resolve(relative);
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
