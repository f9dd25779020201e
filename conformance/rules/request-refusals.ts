import { refusal } from './refusal';
import { scopeList } from '../sweep/register';

const TLS_ERRORS = ['invalid_client', 'invalid_client_metadata', 'invalid_request', 'access_denied'];
const TLS_STATUSES = [0, 400, 401, 403];

/** Transport: POST /register is authenticated by mutual TLS (OBIE GEN-04, RFC 8705 2). */
export const transportRefusalChecks = [
  refusal({ id: 'TLS-NO-CLIENT-CERT', title: 'A registration without a client certificate is refused', exchange: 'register-no-cert', rules: ['TLS-CERT-REQUIRED', 'REQ-TLS-DN-MATCH'], spec: ['OBDCR-GEN', 'RFC8705-2'], errors: TLS_ERRORS, statuses: TLS_STATUSES, tags: ['transport', 'gap', 'GEN-04'] }),
  refusal({ id: 'TLS-UNTRUSTED-CA', title: 'A registration with a certificate from an untrusted CA is refused', exchange: 'register-untrusted-cert', rules: ['TLS-CERT-REQUIRED', 'TLS-CERT-TRUSTED'], spec: ['OBDCR-GEN', 'RFC8705-2'], errors: TLS_ERRORS, statuses: TLS_STATUSES, tags: ['transport', 'gap', 'GEN-04'] }),
];

/** The software statement's roles (OBIE REQ-15); the SSA itself is swept element by element in conformance/sweep/ssa.ts. */
export const ssaRefusalChecks = [
  /** OBIE REQ-15: the scope is within what the SSA's software_roles allow (AISP: accounts; PISP: payments). */
  /* SHOULD: the sentence ("This must be a subset of the scopes in the SSA") is in the Data Mapping table, which the spec calls non-normative. */
  refusal({ id: 'REQ-SCOPE-BEYOND-ROLES', title: 'An SSA for AISP alone asking for the payments scope is refused, or the scope substituted', exchange: 'register-scope-beyond-roles', rules: ['REQ-SCOPE-ROLES'], spec: ['OBDCR-REQ', 'OBDCR-SSA'], tags: ['claims', 'REQ-15', 'near-miss'], severity: 'SHOULD', substitutes: { field: 'scope', refused: (v) => scopeList(v).includes('payments') } }),
];
