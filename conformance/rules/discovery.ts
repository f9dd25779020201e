import type { SpecRef } from '../../catalogue/references';
import type { RuleId } from '../../catalogue/rules';
import { body, header } from '../exchange';
import { defineCheck, evidenceOf, fail, pass, type Check, type Severity } from './define';

const isHttpsUrl = (v: unknown) => typeof v === 'string' && URL.canParse(v) && new URL(v).protocol === 'https:';

/** A check of one discovery field: `ok` judges its value, `why` says what was wrong. */
function field(id: string, title: string, name: string, rule: RuleId, ok: (v: unknown) => boolean, why: string, spec: SpecRef[], severity: Severity = 'MUST', tags: string[] = []): Check {
  return defineCheck({
    id,
    title,
    spec,
    severity,
    tags: ['discovery', ...tags],
    rules: [rule],
    exchanges: ['discovery'],
    check: (r) => {
      const v = body(r)[name];
      return ok(v) ? pass(evidenceOf(r, { actual: v })) : fail(`${name} ${why}`, evidenceOf(r, { actual: v }));
    },
  });
}

const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) && v.length > 0 ? v : undefined);
const noWeakAlgs = (v: unknown) => !!list(v) && !(v as unknown[]).includes('none') && !(v as unknown[]).includes('RS256');

export const discoveryChecks = [
  /** OIDC Discovery 4.2: "A successful response MUST use the 200 OK HTTP status code and return a JSON object". */
  defineCheck({
    id: 'DISC-REACHABLE',
    title: 'Discovery answers 200 JSON without a client certificate',
    spec: ['OIDC-DISCOVERY', 'OBDCR-GEN'],
    severity: 'MUST',
    tags: ['discovery'],
    rules: ['DISC-PUBLIC'],
    exchanges: ['discovery'],
    check: (r) =>
      r.status === 200 && /^application\/json/.test(header(r, 'content-type') ?? '') && typeof r.json === 'object'
        ? pass(evidenceOf(r))
        : fail('expected 200 with a JSON object', evidenceOf(r, { expected: '200 application/json' })),
  }),
  /**
   * OBIE DCR: "The URL of the registration end-point should be advertised on the ASPSP's OIDC Discovery
   * Endpoint"; OIDC Discovery: registration_endpoint "RECOMMENDED". A SHOULD: a bank that documents its
   * endpoint elsewhere (the target's registrationEndpoint) breaks no MUST.
   */
  field('DCR-001-REG-ENDPOINT', 'Discovery advertises an https registration_endpoint', 'registration_endpoint', 'DISC-REGISTRATION-ENDPOINT', isHttpsUrl, 'is missing or not an https URL', ['OBDCR-GEN', 'OIDC-DISCOVERY'], 'SHOULD', ['DCR-001']),
  field('DISC-TOKEN-ENDPOINT', 'Discovery advertises an https token_endpoint', 'token_endpoint', 'DISC-TOKEN-ENDPOINT', isHttpsUrl, 'is missing or not an https URL', ['OIDC-DISCOVERY', 'OBDCR-GEN']),
  field('DISC-ISSUER', 'Discovery names an https issuer', 'issuer', 'DISC-ISSUER', isHttpsUrl, 'is missing or not https', ['OIDC-DISCOVERY']),
  /**
   * OIDC Discovery 4.3: "The issuer value returned MUST be identical to the Issuer URL that was used as
   * the prefix to /.well-known/openid-configuration to retrieve the configuration information"; RFC 8414
   * 3.3 says the same of /.well-known/oauth-authorization-server (inserted before the issuer's path).
   */
  defineCheck({
    id: 'DISC-ISSUER-MATCHES-URL',
    title: 'The discovery issuer is the URL the configuration was fetched from, less the well-known suffix',
    spec: ['OIDC-DISCOVERY-4.3', 'RFC8414-3.3'],
    severity: 'MUST',
    tags: ['discovery'],
    rules: ['DISC-ISSUER'],
    exchanges: ['discovery'],
    check: (r) => {
      const issuer = body(r).issuer;
      const expected = issuerOfDiscoveryUrl(r.request.url);
      if (expected === undefined) return pass(evidenceOf(r, { actual: r.request.url }), 'the discovery URL has no well-known suffix to compare the issuer with');
      // OIDC Discovery 4.1: "any terminating / MUST be removed before appending /.well-known/openid-configuration".
      return issuer === expected || issuer === `${expected}/`
        ? pass(evidenceOf(r, { expected, actual: issuer }))
        : fail(`issuer ${JSON.stringify(issuer)} is not the URL the configuration was fetched from (${expected})`, evidenceOf(r, { expected, actual: issuer }));
    },
  }),
  /** FAPI 1.0 Advanced 5.2.2: "shall support ... tls_client_auth ... or private_key_jwt". */
  field('DISC-AUTH-METHODS-FAPI', 'token_endpoint_auth_methods_supported offers tls_client_auth or private_key_jwt', 'token_endpoint_auth_methods_supported', 'DISC-AUTH-METHODS',
    (v) => !!list(v)?.some((m) => m === 'tls_client_auth' || m === 'private_key_jwt'), 'offers no FAPI-compliant method', ['OIDC-DISCOVERY', 'FAPI1-ADV-5.2.2']),
  /** FAPI 1.0 Advanced 8.6: "shall not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256)"; never none. */
  field('DISC-REQUEST-OBJECT-ALGS', 'request_object_signing_alg_values_supported lists neither none nor RS256', 'request_object_signing_alg_values_supported', 'DISC-ALGS',
    noWeakAlgs, 'is missing or includes none / RS256', ['OIDC-DISCOVERY', 'FAPI1-ADV-8.6'], 'SHOULD'),
  field('DISC-ID-TOKEN-ALGS', 'id_token_signing_alg_values_supported lists neither none nor RS256', 'id_token_signing_alg_values_supported', 'DISC-ALGS',
    noWeakAlgs, 'is missing or includes none / RS256', ['OIDC-DISCOVERY', 'FAPI1-ADV-8.6'], 'SHOULD'),
  /** RFC 8705 3.3: tls_client_certificate_bound_access_tokens advertises certificate-bound tokens, which FAPI requires. */
  field('DISC-CERT-BOUND-TOKENS', 'Discovery advertises tls_client_certificate_bound_access_tokens: true', 'tls_client_certificate_bound_access_tokens', 'TOKEN-CERT-BOUND',
    (v) => v === true, 'is not true', ['RFC8705-3', 'OIDC-DISCOVERY'], 'SHOULD'),
  field('DISC-GRANT-TYPES', 'grant_types_supported includes client_credentials (needed for management tokens)', 'grant_types_supported', 'DISC-GRANT-TYPES',
    (v) => !!list(v)?.includes('client_credentials'), 'does not include client_credentials', ['OIDC-DISCOVERY', 'OBDCR-GEN'], 'SHOULD'),
  field('DISC-RESPONSE-TYPES', 'response_types_supported offers code or code id_token and nothing implicit', 'response_types_supported', 'DISC-RESPONSE-TYPES',
    (v) => !!list(v)?.every((t) => t === 'code' || t === 'code id_token'), 'is missing or includes implicit flows', ['OIDC-DISCOVERY', 'FAPI1-ADV-5.2.2'], 'SHOULD'),
  field('DISC-SCOPES', 'scopes_supported includes openid', 'scopes_supported', 'DISC-SCOPES', (v) => !!list(v)?.includes('openid'), 'does not include openid', ['OIDC-DISCOVERY'], 'SHOULD'),
];

/**
 * The issuer a discovery URL implies: the prefix before /.well-known/openid-configuration (OIDC), or
 * the origin plus the path after /.well-known/oauth-authorization-server (RFC 8414 3); undefined for a
 * URL of neither form.
 */
export function issuerOfDiscoveryUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  const oidc = '/.well-known/openid-configuration';
  if (u.pathname.endsWith(oidc)) return `${u.origin}${u.pathname.slice(0, -oidc.length)}`;
  const oauth = '/.well-known/oauth-authorization-server';
  if (u.pathname === oauth || u.pathname.startsWith(`${oauth}/`)) return `${u.origin}${u.pathname.slice(oauth.length)}`;
  return undefined;
}
