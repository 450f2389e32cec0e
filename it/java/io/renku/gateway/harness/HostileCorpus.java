package io.renku.gateway.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hostile-request corpus ({@code it/resources/hostile/corpus.tsv}): one case a line, tab-separated
 * {@code id, category, expected answers, recipe, note}. The recipe is the raw request with the escapes {@code \r \n
 * \t \\ \xHH} (one byte each) and placeholders {@code ${name}} that the IT fills in ({@code ${host}}, the session
 * cookie, forged tokens...); {@code ${rep:N:text}} is {@code text} N times and {@code ${len}} the byte length of the
 * body after the first blank line, both filled in last.
 */
public final class HostileCorpus {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");
    private static final Pattern REPEAT = Pattern.compile("\\$\\{rep:(\\d+):([^}]*)}");

    /** One case; {@code expected} is the set of answer classes of which the answer must be one. */
    public record Case(String id, String category, Set<String> expected, String recipe, String note) {
        public boolean uses(String placeholderPrefix) {
            return recipe.contains("${" + placeholderPrefix);
        }
    }

    private HostileCorpus() {
    }

    public static List<Case> load(String resource) throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = HostileCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no corpus " + resource + " on the class path");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5) {
                    throw new IllegalStateException("corpus line has " + f.length + " fields, not 5: " + line);
                }
                cases.add(new Case(f[0], f[1], Set.of(f[2].split("\\|")), f[3], f[4]));
            }
        }
        return cases;
    }

    /** The request bytes: placeholders resolved by {@code values} (which throws for an unknown name), then escapes. */
    public static byte[] bytes(Case c, UnaryOperator<String> values) {
        Matcher m = PLACEHOLDER.matcher(c.recipe());
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            m.appendReplacement(text, Matcher.quoteReplacement(name.equals("len") ? "${len}" : values.apply(name)));
        }
        m.appendTail(text);
        Matcher r = REPEAT.matcher(text);
        StringBuilder repeated = new StringBuilder();
        while (r.find()) {
            r.appendReplacement(repeated, Matcher.quoteReplacement(r.group(2).repeat(Integer.parseInt(r.group(1)))));
        }
        r.appendTail(repeated);
        String raw = unescape(repeated.toString());
        int body = raw.indexOf("\r\n\r\n");
        if (raw.contains("${len}")) {
            int length = body < 0 ? 0 : raw.length() - body - 4;
            raw = raw.replace("${len}", Integer.toString(length));
        }
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code \r \n \t \\ \xHH} to the characters 0-255 they stand for. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case 'x' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + next + " in " + s);
            }
        }
        return out.toString();
    }
}
