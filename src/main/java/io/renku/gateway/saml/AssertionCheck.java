package io.renku.gateway.saml;

import com.onelogin.saml2.exception.ValidationError;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.session.SessionIndex;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The assertion consumer service's checks, as plain Java a test drives with forged responses. A Response is accepted
 * only when: it has no DOCTYPE (refused on the raw text, before any parser); java-saml in strict mode accepts it
 * (Response or Assertion signed by a certificate from the IdP's metadata, with exactly one assertion and the signed
 * element being the one read, which refuses both forms of signature wrapping; {@code Destination} and
 * {@code Recipient} = this ACS URL; {@code Audience} = the SP entity id; issuer = the IdP; status Success;
 * {@code InResponseTo} = the pending request of this browser session); its {@code Destination} is present; every
 * {@code NotBefore}/{@code NotOnOrAfter} holds within {@code sessions.tokenClockSkewSeconds} (java-saml's own window is
 * a fixed 180 s, so the gateway's is the one that counts when it is smaller); and its assertion id was never seen
 * (kept with {@code SET NX} until {@code NotOnOrAfter} so a replay is refused on every replica).
 *
 * <p>A refusal is a 400 whose text names the failed check, and one WARNING line with the provider and the check,
 * never the assertion's content or an id from it.
 */
final class AssertionCheck {
    private static final System.Logger LOG = System.getLogger(AssertionCheck.class.getName());

    /** What a valid assertion says. {@code xml} is kept only for an RFC 7522 exchange, never logged or stored. */
    record Verified(String issuer, String nameId, Optional<String> nameIdFormat, Optional<String> sessionIndex,
            Map<String, List<String>> attributes, String assertionId, Instant notOnOrAfter, String xml,
            String subjectNameId) {
        Verified {
            attributes = Map.copyOf(attributes);
        }

        @Override
        public String toString() {
            return "Verified[" + issuer + "]";
        }
    }

    private final SessionIndex seen;

    AssertionCheck(SessionIndex seen) {
        this.seen = Objects.requireNonNull(seen, "seen");
    }

    /**
     * Checks {@code base64} (the {@code SAMLResponse} form field) from {@code provider}. {@code pendingRequest} is the
     * id of the AuthnRequest this browser session is waiting for; empty when none is (then only an unsolicited
     * response without {@code InResponseTo} can pass, and only with {@code allowUnsolicited}).
     */
    Verified check(SamlProvider provider, String base64, Optional<String> pendingRequest) {
        String xml = SafeXml.decodePosted(base64, "SAMLResponse");
        var saml = provider.resolved();
        CheckedResponse response;
        try {
            response = new CheckedResponse(saml, provider.settings().acsUrl().toString(), base64.trim());
        } catch (ValidationError e) {
            throw refused(provider, "the response could not be read (" + describe(e) + ")");
        } catch (Exception e) {
            throw refused(provider, "the response is not a readable SAML Response");
        }
        Optional<String> inResponseTo = response.rootAttribute("InResponseTo");
        if (pendingRequest.isEmpty()) {
            if (inResponseTo.isPresent()) {
                throw refused(provider, "its InResponseTo names a login that is not in progress in this browser "
                        + "session");
            }
            if (!provider.settings().allowUnsolicited()) {
                throw refused(provider, "it is unsolicited (no login is in progress in this browser session, and "
                        + "this provider does not allow IdP-initiated logins)");
            }
        } else if (inResponseTo.isEmpty()) {
            throw refused(provider, "it has no InResponseTo although this browser session is waiting for a response "
                    + "to its own request");
        }
        if (!response.isValid(pendingRequest.orElse(null))) {
            Exception cause = response.getValidationException();
            throw refused(provider, cause instanceof ValidationError v ? describe(v) : timing(cause));
        }
        if (response.rootAttribute("Destination").filter(d -> !d.isEmpty()).isEmpty()) {
            throw refused(provider, "it has no Destination");
        }
        Instant now = provider.clock().instant();
        Duration skew = provider.clockSkew();
        Instant until;
        try {
            for (Instant notBefore : response.notBefore()) {
                if (now.plus(skew).isBefore(notBefore)) {
                    throw refused(provider, "it is not valid yet (NotBefore); check the clocks");
                }
            }
            List<Instant> ends = response.notOnOrAfter();
            if (ends.isEmpty()) {
                throw refused(provider, "it has no NotOnOrAfter");
            }
            until = ends.stream().min(Instant::compareTo).orElseThrow();
            if (!now.minus(skew).isBefore(until)) {
                throw refused(provider, "it has expired (NotOnOrAfter)");
            }
        } catch (javax.xml.xpath.XPathExpressionException | DateTimeParseException e) {
            throw refused(provider, "its validity period cannot be read");
        }
        Verified verified = read(provider, response, until, xml);
        Duration keep = Duration.between(now, until).plus(skew).plusSeconds(1);
        if (!seen.firstUse("saml:" + verified.issuer() + "|" + verified.assertionId(), keep)) {
            throw refused(provider, "its assertion was used already (replay)");
        }
        return verified;
    }

    private static Verified read(SamlProvider provider, CheckedResponse response, Instant until, String xml) {
        try {
            String issuer = response.getAssertionIssuer();
            Map<String, List<String>> all = response.getAttributes();
            Map<String, List<String>> kept = new LinkedHashMap<>();
            List<String> wanted = provider.settings().attributes();
            for (Map.Entry<String, List<String>> attribute : all.entrySet()) {
                if (wanted.isEmpty() || wanted.contains(attribute.getKey())) {
                    kept.put(attribute.getKey(), List.copyOf(attribute.getValue()));
                }
            }
            String attributeName = provider.settings().nameIdAttribute();
            String user;
            if (attributeName.isEmpty()) {
                user = response.getNameId();
            } else {
                List<String> values = all.getOrDefault(attributeName, List.of());
                if (values.size() != 1 || values.get(0).isBlank()) {
                    throw refused(provider, "it does not carry exactly one value of the attribute " + attributeName
                            + " that names the user");
                }
                user = values.get(0);
            }
            if (user == null || user.isBlank()) {
                throw refused(provider, "it names no user (NameID)");
            }
            return new Verified(issuer, user, Optional.ofNullable(response.getNameIdFormat()),
                    Optional.ofNullable(response.getSessionIndex()), kept, response.getAssertionId(), until,
                    provider.settings().tokenEndpoint().isPresent() ? response.assertionXml() : "",
                    Objects.requireNonNullElse(response.getNameId(), user));
        } catch (GatewayException e) {
            throw e;
        } catch (Exception e) {
            throw refused(provider, "its subject or attributes cannot be read");
        }
    }

    /** The check that failed, in words; java-saml's own messages can quote ids and values, so they are not shown. */
    static String describe(ValidationError e) {
        return switch (e.getErrorCode()) {
            case ValidationError.STATUS_CODE_IS_NOT_SUCCESS, ValidationError.MISSING_STATUS,
                    ValidationError.MISSING_STATUS_CODE -> "its status is not Success (the IdP did not log you in)";
            case ValidationError.WRONG_NUMBER_OF_ASSERTIONS -> "it must contain exactly one assertion "
                    + "(signature wrapping is refused)";
            case ValidationError.WRONG_SIGNED_ELEMENT, ValidationError.ID_NOT_FOUND_IN_SIGNED_ELEMENT,
                    ValidationError.DUPLICATED_ID_IN_SIGNED_ELEMENTS, ValidationError.INVALID_SIGNED_ELEMENT,
                    ValidationError.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS, ValidationError.UNEXPECTED_SIGNED_ELEMENTS,
                    ValidationError.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE,
                    ValidationError.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION, ValidationError.WRONG_NUMBER_OF_SIGNATURES,
                    ValidationError.UNEXPECTED_REFERENCE -> "its signature does not cover the element that is read "
                    + "(signature wrapping is refused)";
            case ValidationError.INVALID_SIGNATURE -> "its signature is invalid or not made with the IdP's "
                    + "certificate from its metadata";
            case ValidationError.NO_SIGNATURE_FOUND -> "it is not signed";
            case ValidationError.NO_SIGNED_ASSERTION -> "its assertion is not signed (wantAssertionsSigned)";
            case ValidationError.INVALID_XML_FORMAT -> "it is not a valid SAML 2.0 Response (schema)";
            case ValidationError.WRONG_INRESPONSETO -> "its InResponseTo does not name the login in progress in this "
                    + "browser session";
            case ValidationError.MISSING_CONDITIONS -> "its assertion has no Conditions";
            case ValidationError.ASSERTION_TOO_EARLY -> "it is not valid yet (NotBefore); check the clocks";
            case ValidationError.ASSERTION_EXPIRED, ValidationError.SESSION_EXPIRED, ValidationError.RESPONSE_EXPIRED ->
                    "it has expired (NotOnOrAfter)";
            case ValidationError.WRONG_DESTINATION, ValidationError.EMPTY_DESTINATION -> "its Destination is not this "
                    + "assertion consumer service";
            case ValidationError.WRONG_AUDIENCE -> "its Audience is not this service provider's entity id";
            case ValidationError.WRONG_ISSUER, ValidationError.ISSUER_MULTIPLE_IN_RESPONSE,
                    ValidationError.ISSUER_NOT_FOUND_IN_ASSERTION -> "its Issuer is not the IdP of the metadata";
            case ValidationError.WRONG_SUBJECTCONFIRMATION -> "its SubjectConfirmation does not hold (Recipient must "
                    + "be this assertion consumer service, with a matching InResponseTo and an unexpired "
                    + "NotOnOrAfter)";
            case ValidationError.NO_ENCRYPTED_ASSERTION, ValidationError.MISSING_ENCRYPTED_ELEMENT,
                    ValidationError.KEYINFO_NOT_FOUND_IN_ENCRYPTED_DATA,
                    ValidationError.CHILDREN_NODE_NOT_FOUND_IN_KEYINFO, ValidationError.UNSUPPORTED_RETRIEVAL_METHOD ->
                    "its encrypted assertion cannot be decrypted with the SP key";
            case ValidationError.ENCRYPTED_ATTRIBUTES -> "it has encrypted attributes, which are not supported";
            case ValidationError.NO_NAMEID, ValidationError.EMPTY_NAMEID -> "it names no user (NameID)";
            case ValidationError.WRONG_NUMBER_OF_AUTHSTATEMENTS -> "its assertion must have one AuthnStatement";
            case ValidationError.UNSUPPORTED_SAML_VERSION -> "it is not SAML 2.0";
            case ValidationError.MISSING_ID -> "it has no ID";
            default -> "it failed validation";
        };
    }

    /** java-saml reports a failed time check as a plain exception. */
    private static String timing(Exception cause) {
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        return message.startsWith("Timing issues") ? "its validity period does not hold; check the clocks"
                : "it failed validation";
    }

    private static GatewayException refused(SamlProvider provider, String check) {
        LOG.log(System.Logger.Level.WARNING, "SAML login refused a response from provider " + provider.id() + ": "
                + check);
        return GatewayException.badRequest("The identity provider '" + provider.id() + "' sent a SAML response the "
                + "gateway does not accept: " + check + ". Nothing was stored. Start the login again.");
    }
}
