package io.renku.gateway.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests one real Keycloak per test JVM, started on first use and stopped when the whole run ends
 * (pass or fail). Starting Keycloak costs 12 s at best and a minute on the first run, so every test class that uses
 * this extension shares the same server, realms and users.
 *
 * <p>The server lives in the root {@link ExtensionContext.Store}: JUnit closes {@link AutoCloseable} values there when
 * the engine finishes. A failed start is kept too, so later classes fail at once instead of waiting out the timeout
 * again. Ports come from {@code it.keycloak.port} / {@code it.keycloak.mgmtPort}, else free ones are picked; the
 * realms are {@code ${it.server.config}/keycloak/*.json}; the log is {@code ${it.work.dir}/keycloak.log}. Once
 * running, {@code it.keycloak.url} holds the base URL for code that has no access to the extension. Test methods and
 * constructors can declare a {@link KeycloakProcess} parameter.
 */
public final class KeycloakExtension implements BeforeAllCallback, ParameterResolver {

  public static final String HOME_PROPERTY = "it.keycloak.home";
  public static final String PORT_PROPERTY = "it.keycloak.port";
  public static final String MANAGEMENT_PORT_PROPERTY = "it.keycloak.mgmtPort";
  public static final String WORK_DIR_PROPERTY = "it.work.dir";
  public static final String SERVER_CONFIG_PROPERTY = "it.server.config";
  /** Set by this extension once Keycloak is ready. */
  public static final String URL_PROPERTY = "it.keycloak.url";

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    keycloak(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == KeycloakProcess.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return keycloak(extensionContext);
  }

  /** The run's Keycloak, started on the first call. */
  public static KeycloakProcess keycloak(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Started.class, key -> Started.attempt(), Started.class)
        .keycloak();
  }

  /** The outcome of the one start attempt: the running server, or why it failed. */
  private record Started(KeycloakProcess process, RuntimeException failure) implements AutoCloseable {

    static Started attempt() {
      try {
        return new Started(startFromSystemProperties(), null);
      } catch (RuntimeException e) {
        return new Started(null, e);
      }
    }

    KeycloakProcess keycloak() {
      if (failure != null) {
        throw new IllegalStateException("Keycloak did not start: " + failure.getMessage(), failure);
      }
      return process;
    }

    @Override
    public void close() {
      if (process != null) {
        process.close();
      }
    }
  }

  private static KeycloakProcess startFromSystemProperties() {
    Path home = Path.of(required(HOME_PROPERTY));
    Path realms = Path.of(required(SERVER_CONFIG_PROPERTY)).resolve("keycloak");
    Path log = Path.of(required(WORK_DIR_PROPERTY)).resolve("keycloak.log");
    int port = portFromProperty(PORT_PROPERTY);
    int managementPort = portFromProperty(MANAGEMENT_PORT_PROPERTY);
    if (!Files.isDirectory(home)) {
      throw new IllegalStateException(
          HOME_PROPERTY + " is " + home + ", which does not exist: run 'mvn package' first to unpack Keycloak");
    }
    // The hook covers a test JVM that dies without JUnit closing its store (fork timeout, Ctrl-C).
    KeycloakProcess keycloak =
        KeycloakProcess.start(
                home,
                port,
                managementPort,
                realms,
                log,
                KeycloakProcess.DEFAULT_START_TIMEOUT,
                line -> System.out.println("[keycloak] " + line))
            .stopOnJvmExit();
    System.setProperty(URL_PROPERTY, keycloak.baseUrl());
    return keycloak;
  }

  private static String required(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + name + " is not set; failsafe sets it from the pom (run the ITs through Maven)");
    }
    return value;
  }

  private static int portFromProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return freePort();
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalStateException(name + " must be a port number (1-65535), was '" + value + "'", e);
    }
  }

  /** A port free right now on loopback; another process could take it before Keycloak binds, which is rare enough. */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port", e);
    }
  }
}
