import { refusal } from './refusal';
import { scopeList } from '../sweep/register';

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
