import type { Recorded } from '../../conformance/exchange';
import { checkById } from '../../conformance/rules';
import { evaluate, type CheckResult, type Slot } from '../../conformance/rules/define';
import { tokenPlan } from '../../conformance/plans/token.plan';
import { managementPlan } from '../../conformance/plans/management.plan';
import { METHOD_STEPS } from '../../conformance/rules/token';

interface Answer {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
  sent?: Record<string, unknown>;
  transportError?: string;
  timedOut?: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

function rec(name: string, a: Answer): Recorded {
  return {
    name,
    request: { method: 'POST', url: 'https://bank.example.com/token', headers: {} },
    status: a.status,
    headers: a.headers ?? (a.json !== undefined ? JSON_TYPE : {}),
    text: a.json !== undefined ? JSON.stringify(a.json) : '',
    json: a.json,
    ms: 1,
    sent: a.sent ?? {},
    ...(a.transportError ? { transportError: a.transportError } : {}),
    ...(a.timedOut ? { timedOut: true } : {}),
  };
}

/** Evaluates a check over answers given by exchange name. */
function judge(id: string, answers: Record<string, Answer>): CheckResult {
  const check = checkById(id);
  if (!check) throw new Error(`no check ${id}`);
  const slots = new Map<string, Slot>(Object.entries(answers).map(([name, a]) => [name, rec(name, a)]));
  return evaluate(check, slots);
}

const TOKEN = { status: 200, json: { access_token: 'at', token_type: 'Bearer', expires_in: 300 } };
const INVALID_CLIENT = { status: 401, json: { error: 'invalid_client', error_description: 'no' } };
const BASIC_REFUSAL = { ...INVALID_CLIENT, headers: { ...JSON_TYPE, 'www-authenticate': 'Basic realm="token"' } };
const BEARER_REFUSAL = { status: 401, json: { error: 'invalid_token' }, headers: { ...JSON_TYPE, 'www-authenticate': 'Bearer error="invalid_token"' } };
const METADATA_REFUSAL = { status: 400, json: { error: 'invalid_client_metadata', error_description: 'refused' } };
const PUT_OK = (softwareId?: string) => ({ status: 200, json: { client_id: 'c1', ...(softwareId ? { software_id: softwareId } : {}) } });

describe('AUTH-METHOD-*: a client registered with the method gets a token with it', () => {
  const methods = [
    ['AUTH-METHOD-TLS-CLIENT-AUTH', 'tls_client_auth'],
    ['AUTH-METHOD-PRIVATE-KEY-JWT', 'private_key_jwt'],
    ['AUTH-METHOD-CLIENT-SECRET-BASIC', 'client_secret_basic'],
    ['AUTH-METHOD-CLIENT-SECRET-POST', 'client_secret_post'],
  ] as const;
  test.each(methods)('%s: pass on 200 with an access_token, fail on a refusal', (id, method) => {
    const { register, token } = METHOD_STEPS[method];
    const registered = { status: 201, json: { client_id: 'c1', token_endpoint_auth_method: method } };
    expect(judge(id, { [register]: registered, [token]: { ...TOKEN, sent: { advertised: true } } })).toMatchObject({ outcome: 'pass', severity: 'MUST' });
    const refused = judge(id, { [register]: registered, [token]: { ...INVALID_CLIENT, sent: { advertised: true } } });
    expect(refused).toMatchObject({ outcome: 'fail', evidence: { status: 401, method } });
    expect(refused.message).toContain('token_endpoint_auth_methods_supported');
    expect(judge(id, { [register]: registered, [token]: INVALID_CLIENT }).message).toContain('authMethods');
  });
  test('a registration answered with another method fails even when the token is issued', () => {
    const { register, token } = METHOD_STEPS.private_key_jwt;
    const r = judge('AUTH-METHOD-PRIVATE-KEY-JWT', { [register]: { status: 201, json: { client_id: 'c1', token_endpoint_auth_method: 'client_secret_basic' } }, [token]: TOKEN });
    expect(r).toMatchObject({ outcome: 'fail', evidence: { expected: 'private_key_jwt', actual: 'client_secret_basic' } });
  });
  test('a token answer shown as evidence is redacted', () => {
    const { register, token } = METHOD_STEPS.tls_client_auth;
    expect(judge('AUTH-METHOD-TLS-CLIENT-AUTH', { [register]: { status: 201, json: { client_id: 'c1' } }, [token]: TOKEN }).evidence.body).toBe('(token redacted)');
  });
});

describe('token endpoint client authentication refusals', () => {
  const refusals: Array<[string, string]> = [
    ['TOKEN-TLS-UNTRUSTED-CERT', 'token-tls-untrusted-cert'],
    ['TOKEN-TLS-NO-CERT', 'token-tls-no-cert'],
    ['TOKEN-TLS-OTHER-DN', 'token-tls-other-dn'],
    ['TOKEN-ASSERTION-AUD-OTHER', 'token-assertion-aud-other'],
    ['TOKEN-ASSERTION-ISS-OTHER', 'token-assertion-iss-other'],
    ['TOKEN-ASSERTION-EXPIRED', 'token-assertion-expired'],
    ['TOKEN-ASSERTION-FOREIGN-KEY', 'token-assertion-foreign-key'],
    ['TOKEN-ASSERTION-ALG-NONE', 'token-assertion-alg-none'],
  ];
  test.each(refusals)('%s fires on an issued token and passes on 401 or 400 invalid_client', (id, exchange) => {
    expect(judge(id, { [exchange]: TOKEN })).toMatchObject({ outcome: 'fail', severity: 'MUST', evidence: { status: 200, body: '(token redacted)' } });
    expect(judge(id, { [exchange]: INVALID_CLIENT })).toMatchObject({ outcome: 'pass' });
    expect(judge(id, { [exchange]: { ...INVALID_CLIENT, status: 400 } })).toMatchObject({ outcome: 'pass' });
    expect(judge(id, { [exchange]: { status: 400, json: { error: 'invalid_request' } } })).toMatchObject({ outcome: 'fail', evidence: { actual: { error: 'invalid_request' } } });
    expect(judge(id, { [exchange]: { status: 500, json: { error: 'server_error' } } })).toMatchObject({ outcome: 'fail' });
  });
  test.each(refusals.slice(0, 3))('%s also accepts a refusal at the TLS layer, never a timeout', (id, exchange) => {
    expect(judge(id, { [exchange]: { status: 0, transportError: 'ECONNRESET: socket hang up' } })).toMatchObject({ outcome: 'pass', evidence: { actual: 'ECONNRESET: socket hang up' } });
    expect(judge(id, { [exchange]: { status: 0, transportError: 'ETIMEDOUT: timed out', timedOut: true } })).toMatchObject({ outcome: 'fail' });
  });
  test('assertion probes do not take a TLS-layer failure for a refusal', () => {
    expect(judge('TOKEN-ASSERTION-EXPIRED', { 'token-assertion-expired': { status: 0, transportError: 'ECONNRESET: socket hang up' } })).toMatchObject({ outcome: 'fail' });
  });
  test('TOKEN-SECRET-WRONG: RFC 6749 5.2 requires 401 with a Basic challenge for Authorization-header credentials', () => {
    expect(judge('TOKEN-SECRET-WRONG', { 'token-secret-wrong': BASIC_REFUSAL })).toMatchObject({ outcome: 'pass' });
    expect(judge('TOKEN-SECRET-WRONG', { 'token-secret-wrong': TOKEN })).toMatchObject({ outcome: 'fail' });
    expect(judge('TOKEN-SECRET-WRONG', { 'token-secret-wrong': INVALID_CLIENT })).toMatchObject({ outcome: 'fail', evidence: { expected: { 'www-authenticate': 'Basic ...' } } });
    expect(judge('TOKEN-SECRET-WRONG', { 'token-secret-wrong': { ...BASIC_REFUSAL, status: 400 } })).toMatchObject({ outcome: 'fail', evidence: { actual: { status: 400 } } });
  });
  test('TOKEN-ASSERTION-REPLAY: the replayed assertion must be refused; a request that did not replay it fails the check', () => {
    const sent = { assertion: 'a.b.c', replayed: 'a.b.c' };
    expect(judge('TOKEN-ASSERTION-REPLAY', { 'token-assertion-replay': { ...INVALID_CLIENT, sent } })).toMatchObject({ outcome: 'pass', severity: 'MUST' });
    expect(judge('TOKEN-ASSERTION-REPLAY', { 'token-assertion-replay': { ...TOKEN, sent } })).toMatchObject({ outcome: 'fail' });
    expect(judge('TOKEN-ASSERTION-REPLAY', { 'token-assertion-replay': { ...INVALID_CLIENT, sent: { assertion: 'x.y.z', replayed: 'a.b.c' } } })).toMatchObject({ outcome: 'fail' });
  });
});

describe('sender-constrained tokens on /register/{ClientId}', () => {
  test.each([['MGT-TOKEN-CERT-BOUND', 'mgmt-get-no-cert'], ['MGT-TOKEN-OTHER-CERT', 'mgmt-get-other-cert']])('%s is a MUST: 200 fails, 401 invalid_token passes', (id, exchange) => {
    expect(judge(id, { [exchange]: { status: 200, json: { client_id: 'c1' } } })).toMatchObject({ outcome: 'fail', severity: 'MUST', evidence: { expected: 401 } });
    expect(judge(id, { [exchange]: BEARER_REFUSAL })).toMatchObject({ outcome: 'pass' });
    expect(judge(id, { [exchange]: { status: 401, json: { error: 'invalid_token' } } })).toMatchObject({ outcome: 'fail' });
  });
});

describe('PUT validated as strictly as POST', () => {
  test.each([['PUT-FOREIGN-KEY', 'mgmt-put-foreign-key'], ['PUT-ALG-NONE', 'mgmt-put-alg-none'], ['PUT-EXPIRED', 'mgmt-put-expired']])('%s: 200 fails, 400 invalid_client_metadata passes', (id, exchange) => {
    expect(judge(id, { [exchange]: PUT_OK('sw1') })).toMatchObject({ outcome: 'fail', severity: 'MUST', evidence: { actual: { status: 200 } } });
    expect(judge(id, { [exchange]: METADATA_REFUSAL })).toMatchObject({ outcome: 'pass' });
  });
  test('PUT-CLIENT-ID-MISMATCH: refused with 400 or 403, never accepted', () => {
    expect(judge('PUT-CLIENT-ID-MISMATCH', { 'mgmt-put-client-id-other': PUT_OK('sw1') })).toMatchObject({ outcome: 'fail' });
    expect(judge('PUT-CLIENT-ID-MISMATCH', { 'mgmt-put-client-id-other': METADATA_REFUSAL })).toMatchObject({ outcome: 'pass' });
    expect(judge('PUT-CLIENT-ID-MISMATCH', { 'mgmt-put-client-id-other': { status: 403, json: { error: 'access_denied' } } })).toMatchObject({ outcome: 'pass' });
  });
  test('PUT-SOFTWARE-ID-CHANGE: refused, or accepted with software_id unchanged; a changed or hidden software_id fails', () => {
    const registered = { status: 201, json: { client_id: 'c1', software_id: 'sw1' } };
    const put = (a: Answer) => judge('PUT-SOFTWARE-ID-CHANGE', { 'mgmt-register': registered, 'mgmt-put-software-id-other': a });
    expect(put(METADATA_REFUSAL)).toMatchObject({ outcome: 'pass' });
    expect(put(PUT_OK('sw1'))).toMatchObject({ outcome: 'pass', evidence: { expected: 'sw1', actual: 'sw1' } });
    expect(put(PUT_OK('someOtherSoftware1'))).toMatchObject({ outcome: 'fail', evidence: { expected: 'sw1', actual: 'someOtherSoftware1' } });
    expect(put(PUT_OK())).toMatchObject({ outcome: 'fail', evidence: { expected: 'sw1' } });
    // The original software_id comes from the registration request when the answer does not show it.
    const fromClaims = judge('PUT-SOFTWARE-ID-CHANGE', { 'mgmt-register': { status: 201, json: { client_id: 'c1' }, sent: { claims: { software_id: 'sw1' } } }, 'mgmt-put-software-id-other': PUT_OK('sw1') });
    expect(fromClaims.outcome).toBe('pass');
  });
});

describe('control wiring', () => {
  const needsOf = (plan: typeof tokenPlan, name: string) => plan.steps.find((s) => s.name === name)?.needs;
  test('every token probe needs its method\'s accepted token request (the grant and scope rows: the first method\'s, chosen per target)', () => {
    for (const step of tokenPlan.steps.filter((s) => s.name.startsWith('token-') && !/^token-(grant|scope)-/.test(s.name))) {
      const method = step.name.startsWith('token-tls') ? 'tls_client_auth' : step.name.startsWith('token-assertion') ? 'private_key_jwt' : step.name.startsWith('token-secret-post') ? 'client_secret_post' : 'client_secret_basic';
      expect({ step: step.name, needs: step.needs }).toEqual({ step: step.name, needs: [METHOD_STEPS[method].token] });
    }
    for (const m of Object.values(METHOD_STEPS)) expect(needsOf(tokenPlan, m.token)).toEqual([m.register]);
  });
  test('every PUT probe needs the valid PUT and comes before DELETE; the other-certificate GET needs the valid GET', () => {
    const names = managementPlan.steps.map((s) => s.name);
    for (const name of ['mgmt-put-foreign-key', 'mgmt-put-alg-none', 'mgmt-put-software-id-other', 'mgmt-put-client-id-other', 'mgmt-put-expired']) {
      expect({ name, needs: needsOf(managementPlan, name) }).toEqual({ name, needs: ['mgmt-put'] });
      expect(names.indexOf(name)).toBeLessThan(names.indexOf('mgmt-delete'));
    }
    expect(needsOf(managementPlan, 'mgmt-get-other-cert')).toEqual(['mgmt-get']);
  });
});
