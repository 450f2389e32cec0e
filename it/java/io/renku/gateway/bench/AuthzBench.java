package io.renku.gateway.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.renku.gateway.authz.TokenGrants;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.GrantSet;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.ResourceRef;
import io.renku.gateway.model.Scopes;
import io.renku.gateway.model.Secret;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decisions per second for a caller with 1 000 grants (500 Option 1 URIs in an object claim, 500 Option 2 strings in
 * {@code scope}), on one thread, the way a request pays for one: the token's grants looked up by the token's SHA-256
 * ({@link TokenGrants}, the real cache) and matched ({@link GrantSet#allows}). Two variants: the resource already
 * parsed (an edge rule builds it from its template), and parsed from text per decision (the Twirp endpoint). Also the
 * one-time cost of parsing the token's grants. {@code mvn -o -q -Pbench-authz}; {@code -Dbench.seconds=N} (default
 * 10) and {@code -Dbench.warmupSeconds=N} (default 5) change the run.
 */
public final class AuthzBench {
    private static volatile boolean sink;

    private AuthzBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 10);
        int warmup = Integer.getInteger("bench.warmupSeconds", 5);
        List<String> option2 = new ArrayList<>();
        List<String> option1 = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            option2.add("read:organization:" + (i % 10) + ":group:" + i + ":project:" + (i * 7) + (i % 3 == 0 ? ":*" : ""));
            option1.add("gid://app/Organization/" + (i % 10) + "/Group/" + (1000 + i) + (i % 2 == 0 ? "/*" : ""));
        }
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench").build(),
                new JWTClaimsSet.Builder().issuer("https://idp.example").subject("bench-user")
                        .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                        .claim("scope", "openid profile " + String.join(" ", option2))
                        .claim("authz", Map.of("read", option1)).build());
        jwt.sign(new RSASSASigner(key));
        Secret token = Secret.of(jwt.serialize());
        Identity caller = new Identity("bench-user", "", "", "", "https://idp.example", AuthMethod.BEARER,
                Optional.empty(), Set.of(), Optional.of(token));

        long coldStart = System.nanoTime();
        GrantSet parsed = new TokenGrants(List.of("scope", "authz"), 10, Clock.systemUTC()).of(token, caller);
        double coldMillis = (System.nanoTime() - coldStart) / 1e6;
        say("token: " + token.reveal().length() + " characters, " + parsed.size() + " grants (500 Option 1, 500 "
                + "Option 2); first parse of its grants " + String.format("%.1f", coldMillis) + " ms (cold JVM)");
        if (parsed.size() != 1000) {
            throw new IllegalStateException("expected 1000 grants, parsed " + parsed.size());
        }

        String[] texts = new String[1024];
        ResourceRef[] resources = new ResourceRef[texts.length];
        int allowed = 0;
        for (int i = 0; i < texts.length; i++) {
            int g = i % 600;
            texts[i] = switch (i % 4) {
                case 0 -> "organization:" + (g % 10) + ":group:" + g + ":project:" + (g * 7);
                case 1 -> "gid://app/Organization/" + (g % 10) + "/Group/" + (1000 + g) + "/Project/" + i;
                case 2 -> "organization:" + (g % 10) + ":group:" + g + ":project:" + (g * 7) + ":issue:" + i;
                default -> "gid://app/Organization/" + (g % 10) + "/Group/" + (2000 + g);
            };
            resources[i] = Scopes.resource(texts[i]);
            allowed += parsed.allows("read", resources[i]) ? 1 : 0;
        }
        say(texts.length + " resources, " + allowed + " of them allowed; " + warmup + " s warm-up, " + seconds
                + " s measured per variant, one thread");

        TokenGrants cache = new TokenGrants(List.of("scope", "authz"), 10_000, Clock.systemUTC());
        run("cached caller, resource pre-parsed (edge rule)", warmup, seconds, i ->
                cache.of(token, caller).allows("read", resources[i & 1023]));
        run("cached caller, resource parsed per decision (Twirp)", warmup, seconds, i ->
                cache.of(token, caller).allows("read", Scopes.resource(texts[i & 1023])));
        run("grants in hand, match only", warmup, seconds, i -> parsed.allows("read", resources[i & 1023]));
    }

    private interface Decision {
        boolean decide(int i);
    }

    private static void run(String name, int warmup, int seconds, Decision decision) {
        loop(decision, warmup * 1_000_000_000L);
        long[] result = loop(decision, seconds * 1_000_000_000L);
        say(String.format("%-52s %,12.0f decisions/s", name, result[0] * 1e9 / result[1]));
    }

    private static long[] loop(Decision decision, long nanos) {
        long start = System.nanoTime();
        long count = 0;
        long elapsed;
        boolean any = false;
        do {
            for (int i = 0; i < 1024; i++) {
                any ^= decision.decide((int) count + i);
            }
            count += 1024;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        sink = any;
        return new long[] {count, elapsed};
    }

    private static void say(String line) {
        System.out.println("[bench] " + line);
    }
}
