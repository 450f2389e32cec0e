package io.renku.gateway.harness;

import java.lang.reflect.Field;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * Starts the real services the deployed gateway talks to, once per test run: a redis-server, an echo upstream and a
 * WebSocket echo upstream on the ports Maven reserved ({@code it.redis.port}, {@code it.echo.port},
 * {@code it.wsecho.port}; the deployed WAR is configured with the same
 * ports through {@code arquillian.xml}). They live in the root store, so they stop when the run ends, even after
 * failures. Register it before {@code ArquillianExtension} so the services are up before the WAR deploys. Test
 * classes get them in fields of type {@link RedisProcess}, {@link EchoUpstream} or
 * {@link WebSocketEchoUpstream} (not as parameters, which
 * Arquillian's own resolver claims).
 */
public final class RealServices implements BeforeAllCallback, TestInstancePostProcessor {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealServices.class);

    /** The running services; closed by JUnit at the end of the run. */
    public static final class Services implements AutoCloseable {
        private final RedisProcess redis;
        private final EchoUpstream echo;
        private final WebSocketEchoUpstream webSocketEcho;

        Services() {
            int port = Ports.fromProperty("it.redis.port");
            this.redis = RedisProcess.start(port,
                    Path.of(System.getProperty("it.work.dir", "target/it-work"), "redis-" + port));
            this.echo = EchoUpstream.start(Ports.fromProperty("it.echo.port"));
            this.webSocketEcho = WebSocketEchoUpstream.start(Ports.fromProperty("it.wsecho.port"));
        }

        @Override
        public void close() {
            try (redis; echo; webSocketEcho) {
                // both closed
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        services(context);
    }

    private static Services services(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Services.class, k -> new Services(),
                Services.class);
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) throws IllegalAccessException {
        Services services = services(context);
        for (Class<?> type = instance.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                Object value = field.getType() == RedisProcess.class ? services.redis
                        : field.getType() == EchoUpstream.class ? services.echo
                        : field.getType() == WebSocketEchoUpstream.class ? services.webSocketEcho : null;
                if (value != null) {
                    field.setAccessible(true);
                    field.set(instance, value);
                }
            }
        }
    }
}
