import { refusal } from './refusal';

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
  refusal({ id: 'JWS-FOREIGN-KEY', title: 'A request signed by a key not in the software JWKS (same kid) is refused', exchange: 'register-foreign-key', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'fork'] }),
  refusal({ id: 'JWS-UNKNOWN-KID', title: 'A request whose kid is not in the software JWKS is refused', exchange: 'register-unknown-kid', rules: ['JWS-KID', 'JWS-SIGNATURE'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'gap'] }),
  /** RFC 7519 4.1.4: "MUST NOT be accepted for processing" after exp. */
  refusal({ id: 'DCR-004-EXP', title: 'A request with an expired exp is refused', exchange: 'register-expired', rules: ['REQ-EXP'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-04'] }),
  refusal({ id: 'REQ-EXP-MISSING', title: 'A request without exp is refused', exchange: 'register-no-exp', rules: ['REQ-EXP'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-04'] }),
  refusal({ id: 'DCR-004-ISS-INVALID', title: 'A request whose iss is not the SSA software_id is refused', exchange: 'register-iss-invalid', rules: ['REQ-ISS'], spec: ['OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  refusal({ id: 'DCR-004-ISS-EMPTY', title: 'A request with an empty iss is refused', exchange: 'register-iss-empty', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  refusal({ id: 'DCR-004-ISS-LONG', title: 'A request with a 30-character iss is refused', exchange: 'register-iss-long', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ', 'OBDCR-3.1'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  refusal({ id: 'REQ-IAT-FUTURE', title: 'A request issued an hour in the future is refused', exchange: 'register-iat-future', rules: ['REQ-IAT'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-03'] }),
  refusal({ id: 'REQ-JTI-MISSING', title: 'A request without jti is refused', exchange: 'register-no-jti', rules: ['REQ-JTI'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-06'] }),
  refusal({ id: 'REQ-AUD-OTHER', title: 'A request addressed to another bank (aud) is refused', exchange: 'register-aud-other', rules: ['REQ-AUD'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-05'], severity: 'SHOULD' }),
  refusal({ id: 'REQ-SOFTWARE-ID-MISMATCH', title: 'A software_id other than the SSA software_id is refused', exchange: 'register-software-id-other', rules: ['REQ-SOFTWARE-ID'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-14'] }),
  /** OBIE REQ-13 / FAPI: response_types code or code id_token; DCR-011 sends ["id_token","token"]. */
  refusal({ id: 'DCR-011-RESPONSE-TYPES', title: 'response_types ["id_token","token"] is refused', exchange: 'register-response-types', rules: ['REQ-RESPONSE-TYPES'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['DCR-011', 'claims', 'REQ-13'] }),
  refusal({ id: 'REQ-AUTH-METHOD-UNKNOWN', title: 'token_endpoint_auth_method "none" is refused', exchange: 'register-auth-method-none', rules: ['REQ-AUTH-METHOD'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-09'] }),
  refusal({ id: 'REQ-AUTH-SIGNING-ALG-MISSING', title: 'private_key_jwt without token_endpoint_auth_signing_alg is refused', exchange: 'register-pkjwt-no-alg', rules: ['REQ-AUTH-SIGNING-ALG'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-10'] }),
  refusal({ id: 'REQ-TLS-DN-MISSING', title: 'tls_client_auth without a subject DN is refused', exchange: 'register-tls-no-dn', rules: ['REQ-TLS-DN-PRESENCE'], spec: ['OBDCR-REQ', 'RFC8705-2'], tags: ['claims', 'REQ-11'] }),
  /** RFC 8705 2.1.2: the registered DN must be that of the certificate the client authenticates with. */
  refusal({ id: 'REQ-TLS-DN-MISMATCH', title: 'A subject DN other than the transport certificate DN is refused', exchange: 'register-dn-mismatch', rules: ['REQ-TLS-DN-MATCH'], spec: ['OBDCR-REQ', 'RFC8705-2'], tags: ['claims', 'REQ-11', 'gap'] }),
  refusal({ id: 'REQ-GRANT-TYPE-UNSUPPORTED', title: 'grant_types ["password"] is refused', exchange: 'register-grant-password', rules: ['REQ-GRANT-TYPES'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-12'] }),
  refusal({ id: 'REQ-SCOPE-UNSUPPORTED', title: 'A scope outside the allowed set is refused', exchange: 'register-scope-unsupported', rules: ['REQ-SCOPE-ROLES'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-15'] }),
  refusal({ id: 'REQ-SCOPE-SHAPE', title: 'A scope that is neither a string nor an array is refused', exchange: 'register-scope-number', rules: ['REQ-SCOPE-FORMAT'], spec: ['OBDCR-REQ', 'OBDCR-3.1'], tags: ['claims', 'REQ-15'] }),
  refusal({ id: 'REQ-APPLICATION-TYPE-NATIVE', title: 'application_type "native" is refused', exchange: 'register-application-type', rules: ['REQ-APPLICATION-TYPE'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-16'], severity: 'SHOULD' }),
  refusal({ id: 'REQ-ID-TOKEN-ALG-RS256', title: 'id_token_signed_response_alg RS256 is refused', exchange: 'register-id-token-rs256', rules: ['REQ-ID-TOKEN-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17'], severity: 'SHOULD' }),
  refusal({ id: 'REQ-REQUEST-OBJECT-ALG-NONE', title: 'request_object_signing_alg none is refused', exchange: 'register-request-object-none', rules: ['REQ-REQUEST-OBJECT-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17'] }),
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
  refusal({ id: 'REDIRECT-MISSING', title: 'A request without redirect_uris is refused', exchange: 'register-redirect-missing', rules: ['REQ-REDIRECT-PRESENT'], spec: ['OBDCR-REQ', 'RFC7591-2'], errors: ['invalid_redirect_uri', 'invalid_client_metadata'], tags: ['redirect', 'REQ-08'] }),
];

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
  refusal({ id: 'SSA-EXPIRED', title: 'An expired SSA is refused', exchange: 'register-ssa-expired', rules: ['SSA-EXP'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap', 'REQ-07'] }),
  refusal({ id: 'SSA-NOT-YET-VALID', title: 'An SSA issued in the future is refused', exchange: 'register-ssa-future', rules: ['SSA-IAT'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap', 'REQ-07'] }),
  refusal({ id: 'SSA-NBF-FUTURE', title: 'An SSA with nbf in the future is refused', exchange: 'register-ssa-nbf', rules: ['SSA-IAT'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa', 'gap', 'REQ-07'] }),
  refusal({ id: 'SSA-CLAIMS-MISSING', title: 'An SSA without software_jwks_endpoint is refused', exchange: 'register-ssa-no-jwks-endpoint', rules: ['SSA-CLAIMS', 'JWS-SIGNATURE'], spec: ['OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['ssa'] }),
  refusal({ id: 'SSA-JWKS-UNTRUSTED-HOST', title: 'An SSA naming a software_jwks_endpoint outside the directory is refused', exchange: 'register-ssa-foreign-jwks', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement', 'invalid_client_metadata'], tags: ['ssa'] }),
];
