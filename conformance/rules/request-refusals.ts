import { expectRefusal, refusal } from './refusal';
import { defineCheck, evidenceOf, fail, pass } from './define';
import { body, type Recorded } from '../exchange';
import { decodePayload } from '../../fixtures/registration';

/**
 * `rules` lists every server rule that must be off for the bank to accept: a refused alg is also
 * refused by signature verification, so both are named.
 */
/** The request JWS and its claims: each a registration the bank must refuse (OBIE DCR-004, DCR-011 and the fork's additions). */
export const requestRefusalChecks = [
  /** FAPI 1.0 Adv 8.6: "shall not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256)". */
  refusal({ id: 'DCR-004-RS256', title: 'A request signed with RS256 is refused', exchange: 'register-rs256', rules: ['JWS-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['DCR-004', 'jws'] }),
  /** RFC 8725 3.1: "libraries ... MUST NOT accept ... none". */
  refusal({ id: 'JWS-ALG-NONE', title: 'An unsigned request (alg none) is refused', exchange: 'register-alg-none', rules: ['JWS-ALG', 'JWS-SIGNATURE'], spec: ['RFC8725-3.1', 'OBDCR-REQ'], tags: ['jws'] }),
  refusal({ id: 'JWS-ALG-HS256', title: 'A request signed with HS256 is refused', exchange: 'register-hs256', rules: ['JWS-ALG', 'JWS-SIGNATURE'], spec: ['RFC8725-3.1', 'FAPI1-ADV-8.6'], tags: ['jws'] }),
  /** OBIE GEN-07: keys come from the JWKS named in the SSA; no x5c / x5u. */
  refusal({ id: 'JWS-NO-X5C', title: 'A request carrying an x5c header is refused', exchange: 'register-x5c', rules: ['JWS-NO-X5'], spec: ['OBDCR-GEN'], tags: ['jws', 'GEN-07'], severity: 'SHOULD' }),
  /**
   * RFC 7515 4.1.3 lets a JWS carry its own key in a "jwk" header, and 4.1.6 a certificate in "x5c"; a
   * bank must not trust them: OBIE GEN-07 "keys come from the JWKS named in the SSA". Each request is
   * signed by a key the software JWKS does not hold, carried in the request itself, under the software's kid.
   */
  refusal({ id: 'JWS-EMBEDDED-JWK', title: 'A request signed by a key carried in its own jwk header (not in the software JWKS) is refused', exchange: 'register-jwk-header', rules: ['JWS-NO-X5', 'JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss'] }),
  refusal({ id: 'JWS-EMBEDDED-X5C', title: 'A request signed by the key of a self-signed certificate in its own x5c header is refused', exchange: 'register-x5c-self-signed', rules: ['JWS-NO-X5', 'JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss'] }),
  refusal({ id: 'JWS-SELF-JWKS', title: 'A request signed by a key it lists in its own jwks claim (not in the software JWKS) is refused', exchange: 'register-self-jwks', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ', 'RFC7591-2'], tags: ['jws', 'GEN-07', 'near-miss'] }),
  refusal({ id: 'JWS-FOREIGN-KEY', title: 'A request signed by a key not in the software JWKS (same kid) is refused', exchange: 'register-foreign-key', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'fork'] }),
  refusal({ id: 'JWS-UNKNOWN-KID', title: 'A request whose kid is not in the software JWKS is refused', exchange: 'register-unknown-kid', rules: ['JWS-KID', 'JWS-SIGNATURE'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'gap'] }),
  /**
   * The real software key under a kid the JWKS does not hold: a bank that ignores the kid and tries every
   * key accepts it. SHOULD: RFC 7515 4.1.4 calls kid "a hint", and the signature is the software's own.
   */
  refusal({ id: 'JWS-REAL-KEY-UNKNOWN-KID', title: 'A request signed by the real software key under an unknown kid is refused', exchange: 'register-real-key-unknown-kid', rules: ['JWS-KID'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'near-miss'], severity: 'SHOULD' }),
  /** RFC 8725 2.1 / 3.1: algorithm confusion; an HMAC keyed with the software's public key must never verify. */
  refusal({ id: 'JWS-HS256-PUBLIC-KEY', title: 'A request signed HS256 with the software public key (PEM) as the secret is refused (algorithm confusion)', exchange: 'register-hs256-public-key', rules: ['JWS-ALG', 'JWS-SIGNATURE'], spec: ['RFC8725-3.1', 'FAPI1-ADV-8.6'], tags: ['jws', 'near-miss'] }),
  /** RFC 7519 4.1.4: "MUST NOT be accepted for processing" after exp. */
  refusal({ id: 'DCR-004-EXP', title: 'A request with an expired exp is refused', exchange: 'register-expired', rules: ['REQ-EXP'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-04'] }),
  refusal({ id: 'REQ-EXP-MISSING', title: 'A request without exp is refused', exchange: 'register-no-exp', rules: ['REQ-EXP'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-04'] }),
  refusal({ id: 'DCR-004-ISS-INVALID', title: 'A request whose iss is not the SSA software_id is refused', exchange: 'register-iss-invalid', rules: ['REQ-ISS'], spec: ['OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  refusal({ id: 'DCR-004-ISS-EMPTY', title: 'A request with an empty iss is refused', exchange: 'register-iss-empty', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  refusal({ id: 'DCR-004-ISS-LONG', title: 'A request with a 30-character iss is refused', exchange: 'register-iss-long', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ', 'OBDCR-3.1'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  refusal({ id: 'REQ-IAT-FUTURE', title: 'A request issued an hour in the future is refused', exchange: 'register-iat-future', rules: ['REQ-IAT'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-03'], severity: 'SHOULD' }),
  refusal({ id: 'REQ-JTI-MISSING', title: 'A request without jti is refused', exchange: 'register-no-jti', rules: ['REQ-JTI'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-06'] }),
  /** OBIE REQ-03: iat is required (the data dictionary's claims table). */
  refusal({ id: 'REQ-IAT-MISSING', title: 'A request without iat is refused', exchange: 'register-no-iat', rules: ['REQ-IAT'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-03'] }),
  /** OBIE REQ-05: aud is required. */
  refusal({ id: 'REQ-AUD-MISSING', title: 'A request without aud is refused', exchange: 'register-no-aud', rules: ['REQ-AUD'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-05'] }),
  /** OBIE REQ-02: iss is required and equals the SSA software_id. */
  refusal({ id: 'REQ-ISS-MISSING', title: 'A request without iss is refused', exchange: 'register-no-iss', rules: ['REQ-ISS'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-02'] }),
  /** RFC 7515 4.1.11: "If any of the listed extension Header Parameters are not understood and supported by the recipient, then the JWS is invalid." */
  refusal({ id: 'JWS-CRIT-UNKNOWN', title: 'A request marking an unknown header extension as critical (crit) is refused', exchange: 'register-crit-unknown', rules: ['JWS-SIGNATURE'], spec: ['RFC7515-4.1', 'OBDCR-REQ'], tags: ['jws', 'near-miss'] }),
  /** RFC 7519 4.1.3: "If the principal processing the claim does not identify itself with a value in the aud claim when this claim is present, then the JWT MUST be rejected." */
  refusal({ id: 'REQ-AUD-OTHER', title: 'A request addressed to another bank (aud) is refused', exchange: 'register-aud-other', rules: ['REQ-AUD'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-05'] }),
  refusal({ id: 'REQ-AUD-EXTENDED', title: 'An aud that extends the bank\'s id (<aud>.evil.example) is refused: no prefix matching', exchange: 'register-aud-extended', rules: ['REQ-AUD'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-05', 'near-miss'] }),
  refusal({ id: 'REQ-AUD-CONTAINS-ISSUER', title: 'An aud that merely contains the bank\'s id is refused: no substring matching', exchange: 'register-aud-contains', rules: ['REQ-AUD'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-05', 'near-miss'] }),
  refusal({ id: 'REQ-SOFTWARE-ID-MISMATCH', title: 'A software_id other than the SSA software_id is refused', exchange: 'register-software-id-other', rules: ['REQ-SOFTWARE-ID'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-14'] }),
  /** OBIE REQ-13 / FAPI: response_types code or code id_token; DCR-011 sends ["id_token","token"]. */
  refusal({ id: 'DCR-011-RESPONSE-TYPES', title: 'response_types ["id_token","token"] is refused, or substituted and returned', exchange: 'register-response-types', rules: ['REQ-RESPONSE-TYPES'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['DCR-011', 'claims', 'REQ-13'] , substitutes: { field: 'response_types', refused: (v) => !Array.isArray(v) || v.some((t) => t !== 'code' && t !== 'code id_token') } }),
  refusal({ id: 'REQ-AUTH-METHOD-UNKNOWN', title: 'token_endpoint_auth_method "none" is refused', exchange: 'register-auth-method-none', rules: ['REQ-AUTH-METHOD'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-09'] }),
  refusal({ id: 'REQ-AUTH-SIGNING-ALG-MISSING', title: 'private_key_jwt without token_endpoint_auth_signing_alg is refused', exchange: 'register-pkjwt-no-alg', rules: ['REQ-AUTH-SIGNING-ALG'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-10'] }),
  refusal({ id: 'REQ-TLS-DN-MISSING', title: 'tls_client_auth without a subject DN is refused', exchange: 'register-tls-no-dn', rules: ['REQ-TLS-DN-PRESENCE'], spec: ['OBDCR-REQ', 'RFC8705-2'], tags: ['claims', 'REQ-11'] }),
  /**
   * RFC 8705 2.1.2: the registered DN must be that of the certificate the client authenticates with.
   * SHOULD, not MUST: OBIE lets a bank compare part of the DN ("The ASPSP may decide to match only a
   * part of the DN so that the match is based only on the part of the DN that will be immutable"), so a
   * bank accepting these may be doing that deliberately; a wholly other DN (REQ-TLS-DN-MISMATCH) is a MUST.
   */
  refusal({ id: 'REQ-TLS-DN-SUBSET', title: 'A subject DN that is a strict subset of the transport certificate DN is refused: no subset comparison', exchange: 'register-dn-subset', rules: ['REQ-TLS-DN-MATCH'], spec: ['RFC8705-2', 'OBDCR-REQ'], tags: ['claims', 'REQ-11', 'near-miss'], severity: 'SHOULD' }),
  refusal({ id: 'REQ-TLS-DN-ALTERED', title: 'A subject DN with one value extended by a character is refused: no prefix comparison', exchange: 'register-dn-altered', rules: ['REQ-TLS-DN-MATCH'], spec: ['RFC8705-2', 'OBDCR-REQ'], tags: ['claims', 'REQ-11', 'near-miss'], severity: 'SHOULD' }),
  refusal({ id: 'REQ-TLS-DN-MISMATCH', title: 'A subject DN other than the transport certificate DN is refused', exchange: 'register-dn-mismatch', rules: ['REQ-TLS-DN-MATCH'], spec: ['OBDCR-REQ', 'RFC8705-2'], tags: ['claims', 'REQ-11', 'gap'] }),
  refusal({ id: 'REQ-GRANT-TYPE-UNSUPPORTED', title: 'grant_types ["password"] is refused, or substituted and returned', exchange: 'register-grant-password', rules: ['REQ-GRANT-TYPES'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-12'] , substitutes: { field: 'grant_types', refused: (v) => !Array.isArray(v) || v.includes('password') } }),
  refusal({ id: 'REQ-SCOPE-UNSUPPORTED', title: 'A scope outside the allowed set is refused, or substituted and returned', exchange: 'register-scope-unsupported', rules: ['REQ-SCOPE-ROLES'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-15'], substitutes: { field: 'scope', refused: (v) => scopeList(v).includes('makepayment') } }),
  refusal({ id: 'REQ-SCOPE-SHAPE', title: 'A scope that is neither a string nor an array is refused', exchange: 'register-scope-number', rules: ['REQ-SCOPE-FORMAT'], spec: ['OBDCR-REQ', 'OBDCR-3.1'], tags: ['claims', 'REQ-15'] }),
  refusal({ id: 'REQ-APPLICATION-TYPE-NATIVE', title: 'application_type "native" is refused, or substituted and returned', exchange: 'register-application-type', rules: ['REQ-APPLICATION-TYPE'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-16'], severity: 'SHOULD' , substitutes: { field: 'application_type', refused: (v) => v === 'native' } }),
  refusal({ id: 'REQ-ID-TOKEN-ALG-RS256', title: 'id_token_signed_response_alg RS256 is refused, or substituted and returned', exchange: 'register-id-token-rs256', rules: ['REQ-ID-TOKEN-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17'], severity: 'SHOULD' , substitutes: { field: 'id_token_signed_response_alg', refused: (v) => v === 'RS256' || v === 'none' || typeof v !== 'string' } }),
  refusal({ id: 'REQ-REQUEST-OBJECT-ALG-NONE', title: 'request_object_signing_alg none is refused, or substituted and returned', exchange: 'register-request-object-none', rules: ['REQ-REQUEST-OBJECT-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17'] , substitutes: { field: 'request_object_signing_alg', refused: (v) => v === 'none' || typeof v !== 'string' } }),
  refusal({ id: 'REQ-JWKS-AND-JWKS-URI', title: 'jwks together with jwks_uri is refused', exchange: 'register-jwks-both', rules: ['REQ-JWKS-EXCLUSIVE'], spec: ['RFC7591-2'], tags: ['claims', 'gap'] }),
  refusal({ id: 'SSA-MISSING', title: 'A request without software_statement is refused with invalid_software_statement', exchange: 'register-no-ssa', rules: ['SSA-PRESENT'], spec: ['OBDCR-REQ', 'RFC7591-2.3'], errors: ['invalid_software_statement', 'invalid_client_metadata'], tags: ['ssa', 'REQ-07'] }),
];

/** RFC 7591 3.2.2 invalid_redirect_uri: "The value of one or more redirection URIs is invalid." */
export const redirectRefusalChecks = [
  refusal({ id: 'REDIRECT-NOT-IN-SSA', title: 'A redirect_uri outside the SSA software_redirect_uris is refused with invalid_redirect_uri', exchange: 'register-redirect-foreign', rules: ['REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'fork', 'REQ-08'] }),
  refusal({ id: 'REDIRECT-HTTP', title: 'An http redirect_uri is refused with invalid_redirect_uri', exchange: 'register-redirect-http', rules: ['REQ-REDIRECT-HTTPS', 'REQ-REDIRECT-SUBSET'], spec: ['FAPI1-ADV-5.2.2', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'] }),
  refusal({ id: 'REDIRECT-LOCALHOST', title: 'A localhost redirect_uri is refused with invalid_redirect_uri', exchange: 'register-redirect-localhost', rules: ['REQ-REDIRECT-LOCALHOST', 'REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'] }),
  refusal({ id: 'REDIRECT-FRAGMENT', title: 'A redirect_uri with a fragment is refused with invalid_redirect_uri', exchange: 'register-redirect-fragment', rules: ['REQ-REDIRECT-FRAGMENT', 'REQ-REDIRECT-SUBSET'], spec: ['RFC7591-2', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'] }),
  refusal({ id: 'REDIRECT-TOO-LONG', title: 'A redirect_uri over 256 characters is refused with invalid_redirect_uri', exchange: 'register-redirect-long', rules: ['REQ-REDIRECT-LENGTH', 'REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'], severity: 'SHOULD' }),
  /**
   * OBIE v3.3 data dictionary: "If the redirect_uris metadata element is omitted from the request, the
   * entire contents of the software_redirect_uris element in the SSA are considered to be requested
   * by the TPP." Refusing or registering exactly the SSA's URIs both follow the spec; anything else fails.
   */
  defineCheck({
    id: 'REDIRECT-MISSING',
    title: 'A request without redirect_uris is refused, or registers exactly the SSA software_redirect_uris',
    spec: ['OBDCR-REQ', 'RFC7591-2'],
    severity: 'MUST',
    tags: ['registration', 'negative', 'redirect', 'REQ-08'],
    rules: ['REQ-REDIRECT-PRESENT'],
    exchanges: ['register-redirect-missing'],
    check: (r) => {
      if (r.status < 200 || r.status >= 300) return expectRefusal(r, ['invalid_redirect_uri', 'invalid_client_metadata']);
      const ssaUris = softwareRedirectUris(r);
      const got = body(r).redirect_uris;
      const same = Array.isArray(got) && ssaUris !== undefined && got.length === ssaUris.length && ssaUris.every((u) => got.includes(u));
      return same
        ? pass(evidenceOf(r, { actual: got }), 'registered with the SSA software_redirect_uris, as the OBIE data dictionary allows')
        : fail('redirect_uris was omitted: the bank must refuse, or register exactly the SSA software_redirect_uris (OBIE v3.3 data dictionary)', evidenceOf(r, { expected: ssaUris, actual: got }));
    },
  }),
  ...[
    ['REDIRECT-EXTENDED', 'register-redirect-extended', 'An SSA redirect URI with characters appended to its path is refused: no prefix matching'],
    ['REDIRECT-CASE', 'register-redirect-case', 'An SSA redirect URI with its path re-cased is refused: no case-insensitive matching'],
    ['REDIRECT-TRAILING-SLASH', 'register-redirect-slash', 'An SSA redirect URI with a trailing slash added or removed is refused: exact matching'],
    ['REDIRECT-QUERY', 'register-redirect-query', 'An SSA redirect URI with a query string added is refused: exact matching'],
    ['REDIRECT-HOST-SUFFIX', 'register-redirect-host-suffix', 'An SSA redirect URI whose host is extended into another domain is refused'],
    ['REDIRECT-HOST-PREFIX', 'register-redirect-host-prefix', 'An SSA redirect URI with characters put before its host (another domain ending like it) is refused'],
    ['REDIRECT-OTHER-PATH', 'register-redirect-other-path', 'A redirect URI on an SSA URI\'s origin but another path is refused: no origin-only matching'],
    ['REDIRECT-PORT', 'register-redirect-port', 'An SSA redirect URI on another port is refused: the port is part of the URI'],
    ['REDIRECT-USERINFO', 'register-redirect-userinfo', 'The SSA origin as userinfo before another host (https://<ssa-host>@evil.example/...) is refused: no string prefix matching on the origin'],
  ].map(([id, exchange, title]) =>
    /** OBIE REQ-08: every redirect_uri must be one of the SSA software_redirect_uris (RFC 6749 3.1.2.3 compares as strings, RFC 3986 6.2.1). */
    refusal({ id: id!, title: title!, exchange: exchange!, rules: ['REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri', 'invalid_client_metadata'], tags: ['redirect', 'REQ-08', 'near-miss'] }),
  ),
];

/** The software_redirect_uris of the SSA a probe sent (decoded from its registration JWT). */
function softwareRedirectUris(r: Recorded): string[] | undefined {
  try {
    const claims = (r.sent.claims ?? {}) as Record<string, unknown>;
    const ssa = typeof claims.software_statement === 'string' ? decodePayload(claims.software_statement) : {};
    const uris = ssa.software_redirect_uris;
    return Array.isArray(uris) && uris.every((u) => typeof u === 'string') ? (uris as string[]) : undefined;
  } catch {
    return undefined;
  }
}

const TLS_ERRORS = ['invalid_client', 'invalid_client_metadata', 'invalid_request', 'access_denied'];
const TLS_STATUSES = [0, 400, 401, 403];

/** Transport: POST /register is authenticated by mutual TLS (OBIE GEN-04, RFC 8705 2). */
export const transportRefusalChecks = [
  refusal({ id: 'TLS-NO-CLIENT-CERT', title: 'A registration without a client certificate is refused', exchange: 'register-no-cert', rules: ['TLS-CERT-REQUIRED', 'REQ-TLS-DN-MATCH'], spec: ['OBDCR-GEN', 'RFC8705-2'], errors: TLS_ERRORS, statuses: TLS_STATUSES, tags: ['transport', 'gap', 'GEN-04'] }),
  refusal({ id: 'TLS-UNTRUSTED-CA', title: 'A registration with a certificate from an untrusted CA is refused', exchange: 'register-untrusted-cert', rules: ['TLS-CERT-REQUIRED', 'TLS-CERT-TRUSTED'], spec: ['OBDCR-GEN', 'RFC8705-2'], errors: TLS_ERRORS, statuses: TLS_STATUSES, tags: ['transport', 'gap', 'GEN-04'] }),
];

/** The software statement (OBIE REQ-07, GEN-06): signed by a trusted directory with PS256, within its validity. */
export const ssaRefusalChecks = [
  refusal({ id: 'SSA-WRONG-KEY', title: 'An SSA re-signed with a foreign key under the directory kid is refused', exchange: 'register-ssa-foreign-key', rules: ['SSA-SIGNATURE'], spec: ['OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'fork', 'REQ-07'] }),
  refusal({ id: 'SSA-ALG-NONE', title: 'An unsigned SSA (alg none) is refused', exchange: 'register-ssa-none', rules: ['SSA-ALG', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC8725-3.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'fork', 'GEN-06'] }),
  refusal({ id: 'SSA-ALG-HS256', title: 'An HS256 SSA is refused', exchange: 'register-ssa-hs256', rules: ['SSA-ALG', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC8725-3.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap'] }),
  refusal({ id: 'SSA-UNKNOWN-KID', title: 'An SSA whose kid is not in the directory JWKS is refused', exchange: 'register-ssa-unknown-kid', rules: ['SSA-KID', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap'] }),
  refusal({ id: 'SSA-UNTRUSTED-ISSUER', title: 'An SSA from an untrusted issuer is refused', exchange: 'register-ssa-untrusted-issuer', rules: ['SSA-ISSUER'], spec: ['OBDCR-GEN', 'OBDCR-SSA'], errors: ['unapproved_software_statement', 'invalid_software_statement'], tags: ['ssa', 'GEN-06'] }),
  /** RFC 7591 3.1.1 / OBIE GEN-06: the bank trusts a directory by its issuer and that issuer's keys; a good signature under another iss is not that directory's statement. */
  refusal({ id: 'SSA-OTHER-ISS-REAL-KEY', title: 'An SSA signed by the trusted directory key but naming another issuer (iss) is refused', exchange: 'register-ssa-other-iss-real-key', rules: ['SSA-ISSUER'], spec: ['OBDCR-SSA', 'OBDCR-GEN', 'RFC7591-2.3'], errors: ['unapproved_software_statement', 'invalid_software_statement'], tags: ['ssa', 'GEN-06', 'near-miss'] }),
  /** The directory's real key under a kid its JWKS does not hold: a bank that ignores the kid and tries every directory key accepts it. */
  refusal({ id: 'SSA-REAL-KEY-UNKNOWN-KID', title: 'An SSA signed by the real directory key under a kid its JWKS does not hold is refused', exchange: 'register-ssa-real-key-unknown-kid', rules: ['SSA-KID', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC7515-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'near-miss'], severity: 'SHOULD' }),
  /** RFC 8725 2.1 / 3.1: algorithm confusion on the SSA: HS256 keyed with the directory's public key must never verify. */
  refusal({ id: 'SSA-HS256-PUBLIC-KEY', title: 'An SSA signed HS256 with the directory public key (PEM) as the secret is refused (algorithm confusion)', exchange: 'register-ssa-hs256-public-key', rules: ['SSA-ALG', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC8725-3.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'near-miss'] }),
  /** OBIE REQ-15: the scope is within what the SSA's software_roles allow (AISP: accounts; PISP: payments). */
  /* SHOULD: the sentence ("This must be a subset of the scopes in the SSA") is in the Data Mapping table, which the spec calls non-normative. */
  refusal({ id: 'REQ-SCOPE-BEYOND-ROLES', title: 'An SSA for AISP alone asking for the payments scope is refused, or the scope substituted', exchange: 'register-scope-beyond-roles', rules: ['REQ-SCOPE-ROLES'], spec: ['OBDCR-REQ', 'OBDCR-SSA'], tags: ['claims', 'REQ-15', 'near-miss'], severity: 'SHOULD', substitutes: { field: 'scope', refused: (v) => scopeList(v).includes('payments') } }),
  refusal({ id: 'SSA-EXPIRED', title: 'An expired SSA is refused', exchange: 'register-ssa-expired', rules: ['SSA-EXP'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap', 'REQ-07'] }),
  refusal({ id: 'SSA-NOT-YET-VALID', title: 'An SSA issued in the future is refused', exchange: 'register-ssa-future', rules: ['SSA-IAT'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap', 'REQ-07'], severity: 'SHOULD' }),
  refusal({ id: 'SSA-NBF-FUTURE', title: 'An SSA with nbf in the future is refused', exchange: 'register-ssa-nbf', rules: ['SSA-IAT'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap', 'REQ-07'] }),
  refusal({ id: 'SSA-CLAIMS-MISSING', title: 'An SSA without software_jwks_endpoint is refused', exchange: 'register-ssa-no-jwks-endpoint', rules: ['SSA-CLAIMS', 'JWS-SIGNATURE'], spec: ['OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa'] }),
  refusal({ id: 'SSA-JWKS-UNTRUSTED-HOST', title: 'An SSA naming a software_jwks_endpoint outside the directory is refused', exchange: 'register-ssa-foreign-jwks', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement', 'invalid_client_metadata'], tags: ['ssa'] }),
];

/** A scope value as a list: a space-separated string (v3.2+) or an array (v3.1); anything else is empty. */
function scopeList(v: unknown): string[] {
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
