import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { lint } from '../../conformance/lint';

const NOW = 1_700_000_000; // 2023-11-14: the seeds' fixed dates are judged against one instant
const seed = (name: string) => readFileSync(new URL(`../../fixtures/seeds/${name}`, import.meta.url), 'utf8');
const rulesOf = async (name: string, opts = {}) => (await lint(seed(name), { now: NOW, ...opts })).findings.map((f) => `${f.on}:${f.rule}`);

test('004: HS256 SSA, expired exp, http redirect URI and a scope outside the allowed set are all found', async () => {
  expect(await rulesOf('004-dedicated-request.jwt')).toEqual([
    'software_statement:SSA-ALG',
    'request:REQ-ISS',
    'request:REQ-EXP',
    'request:REQ-JTI',
    'request:REQ-SOFTWARE-ID',
    'request:REQ-REDIRECT-HTTPS',
    'request:REQ-REDIRECT-SUBSET',
    'request:REQ-SCOPE-ROLES',
  ]);
});

test('004 with the bank audience given also flags aud', async () => {
  expect(await rulesOf('004-dedicated-request.jwt', { audiences: ['https://bank.example.com'] })).toContain('request:REQ-AUD');
});

test('002 (OB-style SSA): redirect URIs outside the SSA and an unsupported grant type; the far exp is a note, no spec bounds it', async () => {
  expect(await rulesOf('002-wso2-request-ob.jwt')).toEqual(['request:REQ-REDIRECT-SUBSET', 'request:REQ-GRANT-TYPES']);
  expect((await lint(seed('002-wso2-request-ob.jwt'), { now: NOW })).notes.some((n) => n.startsWith('exp is '))).toBe(true);
});

test('002 (CDR-style SSA): the SSA lacks OB claims (so no master set of redirect URIs), the iss is not Base62 and tls_client_auth has no DN', async () => {
  expect(await rulesOf('002-wso2-request-cdr.jwt')).toEqual([
    'software_statement:SSA-CLAIMS',
    'request:REQ-ISS-FORMAT',
    'request:REQ-TLS-DN-PRESENCE',
    'request:REQ-GRANT-TYPES',
  ]);
});

test('a bare SSA is linted as a software statement; the 002 SSA is statically valid', async () => {
  const r = await lint(seed('002-wso2-ssa.jwt'), { now: NOW });
  expect(r.kind).toBe('software_statement');
  expect(r.findings).toEqual([]);
});

test('garbage is one JWS-FORMAT finding; every finding carries its rule id in the detail', async () => {
  expect((await lint('not-a-jwt')).findings.map((f) => f.rule)).toEqual(['JWS-FORMAT']);
  for (const f of (await lint(seed('004-dedicated-request.jwt'), { now: NOW })).findings) expect(f.detail.startsWith(`${f.rule}:`)).toBe(true);
});

test('the committed seed JWTs are verbatim copies of the shared source documents', () => {
  const shared = '/work/shared/seeds';
  if (!existsSync(shared)) return; // the copies are what the project uses; the originals live outside it
  const text = readdirSync(shared).filter((f) => /^00[24]_/.test(f)).map((f) => readFileSync(`${shared}/${f}`, 'utf8')).join('\n');
  for (const f of ['002-wso2-request-ob.jwt', '002-wso2-ssa.jwt', '002-wso2-request-cdr.jwt', '004-dedicated-request.jwt']) expect(text.includes(seed(f).trim())).toBe(true);
});

// Each lint rule on its own: a statically valid request, then one change that breaks exactly that rule.
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jws = (header: object, payload: object) => `${b64(header)}.${b64(payload)}.c2ln`;
const SOFTWARE = 'k7HdPp3Tz0QvS2mXa9bC1e';
const ssaClaims = {
  iss: 'OpenBanking Ltd', iat: NOW - 60, exp: NOW + 3600, jti: 'a1', software_id: SOFTWARE,
  software_jwks_endpoint: 'https://keystore.example.com/org/software.jwks',
  software_redirect_uris: ['https://tpp.example.com/cb', 'https://tpp.example.com/cb2'], software_roles: ['AISP', 'PISP'],
};
const DN = 'CN=k7HdPp3Tz0QvS2mXa9bC1e,OU=0015800001HQQrZAAX,O=TPP Ltd,C=GB';
const requestClaims = (ssa: object = ssaClaims) => ({
  iss: SOFTWARE, aud: 'bank-org-id', iat: NOW - 5, exp: NOW + 300, jti: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  software_id: SOFTWARE, redirect_uris: ['https://tpp.example.com/cb'], token_endpoint_auth_method: 'tls_client_auth',
  tls_client_auth_subject_dn: DN, grant_types: ['client_credentials', 'authorization_code'], response_types: ['code id_token'],
  scope: 'openid accounts', application_type: 'web', id_token_signed_response_alg: 'PS256', request_object_signing_alg: 'PS256',
  software_statement: jws({ alg: 'PS256', kid: 'd1' }, ssa),
});
type Change = { header?: object; claims?: Record<string, unknown>; ssaHeader?: object; ssa?: Record<string, unknown>; opts?: object };
const lintWith = async ({ header = {}, claims = {}, ssaHeader = {}, ssa = {}, opts = {} }: Change) => {
  const s = requestClaims();
  const request = { ...s, software_statement: jws({ alg: 'PS256', kid: 'd1', ...ssaHeader }, { ...ssaClaims, ...ssa }), ...claims };
  for (const [k, v] of Object.entries(request)) if (v === undefined) delete (request as Record<string, unknown>)[k];
  return lint(jws({ alg: 'PS256', kid: 'r1', ...header }, request), { now: NOW, audiences: ['bank-org-id'], certificateDn: DN, ...opts });
};

test('the valid request has no finding, with or without audiences and a certificate DN', async () => {
  expect((await lintWith({})).findings).toEqual([]);
  expect((await lintWith({ opts: { audiences: undefined, certificateDn: undefined } })).findings).toEqual([]);
  // The certificate DN matches by parsed RDNs: order and case of the attribute names do not matter.
  expect((await lintWith({ opts: { certificateDn: 'c=GB,o=TPP Ltd,ou=0015800001HQQrZAAX,cn=k7HdPp3Tz0QvS2mXa9bC1e' } })).findings).toEqual([]);
});

/** The valid request in v3.1's form: an 18-character iss, scope as an array, the DN as tls_client_auth_dn. */
const V31: Change = {
  claims: { iss: SOFTWARE.slice(0, 18), software_id: undefined, scope: ['openid', 'accounts'], tls_client_auth_subject_dn: undefined, tls_client_auth_dn: DN },
  ssa: { software_id: SOFTWARE.slice(0, 18) },
  opts: { specVersion: '3.1' },
};

const cases: Array<[string, Change]> = [
  ['JWS-ALG', { header: { alg: 'RS256' } }],
  ['JWS-ALG', { header: { alg: 'none' } }],
  ['JWS-NO-X5', { header: { x5c: ['MIIB'] } }],
  ['JWS-NO-X5', { header: { jku: 'https://elsewhere.example.com/jwks' } }],
  ['SSA-PRESENT', { claims: { software_statement: undefined } }],
  ['SSA-FORMAT', { claims: { software_statement: 'not.a-jws' } }],
  ['SSA-ALG', { ssaHeader: { alg: 'HS256' } }],
  ['SSA-ISSUER', { ssa: { iss: undefined } }],
  ['SSA-EXP', { ssa: { exp: NOW - 3600 } }],
  ['SSA-IAT', { ssa: { iat: NOW + 3600 } }],
  ['SSA-IAT', { ssa: { nbf: NOW + 3600 } }],
  ['SSA-CLAIMS', { ssa: { software_jwks_endpoint: undefined } }],
  ['REQ-ISS', { claims: { iss: undefined } }],
  ['REQ-ISS-FORMAT', { claims: { iss: `${SOFTWARE}x`, software_id: undefined }, ssa: { software_id: `${SOFTWARE}x` } }],
  ['REQ-ISS-FORMAT', { claims: { ...V31.claims, iss: SOFTWARE }, ssa: { software_id: SOFTWARE }, opts: V31.opts }], // 22 characters: v3.1 allows 18
  ['REQ-AUD', { claims: { aud: 'another-bank' } }],
  ['REQ-AUD', { claims: { aud: undefined }, opts: { audiences: undefined } }],
  ['REQ-EXP', { claims: { exp: NOW - 120 } }],
  ['REQ-EXP', { claims: { exp: String(NOW + 300) } }],
  ['REQ-IAT', { claims: { iat: NOW + 600 } }],
  ['REQ-JTI', { claims: { jti: 'replay-me-1' } }], // the data dictionary asks for a UUIDv4; the mock takes any string
  ['REQ-SOFTWARE-ID', { claims: { software_id: 'OtherSoftware' } }],
  ['REQ-REDIRECT-PRESENT', { claims: { redirect_uris: [] } }],
  ['REQ-REDIRECT-HTTPS', { claims: { redirect_uris: ['http://tpp.example.com/cb'] }, ssa: { software_redirect_uris: ['http://tpp.example.com/cb'] } }],
  ['REQ-REDIRECT-LOCALHOST', { claims: { redirect_uris: ['https://localhost/cb'] }, ssa: { software_redirect_uris: ['https://localhost/cb'] } }],
  ['REQ-REDIRECT-FRAGMENT', { claims: { redirect_uris: ['https://tpp.example.com/cb#x'] }, ssa: { software_redirect_uris: ['https://tpp.example.com/cb#x'] } }],
  ['REQ-REDIRECT-LENGTH', { claims: { redirect_uris: [`https://tpp.example.com/${'a'.repeat(250)}`] }, ssa: { software_redirect_uris: [`https://tpp.example.com/${'a'.repeat(250)}`] } }],
  ['REQ-REDIRECT-SUBSET', { claims: { redirect_uris: ['https://tpp.example.com/CB'] } }],
  ['REQ-AUTH-METHOD', { claims: { token_endpoint_auth_method: 'none', tls_client_auth_subject_dn: undefined } }],
  ['REQ-AUTH-SIGNING-ALG', { claims: { token_endpoint_auth_method: 'private_key_jwt', tls_client_auth_subject_dn: undefined } }],
  ['REQ-AUTH-SIGNING-ALG', { claims: { token_endpoint_auth_method: 'private_key_jwt', tls_client_auth_subject_dn: undefined, token_endpoint_auth_signing_alg: 'RS256' } }],
  ['REQ-TLS-DN-PRESENCE', { claims: { tls_client_auth_subject_dn: undefined } }],
  ['REQ-TLS-DN-PRESENCE', { claims: { token_endpoint_auth_method: 'client_secret_basic' } }],
  ['REQ-TLS-DN-PRESENCE', { claims: { tls_client_auth_subject_dn: undefined, tls_client_auth_dn: DN }, opts: { specVersion: '3.3' } }],
  ['REQ-TLS-DN-MATCH', { opts: { certificateDn: 'CN=someone-else,O=TPP Ltd,C=GB' } }],
  ['REQ-TLS-DN-MATCH', { claims: { tls_client_auth_subject_dn: 'not a DN' }, opts: { certificateDn: undefined } }],
  ['REQ-GRANT-TYPES', { claims: { grant_types: ['password'] } }],
  ['REQ-GRANT-TYPES', { claims: { grant_types: undefined } }],
  ['REQ-RESPONSE-TYPES', { claims: { response_types: ['token'] } }],
  ['REQ-SCOPE-FORMAT', { claims: { scope: ['openid', 'accounts'] }, opts: { specVersion: '3.3' } }],
  ['REQ-SCOPE-FORMAT', { claims: { ...V31.claims, scope: 'openid accounts' }, ssa: V31.ssa, opts: V31.opts }],
  ['REQ-SCOPE-ROLES', { claims: { scope: 'openid fundsconfirmations' } }],
  ['REQ-SCOPE-ROLES', { claims: { scope: 'openid makepayment' } }],
  ['REQ-APPLICATION-TYPE', { claims: { application_type: 'native' } }],
  ['REQ-APPLICATION-TYPE', { claims: { application_type: undefined } }],
  ['REQ-ID-TOKEN-ALG', { claims: { id_token_signed_response_alg: 'RS256' } }],
  ['REQ-ID-TOKEN-ALG', { claims: { id_token_signed_response_alg: undefined } }],
  ['REQ-REQUEST-OBJECT-ALG', { claims: { request_object_signing_alg: 'none' } }],
  ['REQ-JWKS-EXCLUSIVE', { claims: { jwks: { keys: [] }, jwks_uri: 'https://tpp.example.com/jwks' } }],
];

test.each(cases)('%s fires on its own for %j', async (rule, change) => {
  const { findings } = await lintWith(change);
  expect(findings.map((f) => f.rule)).toEqual([rule]);
  expect(findings[0]!.detail.startsWith(`${rule}: `)).toBe(true);
  expect(findings[0]!.spec.length).toBeGreaterThan(0);
});

test('where a rule does not fire: no scope, no response_types and no redirect_uris are allowed (the AS assigns defaults, the SSA list is requested)', async () => {
  expect((await lintWith({ claims: { scope: undefined, redirect_uris: undefined } })).findings).toEqual([]);
  expect((await lintWith({ claims: { response_types: undefined, id_token_signed_response_alg: undefined } })).findings).toEqual([]);
  expect((await lintWith({ claims: { jti: 'F47AC10B58CC4372A5670E02B2C3D479' } })).findings).toEqual([]); // a UUIDv4 without hyphens
  expect((await lintWith({ claims: { aud: ['other', 'bank-org-id'] } })).findings).toEqual([]);
  expect((await lintWith({ claims: { token_endpoint_auth_method: 'client_secret_jwt', tls_client_auth_subject_dn: undefined, token_endpoint_auth_signing_alg: 'HS256' } })).findings).toEqual([]);
  expect((await lintWith(V31)).findings).toEqual([]);
});

test('every lint rule has a case above that makes it fire, and cites a sentence of a known spec section', async () => {
  const { headerRules, ssaRules, requestRules } = await import('../../conformance/lint-rules');
  const { references } = await import('../../catalogue/references');
  const all = [...headerRules, ...ssaRules, ...requestRules];
  expect([...new Set(all.map((r) => r.id))].sort()).toEqual([...new Set(cases.map(([id]) => id).filter((id) => id !== 'SSA-PRESENT' && id !== 'SSA-FORMAT'))].sort());
  for (const r of all) for (const c of r.cites) expect({ id: r.id, known: Object.hasOwn(references, c.ref), text: c.text.length > 20 }).toEqual({ id: r.id, known: true, text: true });
});
