package io.renku.gateway.harness;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR under test is the one Maven just built ({@code it.war}), not a hand-assembled archive, so the tests see
 * exactly what operators deploy. It is deployed as {@code ROOT} so paths are the production ones.
 */
public final class Deployments {
    private Deployments() {
    }

    public static WebArchive gateway() {
        return built("ROOT.war");
    }

    /** The built WAR under another name with one web.xml context-param replaced, for misconfiguration tests. */
    public static WebArchive withContextParam(String archiveName, String name, String value) {
        return withContextParams(archiveName, java.util.Map.of(name, value));
    }

    /** The built WAR under another name with these web.xml context-params replaced. */
    public static WebArchive withContextParams(String archiveName, java.util.Map<String, String> values) {
        WebArchive war = built(archiveName);
        String webXml;
        try (InputStream in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
            webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String changed = webXml;
        for (java.util.Map.Entry<String, String> entry : values.entrySet()) {
            Matcher param = Pattern.compile("(<param-name>" + Pattern.quote(entry.getKey())
                    + "</param-name>\\s*<param-value>)[^<]*(</param-value>)").matcher(changed);
            if (!param.find()) {
                throw new IllegalArgumentException("web.xml has no context-param " + entry.getKey());
            }
            changed = param.replaceFirst("$1" + Matcher.quoteReplacement(entry.getValue()) + "$2");
        }
        war.delete("WEB-INF/web.xml");
        return war.addAsWebInfResource(new StringAsset(changed), "web.xml");
    }

    /**
     * The built WAR under another name with these context-params added to web.xml: settings web.xml does not list
     * (a provider's own keys, such as {@code login.providers.saml.tokenEndpoint}). A -D setting of the same name
     * still wins, as everywhere.
     */
    public static WebArchive withAddedContextParams(String archiveName, java.util.Map<String, String> values) {
        WebArchive war = built(archiveName);
        String webXml;
        try (InputStream in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
            webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder added = new StringBuilder();
        values.forEach((name, value) -> added.append("<context-param><param-name>").append(name)
                .append("</param-name><param-value>").append(value.replace("&", "&amp;").replace("<", "&lt;"))
                .append("</param-value></context-param>\n"));
        int at = webXml.indexOf("<context-param>");
        String changed = webXml.substring(0, at) + added + webXml.substring(at);
        war.delete("WEB-INF/web.xml");
        return war.addAsWebInfResource(new StringAsset(changed), "web.xml");
    }

    /** The built WAR under another name (another context path). */
    public static WebArchive built(String archiveName) {
        File file = new File(System.getProperty("it.war", "target/gateway.war"));
        if (!file.isFile()) {
            throw new IllegalStateException("the WAR " + file + " is missing: run through 'mvn verify'");
        }
        return ShrinkWrap.create(ZipImporter.class, archiveName).importFrom(file).as(WebArchive.class);
    }
}
