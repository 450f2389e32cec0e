package io.renku.gateway.config;

import java.net.URI;

/** The upstream services the gateway forwards to (the Go gateway's {@code revproxy.renkuServices.*}). */
public record RevproxySettings(URI dataService) {
    public static final String DATA_SERVICE = "revproxy.renkuServices.dataService";

    public static RevproxySettings read(SettingReader reader) {
        return new RevproxySettings(reader.httpUrl(DATA_SERVICE, URI.create("http://renku-data-service")));
    }
}
