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
    // The registration JWT is kept unsigned; reading it still decodes header and claims.
    expect(stored.filter((e) => e.path === '/register' && e.status === 201).map((e) => e.request?.jwt)).toContain(jwt.slice(0, jwt.lastIndexOf('.') + 1));
    expect(stored.find((e) => e.request?.body)?.request?.body).toBe('(not a compact JWS: 32 bytes, not kept)');
    const read = (await admin('/journal')).json as { entries: Array<{ status: number; path: string; request?: { jwt?: { claims?: { iss?: string } } } }> };
    expect(read.entries.find((e) => e.path === '/register' && e.status === 201)?.request?.jwt?.claims?.iss).toBe(tpp.softwareId);
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
