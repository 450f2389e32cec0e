package io.renku.gateway.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.renku.gateway.harness.ProcessTrees;
import io.renku.gateway.harness.Ports;
import io.renku.gateway.harness.RedisProcess;
import io.renku.gateway.harness.Started;
import io.renku.gateway.harness.TomcatProcess;
import io.renku.gateway.it.LoginProbeServlet;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * {@code mvn -Pbench-throughput}: the design's throughput target, shown rather than asserted. In one run, against the
 * same cheap upstream (nginx answering a static 24-byte body on its own port), {@code wrk} drives with the same
 * threads, connections and duration, after the same warm-up:
 * <ol>
 * <li>(a) nginx as a plain reverse proxy (keep-alive to the upstream);</li>
 * <li>(b) the gateway in Tomcat, an authenticated GET: session cookie, session read from a real redis-server,
 * {@code Authorization: Bearer} injected;</li>
 * <li>(c) the gateway with {@code Authorization: Bearer <JWT>}, validated against a local issuer (discovery and JWKS
 * from a JDK HttpServer here) and then cached.</li>
 * </ol>
 * Prints req/s, the ratios (b)/(a) and (c)/(a), and the load average around each measurement. The session comes from
 * a bench WAR (the built WAR plus the test-only {@link LoginProbeServlet}, never shipped), which logs in through the
 * real session classes. Everything started here is stopped at the end.
 */
public final class ThroughputBench {
    private static final String ACCESS = "bench-access-token";
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

    private final Started started = new Started(ThroughputBench::say);
    private static volatile Process nginx;

    private ThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ThroughputBench <tomcat-home> <tomcat-base> <war>");
        }
        ThroughputBench bench = new ThroughputBench();
        try {
            bench.run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        } finally {
            bench.started.close();
        }
    }

    private void run(Path tomcatHome, Path tomcatBase, Path war) throws Exception {
        int threads = Integer.getInteger("bench.threads", 2);
        int connections = Integer.getInteger("bench.connections", 32);
        int warmup = Integer.getInteger("bench.warmupSeconds", 45);
        int duration = Integer.getInteger("bench.seconds", 30);
        String maxThreads = System.getProperty("bench.tomcatThreads", "8");
        String poolSize = System.getProperty("bench.maxConnections", "64");
        List<String> jvm = List.of(System.getProperty("bench.jvm",
                "-Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch").trim().split("\\s+"));
        boolean jfr = Boolean.getBoolean("bench.jfr");
        Path work = Files.createDirectories(tomcatBase.getParent());

        int upstreamPort = Ports.free();
        int nginxPort = Ports.free();
        int redisPort = Ports.free();
        int issuerPort = Ports.free();
        int gatewayPort = Ports.free();

        say("nginx: upstream (static body) on " + upstreamPort + ", reverse proxy on " + nginxPort);
        started.add(startNginx(work.resolve("nginx"), upstreamPort, nginxPort));
        say("redis-server on " + redisPort);
        started.add(RedisProcess.start(redisPort, work.resolve("redis")));

        RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
        String issuer = "http://127.0.0.1:" + issuerPort + "/realms/bench";
        HttpServer idp = startIssuer(issuerPort, issuer, key);
        started.add(() -> idp.stop(0));

        Path benchWar = work.resolve("bench.war");
        ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(war.toFile()).as(WebArchive.class).addClass(LoginProbeServlet.class).as(ZipExporter.class)
                .exportTo(benchWar.toFile(), true);

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("gateway.http.maxThreads", maxThreads);
        settings.put("revproxy.maxConnections", poolSize);
        settings.put("revproxy.renkuServices.dataService", "http://127.0.0.1:" + upstreamPort);
        settings.put("redis.addresses", "127.0.0.1:" + redisPort);
        settings.put("sessions.cookieSigningKeys", "ZGVtby1vbmx5LWNvb2tpZS1zaWduaW5nLWtleS0wMDA=");
        settings.put("login.tokenEncryption.secretKey", "ZGVtby1vbmx5LXRva2VuLWVuY3J5cHRpb24ta2V5MDA=");
        settings.put("sessions.cookieSecure", "false");
        settings.put("sessions.authorizationVerifiers", issuer + "|renku");
        // Required login settings; the benchmark never logs in through a provider (discovery only runs on a login).
        settings.put("login.renkuBaseURL", "http://localhost:" + gatewayPort);
        settings.put("login.providers.renku.issuer", "http://127.0.0.1:1/realms/renku");
        settings.put("login.providers.gitlab.issuer", "http://127.0.0.1:1/realms/gitlab");
        settings.put("login.providers.gitlab.clientID", "renku-gateway");
        say("gateway in Tomcat on " + gatewayPort + ": maxThreads=" + maxThreads + ", revproxy.maxConnections="
                + poolSize + ", JVM " + String.join(" ", jvm) + " (log: " + tomcatBase.resolve("logs/console.log")
                + ")");
        TomcatProcess tomcat = TomcatProcess.start(tomcatHome, tomcatBase, benchWar, gatewayPort, settings, jvm);
        started.add(tomcat);
        tomcat.awaitOk("health", Duration.ofSeconds(120), ThroughputBench::say);

        String cookie = login(tomcat.url());
        String jwt = sign(key, issuer);
        String gatewayUrl = "http://127.0.0.1:" + gatewayPort + "/api/data/bench";
        check("http://127.0.0.1:" + gatewayPort + "/api/data/_check", "Cookie", cookie, "Bearer " + ACCESS);
        check("http://127.0.0.1:" + gatewayPort + "/api/data/_check", "Authorization", "Bearer " + jwt,
                "Bearer " + jwt);

        say(String.format("wrk -t%d -c%d -d%ds, after %d s of warm-up per scenario", threads, connections, duration,
                warmup));
        List<String[]> results = new ArrayList<>();
        double a = scenario("(a) nginx reverse proxy", "http://127.0.0.1:" + nginxPort + "/api/data/bench", null,
                threads, connections, warmup, duration, null, work);
        double b = scenario("(b) gateway, session cookie", gatewayUrl, "Cookie: " + cookie, threads, connections,
                warmup, duration, jfr ? tomcat : null, work);
        double c = scenario("(c) gateway, Bearer JWT", gatewayUrl, "Authorization: Bearer " + jwt, threads,
                connections, warmup, duration, jfr ? tomcat : null, work);
        say("");
        say(String.format("(a) nginx reverse proxy       %9.0f req/s", a));
        say(String.format("(b) gateway, session cookie   %9.0f req/s   (b)/(a) = %.2f", b, b / a));
        say(String.format("(c) gateway, Bearer JWT       %9.0f req/s   (c)/(a) = %.2f", c, c / a));
        say("target: >= 0.60 x nginx");
    }

    private double scenario(String name, String url, String header, int threads, int connections, int warmup,
            int duration, TomcatProcess profile, Path work) throws Exception {
        if (warmup > 0) {
            say(name + ": warm-up " + warmup + " s");
            wrk(url, header, threads, connections, warmup, false);
        }
        String before = loadAverage();
        if (profile != null) {
            Path file = work.resolve("profile-" + name.substring(1, 2) + ".jfr");
            exec(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(profile.pid()), "JFR.start", "name=bench", "settings=profile",
                    "duration=" + duration + "s", "filename=" + file), 30);
            say(name + ": recording JFR to " + file);
        }
        double rps = wrk(url, header, threads, connections, duration, true);
        say(name + ": load average before " + before + ", after " + loadAverage());
        return rps;
    }

    private static double wrk(String url, String header, int threads, int connections, int seconds, boolean print)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--latency"));
        if (header != null) {
            command.add("-H");
            command.add(header);
        }
        command.add(url);
        String out = exec(command, seconds + 30);
        if (print) {
            out.lines().forEach(line -> say("  " + line));
        }
        Matcher non2xx = NON_2XX.matcher(out);
        if (non2xx.find()) {
            throw new IllegalStateException(non2xx.group(1) + " responses were not 2xx for " + url
                    + (nginx != null && !nginx.isAlive() ? " (nginx exited meanwhile, exit value " + nginx.exitValue()
                    + ": stopped from outside?)" : "") + ":\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's output:\n" + out);
        }
        return Double.parseDouble(rps.group(1));
    }

    private static String exec(List<String> command, int timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String login(String gateway) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gateway + "_it/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("sub=bench-user&username=bench&access=" + ACCESS
                        + "&refresh=bench-refresh-token")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 204) {
            throw new IllegalStateException("login probe: " + response.statusCode() + " " + response.body());
        }
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** The upstream's {@code _check} location echoes the Authorization header it received. */
    private static void check(String url, String header, String value, String expected) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header(header, value).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().trim().equals("authorization=" + expected)) {
            throw new IllegalStateException("the upstream did not get the expected credentials with " + header + ": "
                    + response.statusCode() + " " + response.body());
        }
    }

    private static String sign(RSAKey key, String issuer) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder().issuer(issuer).subject("bench-user")
                .audience("renku").claim("azp", "renku").claim("typ", "Bearer").claim("preferred_username", "bench")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static HttpServer startIssuer(int port, String issuer, RSAKey key) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        String discovery = "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\","
                + "\"authorization_endpoint\":\"" + issuer + "/auth\",\"token_endpoint\":\"" + issuer + "/token\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        server.createContext("/realms/bench/.well-known/openid-configuration", exchange -> json(exchange, discovery));
        server.createContext("/realms/bench/protocol/openid-connect/certs", exchange -> json(exchange, jwks));
        server.start();
        return server;
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * nginx (Debian's {@code nginx} package) in the foreground with its own prefix: one server block is the upstream
     * for all three scenarios (a fixed 24-byte body), the other a plain reverse proxy to it with keep-alive.
     */
    private static AutoCloseable startNginx(Path dir, int upstreamPort, int proxyPort) throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        String conf = """
                worker_processes %s;
                error_log %s/logs/error.log warn;
                pid %s/logs/nginx.pid;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    keepalive_requests 10000000;
                    keepalive_timeout 300s;
                    client_body_temp_path %s/tmp-body;
                    proxy_temp_path %s/tmp-proxy;
                    fastcgi_temp_path %s/tmp-fastcgi;
                    uwsgi_temp_path %s/tmp-uwsgi;
                    scgi_temp_path %s/tmp-scgi;
                    upstream backend { server 127.0.0.1:%d; keepalive 64; }
                    server {
                        listen 127.0.0.1:%d;
                        location = /api/data/_check { default_type text/plain; return 200 "authorization=$http_authorization\\n"; }
                        location / { default_type text/plain; return 200 "hello from the upstream\\n"; }
                    }
                    server {
                        listen 127.0.0.1:%d;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(System.getProperty("bench.nginxWorkers", "auto"), dir, dir, dir, dir, dir, dir, dir,
                upstreamPort, upstreamPort, proxyPort);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        nginx = new ProcessBuilder(System.getProperty("bench.nginx", "nginx"), "-p", dir.toString(), "-c",
                file.toString(), "-g", "daemon off;").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/console.log").toFile())).start();
        awaitListening(upstreamPort, nginx);
        awaitListening(proxyPort, nginx);
        Process started = nginx;
        return () -> ProcessTrees.stop(started.toHandle(), Duration.ofSeconds(10));
    }

    private static void awaitListening(int port, Process process) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited (exit code " + process.exitValue() + ")");
            }
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", interrupted);
                }
            }
        }
        throw new IOException("nothing listens on " + port);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}
