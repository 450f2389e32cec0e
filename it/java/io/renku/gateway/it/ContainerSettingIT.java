package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * An operator's Tomcat context parameter ({@code <Parameter override="false">}) overrides the WAR's web.xml, as the
 * README promises: here it moves the login routes, and the resource answers at the new place only.
 */
@GatewayIT
class ContainerSettingIT {
    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive withContextXml() {
        return Deployments.built("container-setting.war").addAsManifestResource(new StringAsset("""
                <Context>
                  <Parameter name="login.loginRoutesBasePath" value="/api/auth-moved" override="false"/>
                </Context>
                """), "context.xml");
    }

    @Test
    void contextParameterOverridesWebXml() {
        Http http = new Http(base);
        assertEquals(401, http.get("api/auth-moved/user", "Accept", "application/json").statusCode(),
                "the login resource answers where the container parameter put it");
        assertEquals(200, http.get("health").statusCode());
    }
}
