package io.renku.gateway.harness;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Alterations of a real, signed SAML Response from Keycloak for the hostile corpus: tampering after signing, XML
 * signature wrapping (a second or moved assertion so that the signed element is not the one read), removed or broken
 * signatures, a DOCTYPE, and changed routing attributes. Done on the text so the signed bytes are otherwise kept.
 */
public final class SamlForgeries {
    private static final Pattern ASSERTION = Pattern.compile("<([\\w-]+:)?Assertion[\\s>].*?</\\1Assertion>",
            Pattern.DOTALL);
    private static final Pattern SIGNATURE = Pattern.compile("<([\\w-]+:)?Signature[\\s>].*?</\\1Signature>",
            Pattern.DOTALL);
    private static final Pattern SIGNATURE_VALUE = Pattern.compile("(<([\\w-]+:)?SignatureValue[^>]*>)([A-Za-z0-9+/])");
    private static final Pattern NAME_ID = Pattern.compile("(<([\\w-]+:)?NameID[^>]*>)([^<]*)(<)");
    private static final Pattern ID = Pattern.compile("(\\sID=\")([^\"]+)(\")");
    private static final Pattern ROOT_END = Pattern.compile("(<([\\w-]+:)?Response\\s[^>]*>)");

    private SamlForgeries() {
    }

    /** The response {@code xml} altered as {@code name} says (see the corpus's saml rows). */
    public static String alter(String name, String xml) {
        Matcher assertion = find(ASSERTION, xml, "an assertion");
        String evil = renamed(NAME_ID.matcher(assertion.group()).replaceFirst("$1admin$4"));
        return switch (name) {
            case "unchanged" -> xml;
            case "tamperedNameId" -> NAME_ID.matcher(xml).replaceFirst("$1admin$4");
            case "commentInNameId" -> NAME_ID.matcher(xml).replaceFirst("$1$3<!---->.evil.example$4");
            case "twoAssertions" -> xml.substring(0, assertion.end()) + assertion.group() + xml.substring(assertion.end());
            case "evilAssertionFirst" -> xml.substring(0, assertion.start()) + evil + xml.substring(assertion.start());
            case "wrappedInExtensions" -> {
                Matcher root = find(ROOT_END, xml, "the Response element");
                String prefix = root.group(2) == null ? "" : root.group(2);
                String moved = xml.substring(0, assertion.start()) + evil + xml.substring(assertion.end());
                int at = moved.indexOf('>', root.start()) + 1;
                yield moved.substring(0, at) + "<" + prefix + "Extensions>" + assertion.group() + "</" + prefix
                        + "Extensions>" + moved.substring(at);
            }
            case "signatureRemoved" -> SIGNATURE.matcher(xml).replaceAll("");
            case "signatureValueFlipped" -> {
                Matcher value = find(SIGNATURE_VALUE, xml, "a SignatureValue");
                char c = value.group(3).charAt(0);
                yield xml.substring(0, value.start(3)) + (c == 'A' ? 'B' : 'A') + xml.substring(value.end(3));
            }
            case "idSwapped" -> xml.substring(0, assertion.start()) + renamed(assertion.group())
                    + xml.substring(assertion.end());
            case "doctypeAdded" -> {
                int declaration = xml.startsWith("<?xml") ? xml.indexOf("?>") + 2 : 0;
                yield xml.substring(0, declaration) + "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                        + xml.substring(declaration);
            }
            case "otherDestination" -> xml.replaceFirst("Destination=\"[^\"]*\"",
                    "Destination=\"http://evil.example/api/auth/saml/assertions\"");
            case "otherAudience" -> xml.replaceAll("(<([\\w-]+:)?Audience>)[^<]*(<)", "$1renku-evil$3");
            case "inResponseToChanged" -> xml.replaceFirst("InResponseTo=\"([^\"]*)\"", "InResponseTo=\"$1z\"");
            default -> throw new IllegalArgumentException("no SAML alteration " + name);
        };
    }

    /** {@code element} with its first ID attribute changed, so a signature reference no longer names it. */
    private static String renamed(String element) {
        return ID.matcher(element).replaceFirst("$1$2-evil$3");
    }

    private static Matcher find(Pattern pattern, String xml, String what) {
        Matcher m = pattern.matcher(xml);
        if (!m.find()) {
            throw new IllegalStateException("the real SAML response has no " + what);
        }
        return m;
    }
}
