package io.renku.gateway.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test of the deployed WAR: the real services (Redis, echo upstream, Keycloak) start first, then
 * Arquillian starts the managed Tomcat and deploys. The order of the extensions is the order they run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith({RealServices.class, KeycloakExtension.class, ArquillianExtension.class})
public @interface GatewayIT {
}
