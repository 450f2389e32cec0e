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
import io.renku.gateway.session.SessionCookieCodec;
import io.renku.gateway.session.SessionIds;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * {@code mvn -Pbench-throughput}: the performance issue's targets, shown rather than asserted. In one run it starts an
 * upstream (nginx answering a fixed 24-byte body), nginx as a plain reverse proxy to it twice (one worker: the
 * reference; {@code worker_processes auto}: printed too), redis-server, a local token issuer and the gateway in Tomcat
 * with the shipped {@code server-config/tomcat} (connector, and the JVM options of {@code setenv.sh}); warms the
 * gateway's JVM, then alternates every case over several rounds with {@code wrk}:
 * <ol>
 * <li>upstream direct; nginx proxy, 1 worker; nginx proxy, auto workers;</li>
 * <li>the gateway: anonymous GET without cookie; logged-in session cookie (tokens injected); Bearer JWT (validated,
 * cached); the session cookie while 100 000 other sessions live in Redis.</li>
 * </ol>
 * For each it prints req/s, p50 and p99 per round, then the medians, the ratio to the one-worker nginx of the same
 * round, the Redis commands per request and Redis writes per request (from {@code INFO commandstats}), and beside
 * each ratio the figure the README quotes (its {@code RESULT} lines), flagged when the new one is more than 20 %
 * lower. Then the heap: the gateway's heap after a full GC with 1 000 and with 100 000 live sessions, each touched
 * once through the gateway, and the near cache's size. Fails (non-zero) on any non-2xx answer. Everything started here
 * is stopped at the end.
 */
public final class ThroughputBench {
    private static final String ACCESS = "bench-access-token";
    private static final String NAMESPACE = "bench";
    private static final String SIGNING_KEY = "ZGVtby1vbmx5LWNvb2tpZS1zaWduaW5nLWtleS0wMDA=";
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors:.*");
    private static final Pattern LATENCY = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern README_RESULT = Pattern.compile(
            "\\[bench\\] RESULT (\\S+) .*ratio ([0-9.]+)");
    private static final List<String> WRITES = List.of("eval", "evalsha", "hset", "hdel", "del", "unlink", "set",
            "pexpire", "expire", "publish");

    private final Started started = new Started(ThroughputBench::say);
    /** With slow downloads in flight, timeouts are what is measured, not a failure of the run. */
    private static boolean tolerateErrors;

    private ThroughputBench() {
    }

    record Case(String id, String title, String url, String header, boolean gateway) {
    }

    record Run(double rps, double p50, double p99, long requests, double redisCommands, double redisWrites) {
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
        int warmup = Integer.getInteger("bench.warmupSeconds", 60);
        int seconds = Integer.getInteger("bench.seconds", 8);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int liveSessions = Integer.getInteger("bench.sessions", 100_000);
        boolean jfr = Boolean.getBoolean("bench.jfr");
        List<String> only = List.of(System.getProperty("bench.cases", "").split(",")).stream()
                .filter(x -> !x.isBlank()).toList();
        int slowDownloads = Integer.getInteger("bench.slowDownloads", 0);
        List<String> jvm = jvmOptions();
        Path work = Files.createDirectories(tomcatBase.getParent());

        int upstreamPort = Ports.free();
        int nginxOnePort = Ports.free();
        int nginxAutoPort = Ports.free();
        int redisPort = Ports.free();
        int issuerPort = Ports.free();
        int gatewayPort = Ports.free();

        say("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", JDK " + System.getProperty("java.version") + ", load average "
                + loadAverage());
        say("nginx: upstream on " + upstreamPort + " (auto workers), proxy with 1 worker on " + nginxOnePort
                + ", proxy with auto workers on " + nginxAutoPort);
        started.add(Nginx.upstream(work.resolve("nginx-upstream"), upstreamPort));
        tolerateErrors = slowDownloads > 0;
        started.add(Nginx.proxy(work.resolve("nginx-one"), "1", nginxOnePort, upstreamPort));
        started.add(Nginx.proxy(work.resolve("nginx-auto"), "auto", nginxAutoPort, upstreamPort));
        say("redis-server on " + redisPort);
        started.add(RedisProcess.start(redisPort, work.resolve("redis")));
        Jedis redis = new Jedis("127.0.0.1", redisPort);
        started.add(redis::close);

        RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
        String issuer = "http://127.0.0.1:" + issuerPort + "/realms/bench";
        HttpServer idp = startIssuer(issuerPort, issuer, key);
        started.add(() -> idp.stop(0));

        Path benchWar = work.resolve("bench.war");
        ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(war.toFile()).as(WebArchive.class)
                .addClass(LoginProbeServlet.class).as(ZipExporter.class).exportTo(benchWar.toFile(), true);

        // deployed with the gateway at start (server.xml: autoDeploy off, deployOnStartup on)
        bareProxyWar(war, Files.createDirectories(tomcatBase.resolve("webapps")).resolve("bare.war"), upstreamPort);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("revproxy.renkuServices.dataService", "http://127.0.0.1:" + upstreamPort);
        settings.put("redis.addresses", "127.0.0.1:" + redisPort);
        settings.put("redis.keyNamespace", NAMESPACE);
        settings.put("sessions.cookieSigningKeys", SIGNING_KEY);
        settings.put("login.tokenEncryption.secretKey", "ZGVtby1vbmx5LXRva2VuLWVuY3J5cHRpb24ta2V5MDA=");
        settings.put("sessions.cookieSecure", "false");
        settings.put("sessions.authorizationVerifiers", issuer + "|renku");
        // Required login settings; the benchmark never logs in through a provider (discovery only runs on a login).
        settings.put("login.renkuBaseURL", "http://localhost:" + gatewayPort);
        settings.put("login.providers.renku.issuer", "http://127.0.0.1:1/realms/renku");
        settings.put("login.providers.gitlab.issuer", "http://127.0.0.1:1/realms/gitlab");
        settings.put("login.providers.gitlab.clientID", "renku-gateway");
        System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("bench.setting."))
                .forEach(n -> settings.put(n.substring("bench.setting.".length()), System.getProperty(n)));
        say("gateway in Tomcat on " + gatewayPort + " with server-config/tomcat as shipped, JVM " + String.join(" ", jvm)
                + " (log: " + tomcatBase.resolve("logs/console.log") + ")");
        TomcatProcess tomcat = TomcatProcess.start(tomcatHome, tomcatBase, benchWar, gatewayPort, settings, jvm);
        started.add(tomcat);
        tomcat.awaitOk("health", Duration.ofSeconds(120), ThroughputBench::say);
        awaitBare("http://127.0.0.1:" + gatewayPort + "/bare/api/data/_check");

        String cookie = login(tomcat.url());
        String jwt = sign(key, issuer);
        String gateway = "http://127.0.0.1:" + gatewayPort + "/api/data/bench";
        check("http://127.0.0.1:" + gatewayPort + "/api/data/_check", "Cookie", cookie, "Bearer " + ACCESS);
        check("http://127.0.0.1:" + gatewayPort + "/api/data/_check", "Authorization", "Bearer " + jwt,
                "Bearer " + jwt);

        List<Case> all = List.of(
                new Case("direct", "upstream direct", "http://127.0.0.1:" + upstreamPort + "/api/data/bench", null,
                        false),
                new Case("nginx-1", "nginx proxy, 1 worker", "http://127.0.0.1:" + nginxOnePort + "/api/data/bench",
                        null, false),
                new Case("nginx-auto", "nginx proxy, auto workers", "http://127.0.0.1:" + nginxAutoPort
                        + "/api/data/bench", null, false),
                new Case("bare", "Smiley proxy alone in the same Tomcat", "http://127.0.0.1:" + gatewayPort
                        + "/bare/api/data/bench", null, true),
                new Case("anonymous", "gateway, anonymous, no cookie", gateway, null, true),
                new Case("session", "gateway, session cookie", gateway, "Cookie: " + cookie, true),
                new Case("bearer", "gateway, Bearer JWT", gateway, "Authorization: Bearer " + jwt, true),
                new Case("session-100k", "gateway, session cookie, " + liveSessions + " other sessions live", gateway,
                        "Cookie: " + cookie, true));
        List<Case> cases = only.isEmpty() ? all : all.stream().filter(c -> c.id().equals("nginx-1")
                || only.contains(c.id())).toList();
        if (slowDownloads > 0) {
            say(slowDownloads + " slow downloads (16 KiB/s each from the upstream) held open through the gateway "
                    + "during the measurements");
            started.add(SlowDownloads.start(slowDownloads, "http://127.0.0.1:" + gatewayPort + "/api/data/slow"));
        }

        say(String.format("warm-up: %d s through the gateway (bare Smiley, anonymous, session cookie, Bearer in turn)",
                warmup));
        List<Case> warm = cases.stream().filter(Case::gateway).filter(c -> !c.id().equals("session-100k")).toList();
        for (Case c : warm) {
            wrk(c, threads, connections, Math.max(1, warmup / Math.max(1, warm.size())));
        }
        SessionCloner sessions = new SessionCloner(redis, cookie);
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        say(String.format("wrk -t%d -c%d -d%ds --latency, %d rounds", threads, connections, seconds, rounds));
        for (int round = 1; round <= rounds; round++) {
            Map<String, Run> thisRound = new LinkedHashMap<>();
            for (Case c : cases) {
                List<String> created = List.of();
                if (c.id().equals("session-100k")) {
                    created = sessions.create(liveSessions);
                }
                Path recording = jfr && round == 1 && c.gateway() && !c.id().equals("session-100k")
                        ? startJfr(tomcat, work, c.id(), seconds) : null;
                Map<String, Long> before = c.gateway() ? commandStats(redis) : Map.of();
                String out = wrk(c, threads, connections, seconds);
                Map<String, Long> after = c.gateway() ? commandStats(redis) : Map.of();
                Run run = parse(out, before, after);
                sessions.delete(created);
                if (recording != null) {
                    awaitFile(recording);
                    JfrSummary.print(recording, ThroughputBench::say);
                }
                thisRound.put(c.id(), run);
                runs.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(run);
                say(String.format(Locale.ROOT, "round %d %-48s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms%s", round,
                        c.title(), run.rps(), run.p50(), run.p99(), c.gateway() ? String.format(Locale.ROOT,
                        "  redis %.4f cmd/req, %.4f writes/req", run.redisCommands(), run.redisWrites()) : ""));
            }
            double reference = thisRound.get("nginx-1").rps();
            thisRound.forEach((id, run) -> ratios.computeIfAbsent(id, k -> new ArrayList<>()).add(run.rps()
                    / reference));
            say("round " + round + " load average " + loadAverage());
        }

        Map<String, Double> readme = readmeRatios();
        say("");
        say("medians over " + rounds + " rounds; ratio = req/s / nginx proxy with 1 worker, same round");
        for (Case c : cases) {
            List<Run> r = runs.get(c.id());
            double ratio = median(ratios.get(c.id()));
            Double quoted = readme.get(c.id());
            String versus = quoted == null ? "README: -" : String.format(Locale.ROOT, "README %.2f%s", quoted,
                    ratio < quoted * 0.8 ? "  <-- REGRESSION > 20 %" : "");
            say(String.format(Locale.ROOT, "RESULT %-12s %-48s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  redis %.4f"
                    + " cmd/req %.4f writes/req  ratio %.2f   %s", c.id(), c.title(),
                    median(r.stream().map(Run::rps).toList()), median(r.stream().map(Run::p50).toList()),
                    median(r.stream().map(Run::p99).toList()), median(r.stream().map(Run::redisCommands).toList()),
                    median(r.stream().map(Run::redisWrites).toList()), ratio, versus));
        }
        if (ratios.containsKey("bare")) {
            StringBuilder shares = new StringBuilder("gateway as a share of the bare Smiley proxy (same round):");
            for (Case c : cases) {
                if (c.gateway() && !c.id().equals("bare")) {
                    List<Double> share = new ArrayList<>();
                    for (int i = 0; i < ratios.get(c.id()).size(); i++) {
                        share.add(ratios.get(c.id()).get(i) / ratios.get("bare").get(i));
                    }
                    shares.append(String.format(Locale.ROOT, " %s %.2f", c.id(), median(share)));
                }
            }
            say(shares.toString());
        }
        if (!only.isEmpty()) {
            return;
        }
        double nginxP99 = median(runs.get("nginx-1").stream().map(Run::p99).toList());
        double sessionP99 = median(runs.get("session").stream().map(Run::p99).toList());
        say(String.format(Locale.ROOT, "targets: session >= 0.60 (%.2f), p99 <= 1.5 x nginx (%.2f x), Bearer >= 0.60"
                + " (%.2f), anonymous >= 0.70 (%.2f) with 0 Redis writes (%.4f/req), session Redis commands <= 0.05/req"
                + " (%.4f)", median(ratios.get("session")), sessionP99 / nginxP99, median(ratios.get("bearer")),
                median(ratios.get("anonymous")), median(runs.get("anonymous").stream().map(Run::redisWrites).toList()),
                median(runs.get("session").stream().map(Run::redisCommands).toList())));

        heap(tomcat, sessions, gatewayPort, liveSessions);
    }

    /** Heap after a full GC with 1 000 live sessions and with {@code live}, every one of them used once. */
    private void heap(TomcatProcess tomcat, SessionCloner sessions, int gatewayPort, int live) throws Exception {
        List<String> ids = new ArrayList<>(sessions.create(1_000));
        touch(sessions, ids, gatewayPort, true);
        double small = heapAfterGc(tomcat);
        say(String.format(Locale.ROOT, "heap after GC with %,d live sessions (each used once): %.1f MiB; near cache %s",
                ids.size(), small, nearCacheSize(gatewayPort)));
        // Made and used in chunks: a copy used more than a minute after it was made would be touched, saved and so
        // dropped from the near cache (a save invalidates the local copy), which is not what a live session does.
        long start = System.nanoTime();
        while (ids.size() < live) {
            List<String> chunk = sessions.create(Math.min(10_000, live - ids.size()));
            touch(sessions, chunk, gatewayPort, false);
            ids.addAll(chunk);
        }
        say(String.format(Locale.ROOT, "made and used %,d more sessions once each through the gateway in %.1f s",
                ids.size() - 1_000, (System.nanoTime() - start) / 1e9));
        double large = heapAfterGc(tomcat);
        say(String.format(Locale.ROOT, "heap after GC with %,d live sessions (each used once): %.1f MiB; near cache %s",
                ids.size(), large, nearCacheSize(gatewayPort)));
        say(String.format(Locale.ROOT, "RESULT heap-growth 1k->%dk: %.1f MiB (target: within 32 MiB)", live / 1000,
                large - small));
        sessions.delete(ids);
    }

    private static void touch(SessionCloner sessions, List<String> ids, int gatewayPort, boolean report)
            throws Exception {
        ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().executor(clientThreads).build();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        URI uri = URI.create("http://127.0.0.1:" + gatewayPort + "/api/data/bench");
        long start = System.nanoTime();
        for (int w = 0; w < 16; w++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < ids.size(); i = next.getAndIncrement()) {
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).header("Cookie",
                                sessions.cookie(ids.get(i))).build(), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdown();
        clientThreads.shutdown();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + ids.size() + " session requests were not 200");
        }
        if (report) {
            say(String.format(Locale.ROOT, "used %,d sessions once each through the gateway in %.1f s", ids.size(),
                    (System.nanoTime() - start) / 1e9));
        }
    }

    private static String nearCacheSize(int gatewayPort) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + gatewayPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^gateway_session_nearcache_size\\S*\\s+([0-9.E+]+)").matcher(metrics.body());
        return m.find() ? String.format(Locale.ROOT, "%.0f sessions (sessions.nearCache.maxEntries bounds it)",
                Double.parseDouble(m.group(1))) : "size not in /metrics";
    }

    /** MiB used after {@code jcmd GC.run}, from {@code GC.heap_info} (ParallelGC: young + old). */
    private static double heapAfterGc(TomcatProcess tomcat) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String pid = Long.toString(tomcat.pid());
        exec(List.of(jcmd, pid, "GC.run"), 60);
        exec(List.of(jcmd, pid, "GC.run"), 60);
        String info = exec(List.of(jcmd, pid, "GC.heap_info"), 60);
        Matcher m = Pattern.compile("(?m)^\\s*(PSYoungGen|ParOldGen|garbage-first heap|def new generation|tenured "
                + "generation)\\s+total \\d+K, used (\\d+)K").matcher(info);
        long usedKiB = 0;
        while (m.find()) {
            usedKiB += Long.parseLong(m.group(2));
        }
        return usedKiB / 1024.0;
    }

    /**
     * The ceiling of the stack the gateway is built on: Smiley's {@code ProxyServlet} alone, configured as the gateway
     * configures it (its own pool of 64, no system properties, no X-Forwarded-For, no compression or redirect
     * handling), with the gateway's copies of Smiley and HttpClient, deployed as {@code /bare} beside the gateway in
     * the same Tomcat, so it shares the connector, the worker pool and the JVM options. No filter, session or
     * credential of the gateway runs for it.
     */
    static Path bareProxyWar(Path gatewayWar, Path target, int upstreamPort) throws IOException {
        String webXml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <servlet>
                    <servlet-name>proxy</servlet-name>
                    <servlet-class>org.mitre.dsmiley.httpproxy.ProxyServlet</servlet-class>
                    <init-param><param-name>targetUri</param-name><param-value>http://127.0.0.1:%d</param-value></init-param>
                    <init-param><param-name>useSystemProperties</param-name><param-value>false</param-value></init-param>
                    <init-param><param-name>http.maxConnections</param-name><param-value>64</param-value></init-param>
                    <init-param><param-name>forwardip</param-name><param-value>false</param-value></init-param>
                    <init-param><param-name>http.protocol.handle-redirects</param-name><param-value>false</param-value></init-param>
                    <init-param><param-name>handleCompression</param-name><param-value>false</param-value></init-param>
                    <init-param><param-name>log</param-name><param-value>false</param-value></init-param>
                  </servlet>
                  <servlet-mapping><servlet-name>proxy</servlet-name><url-pattern>/*</url-pattern></servlet-mapping>
                </web-app>
                """.formatted(upstreamPort);
        List<String> kept = List.of("smiley-", "httpclient-", "httpcore-", "commons-codec-", "commons-logging-",
                "jcl-over-slf4j-", "slf4j-");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(gatewayWar.toFile());
                java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(target))) {
            out.putNextEntry(new java.util.zip.ZipEntry("WEB-INF/web.xml"));
            out.write(webXml.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            for (java.util.zip.ZipEntry entry : java.util.Collections.list(in.entries())) {
                String name = entry.getName();
                if (name.startsWith("WEB-INF/lib/") && kept.stream().anyMatch(k -> name.substring(12).startsWith(k))) {
                    out.putNextEntry(new java.util.zip.ZipEntry(name));
                    try (var body = in.getInputStream(entry)) {
                        body.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    private static void awaitBare(String url) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 300; i++) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not deployed yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the bare Smiley proxy did not answer 200 at " + url);
    }

    private static Path startJfr(TomcatProcess tomcat, Path work, String id, int seconds) throws Exception {
        Path file = work.resolve("profile-" + id + ".jfr");
        Files.deleteIfExists(file);
        exec(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(tomcat.pid()),
                "JFR.start", "name=bench-" + id, "settings=profile", "duration=" + seconds + "s", "filename=" + file),
                30);
        say("recording JFR of '" + id + "' to " + file);
        return file;
    }

    private static void awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
    }

    private static Run parse(String out, Map<String, Long> before, Map<String, Long> after) {
        Matcher rps = RPS.matcher(out);
        Matcher requests = REQUESTS.matcher(out);
        if (!rps.find() || !requests.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's output:\n" + out);
        }
        double p50 = 0;
        double p99 = 0;
        Matcher latency = LATENCY.matcher(out);
        while (latency.find()) {
            double value = Double.parseDouble(latency.group(2)) * switch (latency.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000;
                default -> 1;
            };
            if (latency.group(1).equals("50")) {
                p50 = value;
            } else {
                p99 = value;
            }
        }
        long n = Long.parseLong(requests.group(1));
        long commands = 0;
        long writes = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (!e.getKey().equals("info")) {
                commands += delta;
            }
            if (WRITES.contains(e.getKey())) {
                writes += delta;
            }
        }
        return new Run(Double.parseDouble(rps.group(1)), p50, p99, n, commands / (double) n, writes / (double) n);
    }

    private static Map<String, Long> commandStats(Jedis redis) {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : redis.info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                calls.put(line.substring("cmdstat_".length(), line.indexOf(':')),
                        Long.parseLong(line.replaceAll(".*calls=(\\d+).*", "$1")));
            }
        }
        return calls;
    }

    private static String wrk(Case c, int threads, int connections, int seconds) throws Exception {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--latency"));
        if (c.header() != null) {
            command.add("-H");
            command.add(c.header());
        }
        command.add(c.url());
        String out = exec(command, seconds + 30);
        Matcher non2xx = NON_2XX.matcher(out);
        Matcher errors = ERRORS.matcher(out);
        if (non2xx.find() || errors.find()) {
            if (!tolerateErrors) {
                throw new IllegalStateException("not every answer was 2xx for " + c.title() + ":\n" + out);
            }
            out.lines().filter(l -> l.contains("Socket errors") || l.contains("Non-2xx")).forEach(l -> say("  "
                    + c.id() + ": " + l.trim()));
        }
        return out;
    }

    /** The ratios the README's quoted output gives, by case id (its RESULT lines). */
    private static Map<String, Double> readmeRatios() {
        Map<String, Double> ratios = new LinkedHashMap<>();
        try {
            Matcher m = README_RESULT.matcher(Files.readString(Path.of("README.md")));
            while (m.find()) {
                ratios.putIfAbsent(m.group(1), Double.parseDouble(m.group(2)));
            }
        } catch (IOException e) {
            say("README.md not readable here: no figures to compare with");
        }
        return ratios;
    }

    /** The shipped JVM options ({@code server-config/tomcat/setenv.sh}), or {@code -Dbench.jvm=...}. */
    static List<String> jvmOptions() {
        String override = System.getProperty("bench.jvm");
        return override != null ? List.of(override.trim().split("\\s+")) : TomcatProcess.shippedJvmOptions();
    }

    static String exec(List<String> command, int timeoutSeconds) throws Exception {
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

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String login(String gateway) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gateway + "_it/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("sub=bench-user&username=bench&access=" + ACCESS
                        + "&refresh=bench-refresh-token&expiresIn=86400")).build(), HttpResponse.BodyHandlers.ofString());
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

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static void say(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }

    /**
     * Copies of the benchmark user's stored session under fresh ids, written straight into Redis with a pipeline
     * (the tokens are bound to the session's own binding value, not to its id, so every copy decrypts), each with a
     * cookie signed like the gateway's.
     */
    static final class SessionCloner {
        private final Jedis redis;
        private final String cookieName;
        private final Map<byte[], byte[]> template;
        private final SessionCookieCodec codec;
        private final SessionIds ids = new SessionIds();

        SessionCloner(Jedis redis, String cookie) {
            this.redis = redis;
            this.cookieName = cookie.substring(0, cookie.indexOf('='));
            String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf('.'));
            this.template = redis.hgetAll(key(id));
            if (template.isEmpty()) {
                throw new IllegalStateException("the benchmark session is not in Redis under " + new String(key(id),
                        StandardCharsets.UTF_8));
            }
            this.codec = new SessionCookieCodec(List.of(Base64.getDecoder().decode(SIGNING_KEY)));
        }

        private static byte[] key(String id) {
            return (NAMESPACE + ":sessions:{" + id + "}").getBytes(StandardCharsets.UTF_8);
        }

        List<String> create(int n) {
            List<String> created = new ArrayList<>(n);
            // The copies are used from now on, so they were last used now, not when the template last was.
            Map<byte[], byte[]> fields = new java.util.HashMap<>();
            byte[] lastAccessed = "lastAccessed".getBytes(StandardCharsets.UTF_8);
            template.forEach((k, v) -> fields.put(k, Arrays.equals(k, lastAccessed)
                    ? Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII) : v));
            Pipeline pipeline = redis.pipelined();
            for (int i = 0; i < n; i++) {
                String id = ids.generate();
                created.add(id);
                pipeline.hset(key(id), fields);
                pipeline.pexpire(key(id), Duration.ofHours(1).toMillis());
                if (i % 1000 == 999) {
                    pipeline.sync();
                }
            }
            pipeline.sync();
            return created;
        }

        void delete(List<String> created) {
            Pipeline pipeline = redis.pipelined();
            for (int i = 0; i < created.size(); i++) {
                pipeline.unlink(key(created.get(i)));
                if (i % 1000 == 999) {
                    pipeline.sync();
                }
            }
            pipeline.sync();
        }

        String cookie(String id) {
            return cookieName + "=" + codec.encode(id);
        }
    }

    /** Clients that each hold one slow download open through the gateway (a worker thread each on a platform pool). */
    static final class SlowDownloads {
        private SlowDownloads() {
        }

        static AutoCloseable start(int n, String url) {
            List<Thread> threads = new ArrayList<>();
            List<java.io.InputStream> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(() -> {
                    try {
                        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .build(), HttpResponse.BodyHandlers.ofInputStream());
                        bodies.add(r.body());
                        byte[] buffer = new byte[8192];
                        while (r.body().read(buffer) >= 0) {
                            // keep reading slowly, as the upstream sends
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed at the end of the run
                    }
                }, "slow-download-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            return () -> {
                for (java.io.InputStream body : bodies) {
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            };
        }
    }

    /** Debian's nginx in the foreground with its own prefix. */
    static final class Nginx {
        private Nginx() {
        }

        static AutoCloseable upstream(Path dir, int port) throws IOException {
            return start(dir, "auto", """
                    server {
                        listen 127.0.0.1:%d;
                        location = /api/data/slow { limit_rate 16k; default_type application/octet-stream;
                            alias %s; }
                        location = /api/data/_check { default_type text/plain; return 200 "authorization=$http_authorization\\n"; }
                        location / { default_type text/plain; return 200 "hello from the upstream\\n"; }
                    }
                    """.formatted(port, slowBody(dir)), port);
        }

        /** 8 MiB to send slowly: longer than any run at 16 KiB/s. */
        private static Path slowBody(Path dir) throws IOException {
            Path file = Files.createDirectories(dir).resolve("slow.bin");
            if (!Files.exists(file)) {
                Files.write(file, new byte[8 << 20]);
            }
            return file;
        }

        static AutoCloseable proxy(Path dir, String workers, int port, int upstreamPort) throws IOException {
            return start(dir, workers, """
                    upstream backend { server 127.0.0.1:%d; keepalive 64; }
                    server {
                        listen 127.0.0.1:%d;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                    """.formatted(upstreamPort, port), port);
        }

        private static AutoCloseable start(Path dir, String workers, String servers, int port) throws IOException {
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
                    %s
                    }
                    """.formatted(workers, dir, dir, dir, dir, dir, dir, dir, servers);
            Path file = dir.resolve("nginx.conf");
            Files.writeString(file, conf);
            Process nginx = new ProcessBuilder(System.getProperty("bench.nginx", "nginx"), "-p", dir.toString(), "-c",
                    file.toString(), "-g", "daemon off;").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs/console.log").toFile())).start();
            awaitListening(port, nginx);
            return () -> ProcessTrees.stop(nginx.toHandle(), Duration.ofSeconds(10));
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
    }
}
