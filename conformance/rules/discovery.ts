import { body, header } from '../exchange';
import { defineCheck, evidenceOf, fail, pass } from './define';

const isHttpsUrl = (v: unknown) => typeof v === 'string' && URL.canParse(v) && new URL(v).protocol === 'https:';
const disc = (tags: string[] = []) => ['discovery', ...tags];

export const discoveryChecks = [
  /** OIDC Discovery 4.2: "A successful response MUST use the 200 OK HTTP status code and return a JSON object". */
  defineCheck({
    id: 'DISC-REACHABLE',
    title: 'Discovery answers 200 JSON without a client certificate',
    spec: ['OIDC-DISCOVERY', 'OBDCR-GEN'],
    severity: 'MUST',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) =>
      r.status === 200 && /^application\/json/.test(header(r, 'content-type') ?? '') && typeof r.json === 'object'
        ? pass(evidenceOf(r))
        : fail('expected 200 with a JSON object', evidenceOf(r, { expected: '200 application/json' })),
  }),
  /** OBIE DCR: "The registration endpoint ... MUST be advertised in the well-known configuration". */
  defineCheck({
    id: 'DCR-001-REG-ENDPOINT',
    title: 'Discovery advertises an https registration_endpoint',
    spec: ['OBDCR-GEN', 'OIDC-DISCOVERY'],
    severity: 'MUST',
    tags: disc(['DCR-001']),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).registration_endpoint;
      return isHttpsUrl(v) ? pass(evidenceOf(r, { actual: v })) : fail('registration_endpoint is missing or not an https URL', evidenceOf(r, { expected: 'https URL', actual: v }));
    },
  }),
  defineCheck({
    id: 'DISC-TOKEN-ENDPOINT',
    title: 'Discovery advertises an https token_endpoint',
    spec: ['OIDC-DISCOVERY', 'OBDCR-GEN'],
    severity: 'MUST',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).token_endpoint;
      return isHttpsUrl(v) ? pass(evidenceOf(r, { actual: v })) : fail('token_endpoint is missing or not an https URL', evidenceOf(r, { actual: v }));
    },
  }),
  defineCheck({
    id: 'DISC-ISSUER',
    title: 'Discovery names an https issuer',
    spec: ['OIDC-DISCOVERY'],
    severity: 'MUST',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => (isHttpsUrl(body(r).issuer) ? pass(evidenceOf(r)) : fail('issuer is missing or not https', evidenceOf(r, { actual: body(r).issuer }))),
  }),
  /** FAPI 1.0 Advanced 5.2.2: "shall support ... tls_client_auth ... or private_key_jwt". */
  defineCheck({
    id: 'DISC-AUTH-METHODS-FAPI',
    title: 'token_endpoint_auth_methods_supported offers tls_client_auth or private_key_jwt',
    spec: ['OIDC-DISCOVERY', 'FAPI1-ADV-5.2.2'],
    severity: 'MUST',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).token_endpoint_auth_methods_supported;
      return Array.isArray(v) && v.some((m) => m === 'tls_client_auth' || m === 'private_key_jwt')
        ? pass(evidenceOf(r, { actual: v }))
        : fail('no FAPI-compliant auth method is advertised', evidenceOf(r, { expected: 'tls_client_auth or private_key_jwt', actual: v }));
    },
  }),
  /** FAPI 1.0 Advanced 8.6: "shall not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256)"; never none. */
  defineCheck({
    id: 'DISC-REQUEST-OBJECT-ALGS',
    title: 'request_object_signing_alg_values_supported lists neither none nor RS256',
    spec: ['OIDC-DISCOVERY', 'FAPI1-ADV-8.6'],
    severity: 'SHOULD',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).request_object_signing_alg_values_supported;
      return Array.isArray(v) && v.length > 0 && !v.includes('none') && !v.includes('RS256')
        ? pass(evidenceOf(r, { actual: v }))
        : fail('request object algorithms are missing or include none / RS256', evidenceOf(r, { expected: 'PS256 / ES256', actual: v }));
    },
  }),
  defineCheck({
    id: 'DISC-ID-TOKEN-ALGS',
    title: 'id_token_signing_alg_values_supported lists neither none nor RS256',
    spec: ['OIDC-DISCOVERY', 'FAPI1-ADV-8.6'],
    severity: 'SHOULD',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).id_token_signing_alg_values_supported;
      return Array.isArray(v) && v.length > 0 && !v.includes('none') && !v.includes('RS256')
        ? pass(evidenceOf(r, { actual: v }))
        : fail('id token algorithms are missing or include none / RS256', evidenceOf(r, { actual: v }));
    },
  }),
  /** RFC 8705 3.3: tls_client_certificate_bound_access_tokens advertises certificate-bound tokens, which FAPI requires. */
  defineCheck({
    id: 'DISC-CERT-BOUND-TOKENS',
    title: 'Discovery advertises tls_client_certificate_bound_access_tokens: true',
    spec: ['RFC8705-3', 'OIDC-DISCOVERY'],
    severity: 'SHOULD',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) =>
      body(r).tls_client_certificate_bound_access_tokens === true
        ? pass(evidenceOf(r))
        : fail('tls_client_certificate_bound_access_tokens is not true', evidenceOf(r, { actual: body(r).tls_client_certificate_bound_access_tokens })),
  }),
  defineCheck({
    id: 'DISC-GRANT-TYPES',
    title: 'grant_types_supported includes client_credentials (needed for management tokens)',
    spec: ['OIDC-DISCOVERY', 'OBDCR-GEN'],
    severity: 'SHOULD',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).grant_types_supported;
      return Array.isArray(v) && v.includes('client_credentials') ? pass(evidenceOf(r, { actual: v })) : fail('client_credentials is not advertised', evidenceOf(r, { actual: v }));
    },
  }),
  defineCheck({
    id: 'DISC-RESPONSE-TYPES',
    title: 'response_types_supported offers code or code id_token and nothing implicit',
    spec: ['OIDC-DISCOVERY', 'FAPI1-ADV-5.2.2'],
    severity: 'SHOULD',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).response_types_supported;
      return Array.isArray(v) && v.length > 0 && v.every((t) => t === 'code' || t === 'code id_token')
        ? pass(evidenceOf(r, { actual: v }))
        : fail('response types are missing or include implicit flows', evidenceOf(r, { expected: ['code', 'code id_token'], actual: v }));
    },
  }),
  defineCheck({
    id: 'DISC-SCOPES',
    title: 'scopes_supported includes openid',
    spec: ['OIDC-DISCOVERY'],
    severity: 'SHOULD',
    tags: disc(),
    rules: [],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r).scopes_supported;
      return Array.isArray(v) && v.includes('openid') ? pass(evidenceOf(r, { actual: v })) : fail('openid is not in scopes_supported', evidenceOf(r, { actual: v }));
    },
  }),
];
