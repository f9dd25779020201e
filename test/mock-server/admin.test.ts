import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { basicAuth, clientAssertion, getToken, manageClient, registerClient, requestToken, tokenRequest } from '../../fixtures/token';
import { httpsRequest } from '../../fixtures/https';
import { JWT_BEARER_ASSERTION } from '../../mock-server/core/token';
import { adminEnabled, loadConfig, type MockBankConfig } from '../../mock-server/config';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank({ journalSize: 50 });
  tpp = await createTpp(bank);
});
afterAll(() => bank.close());

const admin = (path: string, method = 'GET') => httpsRequest(`${bank.url}/__admin${path}`, { method, ca: bank.ca });

describe('admin API', () => {
  test('lists and reads clients without their secrets', async () => {
    const c = await registerClient(tpp, 'client_secret_basic');
    const list = await admin('/clients');
    expect(list.status).toBe(200);
    const ids = (list.json as { clients: Array<{ client_id: string }> }).clients.map((x) => x.client_id);
    expect(ids).toContain(c.client_id);
    const one = await admin(`/clients/${c.client_id}`);
    expect(one.json).toMatchObject({ client_id: c.client_id, has_client_secret: true });
    expect(one.text).not.toContain(c.client_secret!);
    expect((await admin('/clients/unknown')).status).toBe(404);
  });

  test('the journal records status and rule, and never secrets, assertion signatures, tokens or Authorization values', async () => {
    const sec = await registerClient(tpp, 'client_secret_basic');
    const token = await getToken(bank, sec);
    await manageClient(bank, 'GET', sec.client_id, token);
    const post = await registerClient(tpp, 'client_secret_post');
    await tokenRequest(bank, { grant_type: 'client_credentials', client_id: post.client_id, client_secret: 'wrong-secret-value' }, { transport: bank.tpp });
    const pkj = await registerClient(tpp, 'private_key_jwt');
    const assertion = await clientAssertion(bank, pkj);
    await tokenRequest(bank, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });
    await requestToken(bank, post);

    const res = await admin('/journal');
    const { entries } = res.json as { entries: Array<Record<string, unknown>> };
    const text = res.text;
    for (const secret of [sec.client_secret!, post.client_secret!, 'wrong-secret-value', token, assertion.split('.')[2]!, Buffer.from(`${sec.client_id}:`).toString('base64').slice(0, 20)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/"d":"/);
    const refused = entries.find((e) => e.status === 401 && e.rule === 'TOKEN-SECRET');
    expect(refused).toMatchObject({ method: 'POST', path: '/token', request: { form: { client_secret: '[redacted]' } } });
    const registration = entries.find((e) => e.path === '/register' && e.status === 201) as { request: { jwt: { header: { alg: string }; claims: { software_statement: { claims: unknown } } } } };
    expect(registration.request.jwt.header.alg).toBe('PS256');
    expect(registration.request.jwt.claims.software_statement.claims).toMatchObject({ software_id: tpp.softwareId });
    const withAssertion = entries.find((e) => (e.request as { form?: { client_assertion?: unknown } })?.form?.client_assertion) as { request: { form: { client_assertion: { claims: { iss: string } } } } };
    expect(withAssertion.request.form.client_assertion.claims.iss).toBe(pkj.client_id);
    const get = entries.find((e) => e.method === 'GET' && (e.path as string).startsWith('/register/'));
    expect(get).toMatchObject({ status: 200, request: { authorization: 'Bearer [redacted]' } });
  });

  test('the journal is redacted as it is written: the stored entries hold no credential', async () => {
    await admin('/clients', 'DELETE');
    const sec = await registerClient(tpp, 'client_secret_basic');
    const jwt = await tpp.sign(tpp.claims());
    expect((await tpp.register(jwt)).status).toBe(201);
    const bare = 'bare-credential-without-scheme-42';
    await httpsRequest(`${bank.urls.register}/${sec.client_id}`, { ca: bank.ca, client: bank.tpp, headers: { authorization: bare, cookie: 'session=cookie-secret-value-7' } });
    await httpsRequest(`${bank.urls.register}/${sec.client_id}`, { ca: bank.ca, client: bank.tpp, headers: { authorization: `Bearer,${bare}x` } });
    const basic = basicAuth(sec.client_id, sec.client_secret!);
    await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp, headers: { authorization: basic, cookie: 'session=cookie-secret-value-7' } });
    await tokenRequest(bank, { grant_type: 'client_credentials', client_id: sec.client_id, client_secret: 'posted-secret-value-9' }, { transport: bank.tpp });
    await tokenRequest(bank, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'opaque-assertion-value-123' });
    await tokenRequest(bank, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'eyJhbGciOiJSU0EifQ.a2V5.aXY.Y2lwaGVydGV4dA.dGFn' });
    await tpp.register('client_secret=text-body-secret-5', { contentType: 'application/jwt' });

    // An entry is written when the response finishes, which may be just after the client has read it.
    await new Promise((r) => setTimeout(r, 100));
    const stored = await bank.store.listJournal();
    const text = JSON.stringify(stored);
    for (const secret of [bare, 'cookie-secret-value-7', basic.slice(6), sec.client_secret!, 'posted-secret-value-9', 'opaque-assertion-value-123', 'Y2lwaGVydGV4dA', 'text-body-secret-5', jwt.split('.')[2]!]) {
      expect(text).not.toContain(secret);
    }
    const auths = stored.map((e) => e.request?.authorization).filter(Boolean);
    expect(auths).toEqual(expect.arrayContaining(['[redacted]', 'Basic [redacted]']));
    expect(auths.every((a) => a === '[redacted]' || a === 'Basic [redacted]' || a === 'Bearer [redacted]')).toBe(true);
    // The registration JWT is kept decoded, without its signature, and the entry says so.
    const kept = stored.find((e) => e.path === '/register' && e.status === 201 && (e.request?.jwt as { claims?: { jti?: string } })?.claims?.jti === tpp.claims().jti);
    expect(stored.filter((e) => e.path === '/register' && e.status === 201).every((e) => e.redacted?.includes('request.jwt.signature'))).toBe(true);
    expect(kept === undefined || typeof kept.request?.jwt === 'object').toBe(true);
    expect(stored.find((e) => e.request?.body)?.request?.body).toBe('(not a compact JWS: 32 bytes, not kept)');
    const read = (await admin('/journal')).json as { entries: Array<{ status: number; path: string; request?: { jwt?: { claims?: { iss?: string } } } }> };
    expect(read.entries.find((e) => e.path === '/register' && e.status === 201)?.request?.jwt?.claims?.iss).toBe(tpp.softwareId);
  });

  // Issue 24: an attacker reading /__admin/journal (also with ?limit=-1) found private JWK members.
  test('the journal redacts by structure wherever a secret sits, and names what it redacted', async () => {
    await admin('/clients', 'DELETE');
    const mint = await httpsRequest(`${bank.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', ca: bank.ca });
    const key = (mint.json as { signing_key: Record<string, string>; software_secret: string });
    expect(key.signing_key.d).toBeDefined();
    const jwk = { kty: 'RSA', n: 'bm4', e: 'AQAB', d: 'private-d-member-1', p: 'private-p-member-2', q: 'private-q-member-3', dp: 'private-dp-4', dq: 'private-dq-5', qi: 'private-qi-6' };
    const bareKey = { n: 'bm4', e: 'AQAB', d: 'private-d-without-kty-7' };
    const jws = (header: object, claims: object, sig = 'c2lnbmF0dXJlLXNob3VsZC1nbw') => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const nested = jws({ alg: 'PS256', jwk }, { iss: 'x', software_statement: jws({ alg: 'PS256' }, { jwks: { keys: [bareKey] }, note: 'Bearer bearer-in-claim-8' }) });
    await httpsRequest(`${bank.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jwks: { keys: [jwk] }, x: { deep: [bareKey] }, y: JSON.stringify({ k: 'oct-key-9', kty: 'oct' }) }), ca: bank.ca });
    await tokenRequest(bank, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: nested, extra: 'Basic YmFzaWMtaW4tZmllbGQ6MTA=' });
    await tpp.register(nested);
    // Sent as a form, a JWS is a field name: its signature goes too.
    await httpsRequest(bank.urls.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: nested, ca: bank.ca, client: bank.tpp });
    await new Promise((r) => setTimeout(r, 100));
    const secrets = [key.signing_key.d!, key.software_secret, 'private-d-member-1', 'private-p-member-2', 'private-q-member-3', 'private-dp-4', 'private-dq-5', 'private-qi-6', 'private-d-without-kty-7', 'bearer-in-claim-8', 'oct-key-9', 'YmFzaWMtaW4tZmllbGQ6MTA', 'c2lnbmF0dXJlLXNob3VsZC1nbw'];
    for (const stored of [JSON.stringify(await bank.store.listJournal()), (await admin('/journal')).text, (await admin('/journal?limit=5')).text]) {
      for (const secret of secrets) expect(stored).not.toContain(secret);
    }
    const { entries } = (await admin('/journal')).json as { entries: Array<{ path: string; status: number; redacted?: string[]; answer?: { signing_key?: Record<string, string> } }> };
    const minted = entries.find((e) => e.path === '/directory/ssa' && e.status === 201)!;
    expect(minted.answer?.signing_key).toMatchObject({ kty: expect.any(String), d: '[redacted]' });
    expect(minted.redacted).toEqual(expect.arrayContaining(['answer.signing_key.d', 'answer.software_secret', 'answer.software_statement.signature']));
    const refused = entries.find((e) => e.path === '/directory/ssa' && e.status === 400)!;
    expect(refused.redacted).toEqual(expect.arrayContaining(['request.form.jwks.keys[0].d', 'request.form.x.deep[0].d', 'request.form.y.k']));
    const token = entries.find((e) => e.path === '/token')!;
    expect(token.redacted).toEqual(expect.arrayContaining(['request.form.client_assertion.signature', 'request.form.client_assertion.header.jwk.d', 'request.form.extra',
      'request.form.client_assertion.claims.software_statement.claims.jwks.keys[0].d', 'request.form.client_assertion.claims.software_statement.claims.note']));
  });

  test.each(['-1', '0', 'NaN', '1.5', '1e3', 'abc', '', '99999999999999999999'])('?limit=%s is refused: 400 invalid_request naming what is accepted', async (limit) => {
    const res = await admin(`/journal?limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/whole number from 1 to 50/) });
  });

  test('?limit given twice is refused; ?limit=N answers the newest N; above JOURNAL_SIZE it is clamped', async () => {
    expect((await admin('/journal?limit=1&limit=2')).status).toBe(400);
    for (let i = 0; i < 3; i++) await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
    const all = ((await admin('/journal')).json as { entries: Array<{ interaction_id: string }> }).entries;
    const two = (await admin('/journal?limit=2')).json as { limit: number; entries: Array<{ interaction_id: string }> };
    expect(two.limit).toBe(2);
    expect(two.entries.map((e) => e.interaction_id)).toEqual(all.slice(-2).map((e) => e.interaction_id));
    expect(((await admin('/journal?limit=1000000')).json as { limit: number }).limit).toBe(50);
  });

  test('the journal is bounded by JOURNAL_SIZE', async () => {
    for (let i = 0; i < 60; i++) await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
    const { entries } = (await admin('/journal')).json as { entries: unknown[] };
    expect(entries).toHaveLength(50);
  });

  test('reset empties clients, tokens, jtis and the journal', async () => {
    const c = await registerClient(tpp, 'tls_client_auth');
    const token = await getToken(bank, c);
    const jwt = await tpp.sign(tpp.claims());
    expect((await tpp.register(jwt)).status).toBe(201);
    expect((await admin('/clients', 'DELETE')).status).toBe(204);
    expect((await admin('/clients')).json).toEqual({ clients: [] });
    expect((await admin('/journal')).json).toMatchObject({ entries: [] });
    expect(await bank.store.getClient(c.client_id)).toBeUndefined();
    const { tokenHash } = await import('../../mock-server/core/token');
    expect(await bank.store.getToken(tokenHash(token))).toBeUndefined();
    expect((await tpp.register(jwt)).status).toBe(201); // the jti was forgotten
  });
});

describe('admin API: when it is on', () => {
  const cfg = (host: string, admin?: boolean) => ({ host, ...(admin === undefined ? {} : { admin }) }) as Pick<MockBankConfig, 'host' | 'admin'>;
  test('on by default only on a loopback bind address; ADMIN_API decides when set', () => {
    expect(adminEnabled(cfg('127.0.0.1'))).toBe(true);
    expect(adminEnabled(cfg('::1'))).toBe(true);
    expect(adminEnabled(cfg('0.0.0.0'))).toBe(false);
    expect(adminEnabled(cfg('0.0.0.0', true))).toBe(true);
    expect(adminEnabled(cfg('127.0.0.1', false))).toBe(false);
    const fromEnv = loadConfig({ ADMIN_API: 'false', JOURNAL_SIZE: '10' }, []);
    expect(fromEnv).toMatchObject({ admin: false, journalSize: 10 });
    expect(() => loadConfig({ ADMIN_API: 'yes' }, [])).toThrow(/ADMIN_API/);
  });

  test('ADMIN_API=false: /__admin answers 404', async () => {
    const off = await startMockBank({ admin: false });
    try {
      expect((await httpsRequest(`${off.url}/__admin/clients`, { ca: off.ca })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
