package io.renku.gateway.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Fuzzes the scope and resource parsers ({@link Scopes}) and the matcher ({@link Grant#allows}) with both formats.
 * Properties: a grant parser answers a grant or empty and never throws; the resource parser throws only its
 * documented {@link IllegalArgumentException}; every parsed grant is made of valid names and ids; deciding never
 * throws; and a grant never allows another action than its own.
 */
class ScopesFuzzTest {
    private static final String[] STARTS = {"", "read:", "write:project:", "gid://app/", "gid://app/Project/1",
        "read:organization:1:group:", "decide:ability", "gid://other/", "read:project:1:*", "attributes[]="};

    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({":", "/", "*", "?", "&", "attributes[]=", "gid://app/", "Project", "Organization", "Group", "1",
        "~", ".", "-", "_", "%2F"})
    void parsingAndDecidingNeverThrowAndGrantsAreWellFormed(FuzzedDataProvider data) {
        String action = data.pickValue(new String[] {"read", "write", "", "9x", "delete_all", "r".repeat(70)});
        String scope = data.pickValue(STARTS) + data.consumeString(300);
        String resourceText = data.pickValue(STARTS) + data.consumeRemainingAsString();
        Optional<Grant> grant = Scopes.grant(action, scope);
        grant.ifPresent(ScopesFuzzTest::wellFormed);
        Scopes.option2(scope).ifPresent(ScopesFuzzTest::wellFormed);
        ResourceRef resource;
        try {
            resource = Scopes.resource(resourceText);
        } catch (IllegalArgumentException refused) {
            return;
        }
        for (PathStep step : resource.path()) {
            assertTrue(!step.anyId(), "a resource with '*': " + resourceText);
        }
        grant.ifPresent(g -> {
            g.allows(g.action(), resource);
            assertTrue(!g.allows(g.action() + "x", resource), "a grant allowed another action");
        });
    }

    private static void wellFormed(Grant grant) {
        assertTrue(Scopes.isAction(grant.action()), grant.toString());
        for (PathStep step : grant.path()) {
            assertTrue(Scopes.isAction(step.type()), grant.toString());
            assertTrue(step.anyId() || Scopes.isId(step.id()) || PathStep.SINGLETON.equals(step.id()),
                    grant.toString());
        }
    }
}
