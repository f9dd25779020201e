import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { signingKey, type SigningKey } from '../../fixtures/keys';
import { runPack } from '../../conformance/runner';
import { tokenPlan } from '../../conformance/plans/token.plan';
import { checkById } from '../../conformance/rules';
import { evaluate, type Slot } from '../../conformance/rules/define';
import type { Recorded } from '../../conformance/exchange';
import { METHOD_STEPS } from '../../conformance/rules/token';
import type { Target } from '../../conformance/target';
import { startSecondBank, type SecondBankBug } from './servers/second-bank';
import { PROVEN_BY_RECORDED, PROVEN_BY_SECOND_BANK } from './proven-elsewhere';

/**
 * The token plan (the per-method sweep tables and the advertised-capability checks) against the
 * second bank, a bank written apart from the mock: the correct bank passes every check, and each
 * credentials, grants-scope and advertised switch fails exactly the checks listed, nothing else.
 */

interface SwitchRow {
  bug: SecondBankBug;
  /** The checks that must fail (a SHOULD check warns); no other check of the plan may fail or warn. */
  fails: string[];
  /** Checks the switch leaves unjudged (their control is refused): blocked, never passed; 'rest': every other check of the plan. */
  blocked?: string[] | 'rest';
}

const POST_BLOCKED = ['AUTH-METHOD-CLIENT-SECRET-POST', 'TOKEN-CERT-BOUND-CLIENT-SECRET-POST', 'TOKEN-SECRET-POST-WRONG', 'TOKEN-SECRET-POST-PREFIX', 'TOKEN-SECRET-POST-EMPTY'];

export const SWITCHES: SwitchRow[] = [
  // credentials
  { bug: 'secret-prefix-compare', fails: ['TOKEN-SECRET-PREFIX', 'TOKEN-SECRET-POST-PREFIX'] },
  { bug: 'basic-secret-unchecked', fails: ['TOKEN-SECRET-WRONG', 'TOKEN-SECRET-PREFIX', 'TOKEN-SECRET-EMPTY'] },
  { bug: 'post-secret-unchecked', fails: ['TOKEN-SECRET-POST-WRONG', 'TOKEN-SECRET-POST-PREFIX', 'TOKEN-SECRET-POST-EMPTY'] },
  { bug: 'assertion-sub-unchecked', fails: ['TOKEN-ASSERTION-SUB-OTHER', 'TOKEN-ASSERTION-NO-SUB'] },
  { bug: 'assertion-aud-unchecked', fails: ['TOKEN-ASSERTION-AUD-OTHER', 'TOKEN-ASSERTION-NO-AUD'] },
  { bug: 'assertion-exp-optional', fails: ['TOKEN-ASSERTION-NO-EXP'] },
  { bug: 'assertion-replay', fails: ['TOKEN-ASSERTION-REPLAY'] },
  { bug: 'assertion-type-unchecked', fails: ['TOKEN-ASSERTION-TYPE-OTHER', 'TOKEN-ASSERTION-TYPE-MISSING'] },
  // grants-scope; an empty scope= refused with invalid_scope is what RFC 6749 3.3 allows a bank without a default: no failure.
  { bug: 'token-scope-beyond-client', fails: ['TOKEN-SCOPE-BEYOND-CLIENT'] },
  { bug: 'grant-type-unchecked', fails: ['TOKEN-GRANT-TYPE-OTHER', 'TOKEN-GRANT-TYPE-MISSING'] },
  { bug: 'empty-scope-refused', fails: ['TOKEN-SCOPE-EMPTY'] },
  // tls-identity at the token endpoint: without a trusted certificate the DN check is skipped, so the untrusted one passes too.
  { bug: 'token-no-cert-dn-skipped', fails: ['TOKEN-TLS-NO-CERT', 'TOKEN-TLS-UNTRUSTED-CERT'] },
  { bug: 'token-dn-mismatch-accepted', fails: ['TOKEN-TLS-OTHER-DN'] },
  // advertised: the registration refused is the failure; what builds on it is blocked.
  { bug: 'advertised-secret-post-refused', fails: ['ADVERTISED-AUTH-METHOD-CLIENT-SECRET-POST-REGISTERS'], blocked: POST_BLOCKED },
  { bug: 'advertised-es256-assertion-refused', fails: ['ADVERTISED-SIGNING-ALG-ES256'] },
  // The pack registers the grant types the OBIE data dictionary lists (refresh_token among them), so every registration of the
  // plan is refused: each advertised method and alg fails naming its discovery field, and everything built on a client is blocked.
  {
    bug: 'advertised-refresh-token-refused',
    fails: ['ADVERTISED-GRANT-REFRESH-TOKEN', 'ADVERTISED-AUTH-METHOD-TLS-CLIENT-AUTH-REGISTERS', 'ADVERTISED-AUTH-METHOD-PRIVATE-KEY-JWT-REGISTERS', 'ADVERTISED-AUTH-METHOD-CLIENT-SECRET-BASIC-REGISTERS', 'ADVERTISED-AUTH-METHOD-CLIENT-SECRET-POST-REGISTERS', 'ADVERTISED-SIGNING-ALG-PS256', 'ADVERTISED-SIGNING-ALG-ES256'],
    blocked: 'rest',
  },
];

const DIRECTORY_ISSUER = 'Second Bank Test Directory';
const KEYSTORE_HOST = 'keystore.second-directory.test';

let certs: CertBundle;
let software: SigningKey;
let es: SigningKey;
let jwksEndpoint: string;
const banks: Array<{ close(): Promise<void> }> = [];

async function target(bugs: SecondBankBug[] = []): Promise<Target> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...directoryPublic } = certs.directoryKey;
  const bank = await startSecondBank({
    tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
    directory: { issuer: DIRECTORY_ISSUER, jwks: { keys: [directoryPublic] }, keystoreHost: KEYSTORE_HOST },
    softwareJwks: new Map([[jwksEndpoint, { keys: [software.publicJwk, es.publicJwk] }]]),
    bugs,
  });
  banks.push(bank);
  return {
    discoveryUrl: `${bank.url}/.well-known/openid-configuration`,
    specVersion: '3.3',
    transport: { cert: certs.tpp.cert, key: certs.tpp.key },
    altTransport: { cert: certs.altTpp!.cert, key: certs.altTpp!.key },
    ca: certs.ca.cert,
    insecure: false,
    signingKey: software.privateJwk,
    extraSigningKeys: [es.privateJwk],
    softwareId: certs.tpp.software_id,
    orgId: certs.tpp.org_id,
    redirectUris: ['https://tpp.example.com/callback', 'https://tpp.example.com/cb2'],
    roles: ['AISP', 'PISP'],
    subjectDn: certs.tpp.dn,
    directory: { mode: 'local-key', key: certs.directoryKey, issuer: DIRECTORY_ISSUER, softwareJwksEndpoint: jwksEndpoint },
    capabilities: { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'], contentType: 'application/jose' },
    timeoutMs: 10_000,
  };
}

const outcomes = (results: ReadonlyArray<{ id: string; outcome: string }>, ...wanted: string[]) => results.filter((r) => wanted.includes(r.outcome)).map((r) => r.id).sort();

beforeAll(async () => {
  [certs, software, es] = await Promise.all([generateBundle(), signingKey('PS256'), signingKey('ES256')]);
  jwksEndpoint = `https://${KEYSTORE_HOST}/${certs.tpp.org_id}/${certs.tpp.software_id}.jwks`;
}, 60_000);
afterAll(async () => {
  await Promise.all(banks.map((b) => b.close()));
});

test('every check the second bank proves is expected to fail by a switch of this table', () => {
  expect(PROVEN_BY_SECOND_BANK.filter((id) => !SWITCHES.some((r) => r.fails.includes(id)))).toEqual([]);
  expect(SWITCHES.flatMap((r) => [...r.fails, ...(Array.isArray(r.blocked) ? r.blocked : [])]).filter((id) => !checkById(id))).toEqual([]);
});

test('the correct second bank: every token check passes', async () => {
  const run = await runPack(await target(), { plans: [tokenPlan] });
  expect(run.aborted).toBeUndefined();
  expect(run.results.filter((r) => r.outcome !== 'pass').map((r) => `${r.id} ${r.outcome}: ${r.message}`)).toEqual([]);
}, 60_000);

describe('each switch fails exactly its checks', () => {
  test.each(SWITCHES)('$bug: $fails', async ({ bug, fails, blocked = [] }) => {
    const run = await runPack(await target([bug]), { plans: [tokenPlan] });
    for (const id of fails) {
      const r = run.results.find((x) => x.id === id);
      expect({ id, outcome: r?.outcome }).toEqual({ id, outcome: checkById(id)!.severity === 'SHOULD' ? 'warn' : 'fail' });
    }
    expect(outcomes(run.results, 'fail', 'warn')).toEqual([...fails].sort());
    const unjudged = blocked === 'rest' ? tokenPlan.checks.map((c) => c.id).filter((id) => !fails.includes(id)) : blocked;
    expect(outcomes(run.results, 'blocked')).toEqual([...unjudged].sort());
    expect(outcomes(run.results, 'skip')).toEqual([]);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Checks no bank fails, shown firing (and passing) on recorded exchanges.

const rec = (name: string, status: number, json: Record<string, unknown>, sent: Record<string, unknown> = {}): Recorded => ({
  name, request: { method: 'POST', url: 'https://bank.example.com/x', headers: {} }, status, headers: { 'content-type': 'application/json' },
  text: JSON.stringify(json), json, ms: 1, sent, ...(status === 201 ? { clientId: 'c1' } : {}),
});
const judge = (id: string, slots: Record<string, Recorded>) => evaluate(checkById(id)!, new Map<string, Slot>(Object.entries(slots)));
const TOKEN = { access_token: 'at', token_type: 'Bearer', expires_in: 300 };

describe('recorded: the checks no bank of ours fails', () => {
  test('every check proven here is listed in PROVEN_BY_RECORDED, and the reverse', () => {
    expect([...RECORDED].sort()).toEqual([...PROVEN_BY_RECORDED].sort());
  });
  const RECORDED: string[] = [];
  const methods = [['ADVERTISED-AUTH-METHOD-TLS-CLIENT-AUTH-REGISTERS', 'tls_client_auth'], ['ADVERTISED-AUTH-METHOD-PRIVATE-KEY-JWT-REGISTERS', 'private_key_jwt'], ['ADVERTISED-AUTH-METHOD-CLIENT-SECRET-BASIC-REGISTERS', 'client_secret_basic']] as const;
  RECORDED.push(...methods.map(([id]) => id));
  test.each(methods)('%s: an advertised method refused at registration fails, naming the field; registered passes; not advertised is a skip', (id, method) => {
    const register = METHOD_STEPS[method].register;
    const refused = judge(id, { [register]: rec(register, 400, { error: 'invalid_client_metadata' }, { advertised: true }) });
    expect(refused).toMatchObject({ outcome: 'fail', evidence: { field: 'token_endpoint_auth_methods_supported', method } });
    expect(judge(id, { [register]: rec(register, 201, { client_id: 'c1' }, { advertised: true }) }).outcome).toBe('pass');
    expect(judge(id, { [register]: rec(register, 400, { error: 'invalid_client_metadata' }, { advertised: false }) }).outcome).toBe('skip');
  });
  RECORDED.push('ADVERTISED-SIGNING-ALG-PS256');
  test('ADVERTISED-SIGNING-ALG-PS256: a refused registration or a refused PS256 assertion fails, naming the field', () => {
    const [reg, tok] = ['cap-register-pkjwt-ps256', 'cap-token-pkjwt-ps256'];
    const ok = rec(reg, 201, { client_id: 'c1', token_endpoint_auth_signing_alg: 'PS256' });
    expect(judge('ADVERTISED-SIGNING-ALG-PS256', { [reg]: ok, [tok]: rec(tok, 200, TOKEN) }).outcome).toBe('pass');
    expect(judge('ADVERTISED-SIGNING-ALG-PS256', { [reg]: ok, [tok]: rec(tok, 401, { error: 'invalid_client' }) })).toMatchObject({ outcome: 'fail', evidence: { field: 'token_endpoint_auth_signing_alg_values_supported' } });
    expect(judge('ADVERTISED-SIGNING-ALG-PS256', { [reg]: rec(reg, 400, { error: 'invalid_client_metadata' }), [tok]: rec(tok, 0, {}, { notSent: 'x' }) })).toMatchObject({ outcome: 'fail', evidence: { field: 'token_endpoint_auth_signing_alg_values_supported', alg: 'PS256' } });
    expect(judge('ADVERTISED-SIGNING-ALG-PS256', { [reg]: rec(reg, 201, { client_id: 'c1', token_endpoint_auth_signing_alg: 'ES256' }), [tok]: rec(tok, 200, TOKEN) }).outcome).toBe('fail');
  });
  RECORDED.push('TOKEN-SCOPE-EMPTY');
  test('TOKEN-SCOPE-EMPTY: a token or invalid_scope passes (RFC 6749 3.3), any other refusal fails', () => {
    const name = 'token-scope-empty';
    expect(judge('TOKEN-SCOPE-EMPTY', { [name]: rec(name, 200, TOKEN) }).outcome).toBe('pass');
    expect(judge('TOKEN-SCOPE-EMPTY', { [name]: rec(name, 400, { error: 'invalid_scope' }) }).outcome).toBe('pass');
    expect(judge('TOKEN-SCOPE-EMPTY', { [name]: rec(name, 400, { error: 'invalid_request' }) })).toMatchObject({ outcome: 'fail', severity: 'MUST' });
    expect(judge('TOKEN-SCOPE-EMPTY', { [name]: rec(name, 500, { error: 'server_error' }) }).outcome).toBe('fail');
  });
  RECORDED.push('TOKEN-ASSERTION-CLIENT-ID-OTHER');
  test('TOKEN-ASSERTION-CLIENT-ID-OTHER: an issued token fails, invalid_client passes', () => {
    const name = 'token-assertion-client-id-other';
    expect(judge('TOKEN-ASSERTION-CLIENT-ID-OTHER', { [name]: rec(name, 200, TOKEN) }).outcome).toBe('fail');
    expect(judge('TOKEN-ASSERTION-CLIENT-ID-OTHER', { [name]: rec(name, 401, { error: 'invalid_client' }) }).outcome).toBe('pass');
  });
  test('TOKEN-SCOPE-BEYOND-CLIENT: refused, or granted without the scope, passes; granted with it (or silently as asked) warns', () => {
    const name = 'token-scope-beyond-client';
    const sent = { extraScope: 'fundsconfirmations' };
    expect(judge('TOKEN-SCOPE-BEYOND-CLIENT', { [name]: rec(name, 400, { error: 'invalid_scope' }, sent) }).outcome).toBe('pass');
    expect(judge('TOKEN-SCOPE-BEYOND-CLIENT', { [name]: rec(name, 200, { ...TOKEN, scope: 'openid accounts' }, sent) }).outcome).toBe('pass');
    expect(judge('TOKEN-SCOPE-BEYOND-CLIENT', { [name]: rec(name, 200, { ...TOKEN, scope: 'fundsconfirmations' }, sent) }).outcome).toBe('warn');
    expect(judge('TOKEN-SCOPE-BEYOND-CLIENT', { [name]: rec(name, 200, TOKEN, sent) }).outcome).toBe('warn');
  });
});
