package io.renku.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed's dependency rule, enforced: {@code errors} imports no project package, {@code model} only {@code errors},
 * {@code config} only {@code errors} and {@code model}; and none of the three touches a servlet, JAX-RS, Jersey,
 * Jedis, Nimbus, Spring or HTTP-client type, so they stay testable without a container. Two checks: ArchUnit on the
 * compiled classes (catches fully-qualified uses), and a scan of the source imports (catches an import that the
 * compiler drops because nothing uses it yet).
 */
class PackageRuleTest {
    private static final String ROOT = "io.renku.gateway";
    private static final String[] FRAMEWORKS = {"jakarta..", "javax.servlet..", "org.glassfish..", "redis.clients..",
        "com.nimbusds..", "org.springframework..", "org.mitre..", "org.apache..", "com.fasterxml.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @ParameterizedTest(name = "{0} may import only {1}")
    @CsvSource({
        "errors, errors",
        "model,  errors model",
        "config, errors model config",
    })
    void sharedPackagesImportOnlyWhatTheRuleAllows(String layer, String allowed) {
        String[] allowedPackages = Arrays.stream(allowed.trim().split("\\s+")).map(p -> ROOT + "." + p + "..")
                .toArray(String[]::new);
        DescribedPredicate<JavaClass> forbidden = resideInAPackage(ROOT + "..")
                .and(not(resideInAnyPackage(allowedPackages)))
                .or(resideInAnyPackage(FRAMEWORKS));
        noClasses().that().resideInAPackage(ROOT + "." + layer.trim() + "..")
                .should().dependOnClassesThat(forbidden.as("a forbidden package (project packages other than "
                        + allowed.trim() + ", or " + String.join(", ", FRAMEWORKS) + ")"))
                .check(classes);
    }


    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @ParameterizedTest(name = "sources of {0} import only {1}")
    @CsvSource({
        "errors, errors",
        "model,  errors model",
        "config, errors model config",
    })
    void sourceImportsFollowTheRule(String layer, String allowed) throws IOException {
        List<String> allowedPrefixes = new ArrayList<>();
        allowedPrefixes.add("java.");
        for (String p : allowed.trim().split("\\s+")) {
            allowedPrefixes.add(ROOT + "." + p + ".");
        }
        Path dir = Path.of("src/main/java", ROOT.replace('.', '/'), layer.trim());
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String imported = m.group(1);
                    if (allowedPrefixes.stream().noneMatch(imported::startsWith)) {
                        violations.add(file.getFileName() + " imports " + imported);
                    }
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), violations,
                layer.trim() + " may import only java.* and " + allowed.trim());
    }
}
