package io.renku.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of the parsers and the matcher over generated input (QuickTheories; a failure prints the shrunk
 * example): nothing but the documented {@link IllegalArgumentException} escapes on any string; a grant never allows a
 * resource outside the subtree it names; the Option 1 and Option 2 spellings of one grant parse alike and decide alike.
 */
class ScopePropertiesTest {
    private static final List<String> TYPES = List.of("organization", "Group", "project", "issue");
    private static final List<String> IDS = List.of("1", "2", "10", "a-b");
    private static final List<String> ATTRIBUTES = List.of("name", "description", "owner");
    /** Pieces of both grammars, so generated strings come near valid scopes and exercise every branch. */
    private static final List<String> PIECES = List.of("read", "write", ":", "/", "*", "gid://app/", "gid://", "?",
            "&", "attributes[]=", "name", "organization", "Group", "1", "", " ", "%2F", "..", "é", "\u0000", "[]", "=");

    private static Gen<String> anyString() {
        Gen<String> scopeLike = lists().of(Generate.pick(PIECES)).ofSizeBetween(0, 12).map(l -> String.join("", l));
        return strings().allPossible().ofLengthBetween(0, 80).mix(scopeLike, 70);
    }

    @Test
    void noExceptionEscapesTheParsersOnAnyString() {
        qt().withExamples(5000).forAll(anyString()).checkAssert(text -> {
            Optional<Grant> a = Scopes.option2(text);
            Optional<Grant> b = Scopes.option1("read", text);
            Optional<Grant> c = Scopes.grant("read", text);
            GrantSet fromString = GrantSet.fromClaim(text);
            GrantSet fromList = GrantSet.fromClaim(List.of(text, "read:project:1"));
            assertTrue(fromList.size() >= 1, "a bad entry never removes the good one");
            assertTrue(a.isPresent() || b.isPresent() || c.isEmpty() || fromString.size() >= 0);
            try {
                ResourceRef resource = Scopes.resource(text);
                fromList.allows("read", resource);
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty());
            }
        });
    }

    /** A grant structure, rendered in both formats by the test (not by the code under test). */
    record Spec(List<String[]> steps, boolean below, boolean wildcard, List<String> attributes) {
        String option1() {
            StringBuilder out = new StringBuilder("gid://app/");
            for (int i = 0; i < steps.size(); i++) {
                out.append(i == 0 ? "" : "/").append(steps.get(i)[0]).append('/')
                        .append(wildcard && i == steps.size() - 1 ? "*" : steps.get(i)[1]);
            }
            if (below) {
                out.append("/*");
            }
            for (int i = 0; i < attributes.size(); i++) {
                out.append(i == 0 ? "?" : "&").append("attributes[]=").append(attributes.get(i));
            }
            return out.toString();
        }

        String option2() {
            StringBuilder out = new StringBuilder("read");
            for (int i = 0; i < steps.size(); i++) {
                out.append(':').append(steps.get(i)[0].toLowerCase(java.util.Locale.ROOT)).append(':')
                        .append(wildcard && i == steps.size() - 1 ? "*" : steps.get(i)[1]);
            }
            if (below) {
                out.append(":*");
            }
            for (int i = 0; i < attributes.size(); i++) {
                out.append(i == 0 ? ":" : "&").append("attributes[]=").append(attributes.get(i));
            }
            return out.toString();
        }
    }

    private static Gen<String[]> step() {
        return Generate.pick(TYPES).zip(Generate.pick(IDS), (t, i) -> new String[] {t, i});
    }

    private static Gen<Spec> specs() {
        return lists().of(step()).ofSizeBetween(1, 3).zip(booleans().all(), booleans().all(),
                lists().of(Generate.pick(ATTRIBUTES)).ofSizeBetween(0, 2),
                (steps, below, wildcard, attrs) -> new Spec(steps, below && !wildcard, wildcard,
                        attrs.stream().distinct().toList()));
    }

    private static Gen<ResourceRef> resources() {
        return lists().of(step()).ofSizeBetween(1, 5).zip(lists().of(Generate.pick(ATTRIBUTES)).ofSizeBetween(0, 2),
                (steps, attrs) -> new ResourceRef(steps.stream().map(s -> new PathStep(s[0], s[1])).toList(),
                        Set.copyOf(attrs)));
    }

    @Test
    void bothSpellingsOfAGrantParseAndDecideAlike() {
        qt().withExamples(3000).forAll(specs(), resources()).checkAssert((spec, resource) -> {
            Grant one = Scopes.option1("read", spec.option1()).orElseThrow(() -> new AssertionError(spec.option1()));
            Grant two = Scopes.option2(spec.option2()).orElseThrow(() -> new AssertionError(spec.option2()));
            assertEquals(one, two);
            ResourceRef reparsedUri = Scopes.resource(resource.toString());
            assertEquals(resource, reparsedUri);
            assertEquals(one.allows("read", resource), two.allows("read", reparsedUri));
            assertEquals(one.allows("read", resource), GrantSet.of(List.of(two)).allows("read", resource),
                    "the index finds what the grant allows");
        });
    }

    @Test
    void aGrantNeverAllowsAResourceOutsideTheSubtreeItNames() {
        qt().withExamples(5000).forAll(specs(), resources()).checkAssert((spec, resource) -> {
            Grant grant = Scopes.option2(spec.option2()).orElseThrow();
            if (grant.allows("read", resource)) {
                assertTrue(insideSubtree(grant, resource), grant + " allowed " + resource);
            }
            Grant whole = new Grant(grant.action(), grant.path(), grant.below(), Set.of());
            if (grant.allows("read", resource)) {
                assertTrue(whole.allows("read", resource), "attributes only ever narrow a grant");
            }
            assertEquals(false, grant.allows("write", resource));
        });
    }

    /** The oracle, written from the README's wording rather than from the matcher's code. */
    private static boolean insideSubtree(Grant grant, ResourceRef resource) {
        List<PathStep> g = grant.path();
        List<PathStep> r = resource.path();
        List<Integer> anchors = new ArrayList<>();
        if (g.size() == 1) {
            for (int i = 0; i < r.size(); i++) {
                anchors.add(i);
            }
        } else {
            anchors.add(g.size() - 1);
        }
        for (int end : anchors) {
            if (end >= r.size()) {
                continue;
            }
            boolean same = true;
            for (int k = 0; k < g.size(); k++) {
                PathStep gs = g.get(g.size() - 1 - k);
                int at = end - k;
                PathStep rs = at >= 0 ? r.get(at) : null;
                same &= rs != null && gs.type().equals(rs.type()) && (gs.anyId() || gs.id().equals(rs.id()));
            }
            boolean strictlyBelow = r.size() > end + 1;
            boolean depthOk = grant.below() ? strictlyBelow : grant.last().anyId() || !strictlyBelow;
            if (same && depthOk) {
                return true;
            }
        }
        return false;
    }

    @Test
    void integersAreNotIdsOfOtherTypes() {
        qt().forAll(integers().between(0, 1000), integers().between(0, 1000)).checkAssert((a, b) -> {
            Grant grant = Scopes.option2("read:project:" + a).orElseThrow();
            assertEquals(a.equals(b), grant.allows("read", Scopes.resource("project:" + b)));
            assertEquals(false, grant.allows("read", Scopes.resource("group:" + a)));
        });
    }
}
