package io.renku.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The semantics table, one row per (grant, resource) pair, each grant written in both formats side by side:
 * the Option 1 URI (with the action {@code read}) and the Option 2 string must parse and decide alike. The resource is
 * given in both forms too (its Option 2 spelling is derived from the Option 1 one).
 */
class ScopeSemanticsTest {

    @ParameterizedTest(name = "{0} | {1} | {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
        # Option 1 grant (action read)          | Option 2 grant                              | resource                                                | allowed
        gid://app/Organization/1                | read:organization:1                         | gid://app/Organization/1                                | true
        gid://app/Organization/1                | read:organization:1                         | gid://app/organization/1                                | true
        gid://app/Organization/1                | read:organization:1                         | gid://app/Organization/1/Group/1                        | false
        gid://app/Organization/1                | read:organization:1                         | gid://app/Organization/10                               | false
        gid://app/Organization/1/*              | read:organization:1:*                       | gid://app/Organization/1/Group/1                        | true
        gid://app/Organization/1/*              | read:organization:1:*                       | gid://app/Organization/1/Group/1/Project/7              | true
        gid://app/Organization/1/*              | read:organization:1:*                       | gid://app/Organization/1                                | false
        gid://app/Organization/1/*              | read:organization:1:*                       | gid://app/Organization/2/Group/1                        | false
        gid://app/Organization/1/Group/1        | read:organization:1:group:1                 | gid://app/Organization/1/Group/1                        | true
        gid://app/Organization/1/Group/1        | read:organization:1:group:1                 | gid://app/Organization/2/Group/1                        | false
        gid://app/Organization/1/Group/1        | read:organization:1:group:1                 | gid://app/Group/1                                       | false
        gid://app/Organization/1/Group/1        | read:organization:1:group:1                 | gid://app/Organization/1                                | false
        gid://app/Organization/1/Group/1        | read:organization:1:group:1                 | gid://app/Organization/1/Group/1/Project/1              | false
        gid://app/Organization/1/Group/1/*      | read:organization:1:group:1:*               | gid://app/Organization/1/Group/1/Project/1              | true
        gid://app/Organization/1/Group/1/*      | read:organization:1:group:1:*               | gid://app/Organization/1/Group/1                        | false
        gid://app/Organization/1/Group/1/Project/1 | read:organization:1:group:1:project:1    | gid://app/Organization/1/Group/1/Project/1              | true
        gid://app/Organization/1/Group/1/Project/1 | read:organization:1:group:1:project:1    | gid://app/Project/1                                     | false
        gid://app/Project/1                     | read:project:1                              | gid://app/Project/1                                     | true
        gid://app/Project/1                     | read:project:1                              | gid://app/Organization/1/Group/1/Project/1              | true
        gid://app/Project/1                     | read:project:1                              | gid://app/Project/10                                    | false
        gid://app/Project/1                     | read:project:1                              | gid://app/Project/1/Issue/4                             | false
        gid://app/Project/1/*                   | read:project:1:*                            | gid://app/Organization/1/Group/1/Project/1/Issue/4      | true
        gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | read:organization:1:group:1:attributes[]=name&attributes[]=description | gid://app/Organization/1/Group/1?attributes[]=name | true
        gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | read:organization:1:group:1:attributes[]=name&attributes[]=description | gid://app/Organization/1/Group/1?attributes[]=description | true
        gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | read:organization:1:group:1:attributes[]=name&attributes[]=description | gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | true
        gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | read:organization:1:group:1:attributes[]=name&attributes[]=description | gid://app/Organization/1/Group/1 | false
        gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | read:organization:1:group:1:attributes[]=name&attributes[]=description | gid://app/Organization/1/Group/1?attributes[]=owner | false
        gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=description | read:organization:1:group:1:attributes[]=name&attributes[]=description | gid://app/Organization/1/Group/1?attributes[]=name&attributes[]=owner | false
        gid://app/Organization/1/Group/1        | read:organization:1:group:1                 | gid://app/Organization/1/Group/1?attributes[]=owner     | true
        gid://app/Organization/1/Group/*        | read:organization:1:group:*                 | gid://app/Organization/1/Group/1                        | true
        gid://app/Organization/1/Group/*        | read:organization:1:group:*                 | gid://app/Organization/1/Group/2/Project/3              | true
        gid://app/Organization/1/Group/*        | read:organization:1:group:*                 | gid://app/Organization/1                                | false
        gid://app/Organization/1/Group/*        | read:organization:1:group:*                 | gid://app/Organization/2/Group/1                        | false
        gid://app/Organization/1/Group/*        | read:organization:1:group:*                 | gid://app/Organization/1/Team/1                         | false
        """)
    void bothFormatsDecideAsTheTableSays(String option1, String option2, String resource, boolean allowed) {
        Grant uri = Scopes.option1("read", option1).orElseThrow();
        Grant colons = Scopes.option2(option2).orElseThrow();
        assertEquals(uri, colons, "both formats parse into the same grant");
        ResourceRef asUri = Scopes.resource(resource);
        ResourceRef asColons = Scopes.resource(colonForm(resource));
        assertEquals(asUri, asColons);
        for (GrantSet grants : List.of(GrantSet.of(List.of(uri)), GrantSet.of(List.of(colons)))) {
            assertEquals(allowed, grants.allows("read", asUri), "read " + resource);
            assertEquals(allowed, grants.allows("read", asColons), "read " + colonForm(resource));
            assertFalse(grants.allows("write", asUri), "read never allows write");
        }
    }

    @Test
    void typesCompareCaseInsensitivelyAndIdsExactly() {
        Grant grant = Scopes.option2("read:ORGANIZATION:AbC").orElseThrow();
        assertTrue(grant.allows("read", Scopes.resource("organization:AbC")));
        assertFalse(grant.allows("read", Scopes.resource("organization:abc")));
        assertFalse(grant.allows("Read", Scopes.resource("organization:AbC")), "actions compare exactly");
    }

    @ParameterizedTest(name = "malformed grant ''{0}''")
    @CsvSource(delimiter = '|', textBlock = """
        openid
        read
        read:
        read:organization:
        read:*
        read:organization:1:group
        read:organization:*:group:1
        read:organization:1:group:*:*
        read:organization:1::group:1
        read:organization:1:attributes[]=
        read:organization:1:attributes[]=a&b=c
        read:organization:1/2
        read:organization:1 2
        1read:organization:1
        read:9org:1
        """)
    void malformedScopesGrantNothing(String scope) {
        assertTrue(Scopes.option2(scope).isEmpty(), scope);
        GrantSet set = GrantSet.fromClaim(List.of(scope, "read:organization:1"));
        assertEquals(1, set.size(), "a malformed scope never makes the others fail");
    }

    @ParameterizedTest(name = "malformed Option 1 ''{0}''")
    @CsvSource(delimiter = '|', textBlock = """
        gid://other/Organization/1
        gid://app/
        gid://app/Organization/1/Group
        gid://app/Organization/1/
        gid://app//Organization/1
        gid://app/Organization/*/Group/1
        gid://app/Organization/1?attributes[]=
        gid://app/Organization/1?name=x
        http://app/Organization/1
        """)
    void malformedOption1GrantsNothing(String gid) {
        assertTrue(Scopes.option1("read", gid).isEmpty(), gid);
    }

    @ParameterizedTest(name = "malformed resource ''{0}''")
    @CsvSource(delimiter = '|', textBlock = """
        organization:*
        '*'
        organization:1:*
        gid://app/Organization/1/*
        gid://app/Organization/*
        gid://elsewhere/Organization/1
        organization:1:group
        organization:1:attributes[]=
        ' '
        """)
    void malformedResourcesAreRefusedWithAMessage(String resource) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scopes.resource(resource));
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void aTypeAloneNamesItsOneResource() {
        ResourceRef ability = Scopes.resource("gid://app/Ability");
        assertEquals(ability, Scopes.resource("ability"));
        assertEquals("gid://app/ability", ability.toString());
        assertTrue(Scopes.option2("decide:ability").orElseThrow().allows("decide", ability));
        assertTrue(Scopes.option1("decide", "gid://app/Ability").orElseThrow().allows("decide", ability));
        assertFalse(Scopes.option2("decide:ability").orElseThrow().allows("decide", Scopes.resource("ability:1")));
        assertFalse(Scopes.option2("decide:ability:1").orElseThrow().allows("decide", ability));
    }

    @Test
    void claimShapesAllGiveGrants() {
        Object option1Object = Map.of("read", List.of("gid://app/Project/1"), "write", List.of("gid://app/Project/2"));
        GrantSet fromObject = GrantSet.fromClaim(option1Object);
        assertTrue(fromObject.allows("read", Scopes.resource("project:1")));
        assertTrue(fromObject.allows("write", Scopes.resource("project:2")));
        assertFalse(fromObject.allows("write", Scopes.resource("project:1")));

        GrantSet fromArray = GrantSet.fromClaim(List.of("read:project:1", 17, "write:project:2"));
        assertEquals(2, fromArray.size());

        GrantSet fromString = GrantSet.fromClaim("openid profile email read:project:1  write:project:2");
        assertEquals(2, fromString.size(), "openid, profile and email are other shapes and ignored");
        assertTrue(fromString.allows("write", Scopes.resource("gid://app/Project/2")));

        assertTrue(GrantSet.fromClaim(null).isEmpty());
        assertTrue(GrantSet.fromClaim(42).isEmpty());
    }

    /** The seed's Option 1 example token: Projects 1 and 2 below, Project 3 itself. */
    @Test
    void seedOption1ExampleDecidesAsItsProseSays() {
        Map<String, Object> claims = Map.of("sub", "gid://User/17", "scope", Map.of("read", List.of(
                "gid://app/Organization/1/Group/1/Project/1/*",
                "gid://app/Organization/1/Group/1/Project/2/*",
                "gid://app/Organization/1/Group/2/Project/3")));
        assertSeedExample(GrantSet.fromClaim(claims.get("scope")));
    }

    /** The seed's Option 2 example token, the same permissions as colon strings. */
    @Test
    void seedOption2ExampleDecidesAsItsProseSays() {
        Map<String, Object> claims = Map.of("sub", "gid://User/17", "scope", List.of(
                "read:organization:1:group:1:project:1:*",
                "read:organization:1:group:1:project:2:*",
                "read:organization:1:group:2:project:3"));
        assertSeedExample(GrantSet.fromClaim(claims.get("scope")));
    }

    private static void assertSeedExample(GrantSet grants) {
        assertEquals(3, grants.size());
        // "read all of the descendant resources of Project 1 and Project 2"
        assertTrue(grants.allows("read", Scopes.resource("gid://app/Organization/1/Group/1/Project/1/Issue/9")));
        assertTrue(grants.allows("read", Scopes.resource("organization:1:group:1:project:2:file:readme:line:3")));
        // "and it can read Project 3"
        assertTrue(grants.allows("read", Scopes.resource("gid://app/Organization/1/Group/2/Project/3")));
        // but not Project 1 itself (only what lies below), nor below Project 3, nor anything else, nor write
        assertFalse(grants.allows("read", Scopes.resource("gid://app/Organization/1/Group/1/Project/1")));
        assertFalse(grants.allows("read", Scopes.resource("gid://app/Organization/1/Group/2/Project/3/Issue/1")));
        assertFalse(grants.allows("read", Scopes.resource("gid://app/Organization/1/Group/1/Project/4/Issue/1")));
        assertFalse(grants.allows("read", Scopes.resource("gid://app/Project/3")), "no widening to the short form");
        assertFalse(grants.allows("write", Scopes.resource("gid://app/Organization/1/Group/2/Project/3")));
    }

    /** {@code gid://app/A/1/B/2?attributes[]=x} as {@code a:1:b:2:attributes[]=x}. */
    static String colonForm(String gid) {
        String rest = gid.substring(Scopes.GID_PREFIX.length());
        int query = rest.indexOf('?');
        String path = query < 0 ? rest : rest.substring(0, query);
        String colons = path.replace('/', ':');
        return query < 0 ? colons : colons + ":" + rest.substring(query + 1);
    }
}
