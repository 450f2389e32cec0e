package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsSourceTest {

    @ParameterizedTest(name = "sysprop={0} env={1} container={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
        "from-property, from-env, from-container, from-property",
        "-,             from-env, from-container, from-env",
        "-,             -,        from-container, from-container",
        "-,             -,        -,              -",
        "'',            from-env, from-container, ''",
    })
    void higherLayersWin(String property, String env, String container, String expected) {
        SettingsSource source = new SettingsSource(
                name -> name.equals("redis.addresses") ? property : null,
                name -> name.equals("GATEWAY_REDIS_ADDRESSES") ? env : null,
                name -> name.equals("redis.addresses") ? container : null);
        assertEquals(expected, source.get("redis.addresses"));
    }

    @Test
    void environmentNameIsUpperCasedWithUnderscores() {
        assertEquals("GATEWAY_REVPROXY_RENKUSERVICES_DATASERVICE",
                SettingsSource.environmentName("revproxy.renkuServices.dataService"));
        assertEquals("GATEWAY_SESSIONS_IDLESESSIONTTLSECONDS",
                SettingsSource.environmentName("sessions.idleSessionTTLSeconds"));
    }

    @Test
    void unknownSettingIsNull() {
        SettingsSource source = new SettingsSource(Map.<String, String>of()::get, Map.<String, String>of()::get,
                Map.<String, String>of()::get);
        assertNull(source.get("nothing.here"));
    }
}
