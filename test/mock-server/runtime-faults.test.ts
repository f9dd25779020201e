import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { httpsRequest, refusal } from '../../fixtures/https';
import { compilePathPattern } from '../../mock-server/admin/runtime-faults';
import type { JournalEntry } from '../../mock-server/store/types';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank({ journalSize: 100 });
  tpp = await createTpp(bank);
});
afterAll(() => bank.close());
afterEach(async () => {
  await admin('/faults', 'DELETE');
});

function admin(path: string, method = 'GET', body?: unknown, contentType = 'application/json') {
  return httpsRequest(`${bank.url}/__admin${path}`, {
    method,
    ca: bank.ca,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': contentType } }),
  });
}

async function journal(): Promise<JournalEntry[]> {
  return ((await admin('/journal')).json as { entries: JournalEntry[] }).entries;
}

const register = async (overrides: Record<string, unknown> = {}) => tpp.register(await tpp.sign(tpp.claims(overrides)));
const discovery = () => httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });

describe('the journal records the rules a registration was checked against', () => {
  test('a refused registration: every rule checked with its verdict, the first failing one, the answer', async () => {
    const res = await register({ redirect_uris: ['https://elsewhere.example.com/cb'] });
    expect(refusal(res)).toMatchObject({ status: 400, rule: 'REQ-REDIRECT-SUBSET' });
    const entry = (await journal()).filter((e) => e.path === '/register').at(-1)!;
    expect(entry.rule).toBe('REQ-REDIRECT-SUBSET');
    const verdicts = Object.fromEntries(entry.rules!.map((c) => [c.rule, c.verdict]));
    expect(verdicts).toMatchObject({
      'TLS-CERT-REQUIRED': 'pass',
      'HTTP-CONTENT-TYPE': 'pass',
      'JWS-FORMAT': 'pass',
      'SSA-SIGNATURE': 'pass',
      'JWS-SIGNATURE': 'pass',
      'REQ-ISS': 'pass',
      'REQ-REDIRECT-SUBSET': 'fail',
    });
    // Claims are all evaluated; the refusal names the first failure.
    expect(entry.rules!.find((c) => c.verdict === 'fail')!.rule).toBe('REQ-REDIRECT-SUBSET');
    expect(entry.rules!.map((c) => c.rule)).not.toContain('REQ-JTI-REPLAY');
    expect(entry.answer).toMatchObject({ error: 'invalid_redirect_uri', error_description: expect.stringMatching(/^REQ-REDIRECT-SUBSET: /) });
  });

  test('a registration: its answer is kept with the secret redacted', async () => {
    const res = await register({ token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined });
    expect(res.status).toBe(201);
    const secret = (res.json as { client_secret: string }).client_secret;
    const all = await admin('/journal');
    expect(all.text).not.toContain(secret);
    const entry = (all.json as { entries: JournalEntry[] }).entries.filter((e) => e.path === '/register').at(-1)!;
    expect(entry.answer).toMatchObject({ client_id: (res.json as { client_id: string }).client_id, client_secret: '[redacted]' });
    expect(entry.rules!.every((c) => c.verdict === 'pass')).toBe(true);
    expect(entry.rules!.map((c) => c.rule)).toContain('REQ-JTI-REPLAY');
  });

  test('a refusal before the verifier names its rule alone', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()), { contentType: 'text/plain' });
    expect(refusal(res).rule).toBe('HTTP-CONTENT-TYPE');
    const entry = (await journal()).at(-1)!;
    expect(entry.rules).toEqual([{ rule: 'HTTP-CONTENT-TYPE', verdict: 'fail' }]);
  });
});

describe('runtime faults: POST /__admin/faults', () => {
  test('status: the next N matching requests are answered by it, then the bank answers again', async () => {
    const add = await admin('/faults', 'POST', { kind: 'status', method: 'POST', path: '/register', status: 503, times: 2 });
    expect(add.status).toBe(201);
    const fault = add.json as { id: string; remaining: number };
    expect(fault).toMatchObject({ kind: 'status', remaining: 2, hits: 0 });
    expect((await discovery()).status).toBe(200); // another route
    const first = await register();
    expect(first.status).toBe(503);
    expect(first.json).toMatchObject({ error: 'temporarily_unavailable', error_description: expect.stringContaining(fault.id) });
    expect(((await admin('/faults')).json as { faults: Array<{ remaining: number }> }).faults[0]).toMatchObject({ remaining: 1, hits: 1 });
    expect((await register()).status).toBe(503);
    expect(((await admin('/faults')).json as { faults: unknown[] }).faults).toEqual([]);
    expect((await register()).status).toBe(201);
    const entries = (await journal()).filter((e) => e.path === '/register').slice(-3);
    expect(entries.map((e) => e.status)).toEqual([503, 503, 201]);
    expect(entries[0]!.faults).toEqual([{ id: fault.id, kind: 'status' }]);
    expect(entries[2]!.faults).toBeUndefined();
  });

  test('status with a body and headers of its own', async () => {
    await admin('/faults', 'POST', { kind: 'status', path: '/.well-known/*', status: 429, body: { error: 'slow_down' }, headers: { 'Retry-After': '5' } });
    const res = await discovery();
    expect(res.status).toBe(429);
    expect(res.json).toEqual({ error: 'slow_down' });
    expect(res.headers['retry-after']).toBe('5');
  });

  test('delay: matching requests wait, and the journal names the fault', async () => {
    const add = await admin('/faults', 'POST', { kind: 'delay', method: 'GET', path: '/.well-known/openid-configuration', ms: 400 });
    const id = (add.json as { id: string }).id;
    const res = await discovery();
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(380);
    expect((await journal()).at(-1)!.faults).toEqual([{ id, kind: 'delay', ms: 400 }]);
    expect(((await admin('/faults')).json as { faults: unknown[] }).faults).toMatchObject([{ id, remaining: null, hits: 1 }]);
  });

  test('drop: the connection is destroyed unanswered, and the journal says so', async () => {
    const add = await admin('/faults', 'POST', { kind: 'drop', method: 'POST', path: '/register' });
    const id = (add.json as { id: string }).id;
    await expect(register()).rejects.toThrow(/socket hang up|ECONNRESET/);
    await new Promise((r) => setTimeout(r, 50));
    expect((await journal()).at(-1)).toMatchObject({ method: 'POST', path: '/register', status: 0, faults: [{ id, kind: 'drop' }] });
    expect((await register()).status).toBe(201);
  });

  test('rule: switched off while running, as MOCK_FAULTS does, then on again; the journal shows the skipped rule', async () => {
    const wrong = { redirect_uris: ['https://elsewhere.example.com/cb'] };
    const add = await admin('/faults', 'POST', { kind: 'rule', rule: 'REQ-REDIRECT-SUBSET', enabled: false });
    expect(add.json).toMatchObject({ kind: 'rule', rule: 'REQ-REDIRECT-SUBSET', enabled: false, title: expect.any(String) });
    const id = (add.json as { id: string }).id;
    expect(((await admin('/faults')).json as { skipped_now: string[] }).skipped_now).toContain('REQ-REDIRECT-SUBSET');
    expect((await register(wrong)).status).toBe(201);
    const entry = (await journal()).at(-1)!;
    expect(entry.rules!.find((c) => c.rule === 'REQ-REDIRECT-SUBSET')).toEqual({ rule: 'REQ-REDIRECT-SUBSET', verdict: 'skipped', fault: id });
    expect(entry.faults).toEqual([{ id, kind: 'rule', rule: 'REQ-REDIRECT-SUBSET' }]);
    expect((await admin(`/faults/${id}`, 'DELETE')).status).toBe(204);
    expect(refusal(await register(wrong)).rule).toBe('REQ-REDIRECT-SUBSET');
  });

  test('a behaviour rule switched at run time: RES-CREATED-201 answers 200', async () => {
    await admin('/faults', 'POST', { kind: 'rule', rule: 'RES-CREATED-201' });
    expect((await register()).status).toBe(200);
    await admin('/faults', 'DELETE');
    expect((await register()).status).toBe(201);
  });

  test('DELETE clears every runtime fault; an array adds several at once', async () => {
    const add = await admin('/faults', 'POST', [
      { kind: 'status', path: '/token', status: 500, times: 3 },
      { kind: 'delay', path: '/**', ms: 1 },
    ]);
    expect(add.status).toBe(201);
    expect((add.json as { faults: unknown[] }).faults).toHaveLength(2);
    expect(((await admin('/faults')).json as { faults: unknown[] }).faults).toHaveLength(2);
    expect((await admin('/faults', 'DELETE')).status).toBe(204);
    expect(((await admin('/faults')).json as { faults: unknown[] }).faults).toEqual([]);
  });

  test('the admin API is never faulted', async () => {
    await admin('/faults', 'POST', { kind: 'status', path: '/**', status: 500, times: 100 });
    expect((await admin('/clients')).status).toBe(200);
    expect((await admin('/faults')).status).toBe(200);
  });

  test.each([
    [{ kind: 'explode' }, /kind must be one of delay, status, drop, rule/],
    [{ kind: 'delay', path: '/register', ms: 30_001 }, /ms must be a whole number from 0 to 30000/],
    [{ kind: 'delay', path: '/register', ms: 1.5 }, /ms must be a whole number/],
    [{ kind: 'status', path: '/register', status: 99 }, /status must be a whole number from 200 to 599/],
    [{ kind: 'status', path: 'register', status: 500 }, /path must be a path pattern starting with "\/"/],
    [{ kind: 'status', path: '/register', status: 500, times: 0 }, /times must be a whole number from 1/],
    [{ kind: 'drop', path: '/register', method: 'BREW' }, /method must be one of/],
    [{ kind: 'drop', path: '/register', extra: 1 }, /unknown field "extra" for a drop fault/],
    [{ kind: 'rule', rule: 'NOT-A-RULE' }, /rule must be a rule id/],
    [{ kind: 'rule', rule: 'TLS-CERT-REQUIRED' }, /MOCK_FAULTS=TLS-CERT-REQUIRED/],
    [{ kind: 'status', path: '/x', status: 500, headers: { 'content-length': '1' } }, /not a header name a fault may set/],
    [[], /no fault given/],
    [[42], /a fault is a JSON object/],
  ])('refuses %j with a clear 400', async (body, message) => {
    const res = await admin('/faults', 'POST', body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(message) });
    expect(((await admin('/faults')).json as { faults: unknown[] }).faults).toEqual([]);
  });

  test('refuses a body that is not JSON, or not sent as JSON', async () => {
    expect((await admin('/faults', 'POST', '{not json')).status).toBe(400);
    const plain = await admin('/faults', 'POST', { kind: 'drop', path: '/x' }, 'text/plain');
    expect(plain.status).toBe(400);
    expect((plain.json as { error_description: string }).error_description).toMatch(/application\/json/);
  });

  test('path patterns: * within a segment, ** across', () => {
    expect(compilePathPattern('/register/*').test('/register/abc')).toBe(true);
    expect(compilePathPattern('/register/*').test('/register/a/b')).toBe(false);
    expect(compilePathPattern('/**').test('/register/a/b')).toBe(true);
    expect(compilePathPattern('/a.b').test('/axb')).toBe(false);
  });
});

describe('admin: one client', () => {
  test('DELETE /__admin/clients/{id} removes it; unknown ids answer 404', async () => {
    const res = await register();
    const id = (res.json as { client_id: string }).client_id;
    expect((await admin(`/clients/${id}`, 'DELETE')).status).toBe(204);
    expect((await admin(`/clients/${id}`)).status).toBe(404);
    expect((await admin(`/clients/${id}`, 'DELETE')).status).toBe(404);
  });

  test('GET /__admin/rules names every rule with its title', async () => {
    const res = await admin('/rules');
    expect((res.json as { rules: Record<string, { title: string }> }).rules['REQ-REDIRECT-SUBSET']!.title).toMatch(/SSA software_redirect_uris/);
  });
});

describe('the journal records the rules a management request was checked against', () => {
  test('GET with the own token: every bearer rule passed; with another client\'s token: MGT-CLIENT-MATCH failed after the rest passed', async () => {
    const { getToken, manageClient, registerClient } = await import('../../fixtures/token');
    const a = await registerClient(tpp, 'tls_client_auth');
    const b = await registerClient(tpp, 'tls_client_auth');
    expect((await manageClient(bank, 'GET', a.client_id, await getToken(bank, a))).status).toBe(200);
    const own = (await journal()).filter((e) => e.path === `/register/${a.client_id}`).at(-1)!;
    expect(Object.fromEntries(own.rules!.map((c) => [c.rule, c.verdict]))).toEqual({
      'MGT-BEARER-REQUIRED': 'pass', 'MGT-TOKEN-VALID': 'pass', 'MGT-TOKEN-CERT-BOUND': 'pass', 'MGT-UNKNOWN-CLIENT': 'pass', 'MGT-CLIENT-MATCH': 'pass',
    });
    expect((await manageClient(bank, 'DELETE', b.client_id, await getToken(bank, a))).status).toBe(403);
    const cross = (await journal()).filter((e) => e.path === `/register/${b.client_id}`).at(-1)!;
    expect(cross.rule).toBe('MGT-CLIENT-MATCH');
    expect(Object.fromEntries(cross.rules!.map((c) => [c.rule, c.verdict]))).toEqual({
      'MGT-BEARER-REQUIRED': 'pass', 'MGT-TOKEN-VALID': 'pass', 'MGT-TOKEN-CERT-BOUND': 'pass', 'MGT-UNKNOWN-CLIENT': 'pass', 'MGT-CLIENT-MATCH': 'fail',
    });
  });
});

describe('the journal records the rules a token request was checked against', () => {
  test('granted with tls_client_auth: the format, grant, client authentication, certificate and DN rules passed; a replayed assertion: the assertion rules up to the replay passed', async () => {
    const { clientAssertion, requestToken, registerClient } = await import('../../fixtures/token');
    const tls = await registerClient(tpp, 'tls_client_auth');
    expect((await requestToken(bank, tls)).status).toBe(200);
    const granted = (await journal()).filter((e) => e.path === bank.urls.token.replace(bank.url, '')).at(-1)!;
    expect(Object.fromEntries(granted.rules!.map((c) => [c.rule, c.verdict]))).toMatchObject({
      'TOKEN-REQUEST-FORMAT': 'pass', 'TOKEN-GRANT-TYPE': 'pass', 'TOKEN-CLIENT-AUTH': 'pass', 'TLS-CERT-REQUIRED': 'pass', 'TLS-CERT-TRUSTED': 'pass', 'TOKEN-TLS-DN': 'pass', 'TOKEN-SCOPE': 'pass',
    });
    const pk = await registerClient(tpp, 'private_key_jwt');
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: pk.client_id, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await clientAssertion(bank, pk) }).toString();
    const send = () => httpsRequest(bank.urls.token, { method: 'POST', ca: bank.ca, client: { cert: bank.tpp.cert, key: bank.tpp.key }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect((await send()).status).toBe(200);
    expect(refusal(await send()).rule).toBe('TOKEN-ASSERTION-REPLAY');
    const replay = (await journal()).filter((e) => e.path === bank.urls.token.replace(bank.url, '')).at(-1)!;
    expect(replay.rule).toBe('TOKEN-ASSERTION-REPLAY');
    expect(Object.fromEntries(replay.rules!.map((c) => [c.rule, c.verdict]))).toEqual({
      'TOKEN-REQUEST-FORMAT': 'pass', 'TOKEN-GRANT-TYPE': 'pass', 'TOKEN-CLIENT-AUTH': 'pass', 'TOKEN-ASSERTION-ALG': 'pass', 'TOKEN-ASSERTION-SIGNATURE': 'pass', 'TOKEN-ASSERTION-CLAIMS': 'pass', 'TOKEN-ASSERTION-REPLAY': 'fail',
    });
  });
});
