/**
 * Two instances of one bank on one Redis (STORE_URL) behave as one bank: register on A and
 * GET/PUT/DELETE on B; a replay across instances is refused; a DELETE on A revokes tokens on B.
 * And Redis down: a clear 503 with Retry-After, nothing half-written; back, the bank recovers.
 */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { generateBundle, type CertBundle } from '../../../mock-server/tls/certs';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { getToken, manageClient, registerClient } from '../../../fixtures/token';
import { httpsRequest } from '../../../fixtures/https';
import type { OutboxEntry } from '../../../mock-server/mail/outbox';
import { describeRedis, removeRedis, startRedis, type TestRedis } from '../../helpers/redis-server';

let redis: TestRedis;
let certs: CertBundle;
let directory: MockBank;
let a: MockBank;
let b: MockBank;
let tpp: TestTpp;

describeRedis('two instances of one bank on Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
    certs = await generateBundle();
    directory = await startMockBank({ role: 'directory', certs, storeUrl: redis.url, logLevel: 'error' });
    a = await startMockBank({ certs, storeUrl: redis.url, directoryUrl: directory.url, logLevel: 'error' });
    b = await startMockBank({ certs, storeUrl: redis.url, directoryUrl: directory.url, logLevel: 'error' });
    tpp = await createTpp(a);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await directory?.close();
    await removeRedis(redis);
  });

  test('register on A; GET, PUT and DELETE on B', async () => {
    const client = await registerClient(tpp, 'private_key_jwt');
    const token = await getToken(a, client);
    const got = await manageClient(b, 'GET', client.client_id, token);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(client.body);
    const put = await manageClient(b, 'PUT', client.client_id, token, {
      body: await tpp.sign(tpp.claims({ aud: b.config.bankOrgId, client_id: client.client_id, tls_client_auth_subject_dn: undefined, redirect_uris: [tpp.redirectUris[1]] }, { authMethod: 'private_key_jwt' })),
    });
    expect([put.status, put.text]).toEqual([200, expect.any(String)]);
    expect((await manageClient(a, 'GET', client.client_id, token)).json).toMatchObject({ redirect_uris: [tpp.redirectUris[1]] });
    expect((await manageClient(b, 'DELETE', client.client_id, token)).status).toBe(204);
    expect((await manageClient(a, 'GET', client.client_id, token)).status).toBe(401);
    expect(await a.store.getClient(client.client_id)).toBeUndefined();
  });

  test('the outbox is shared: a mail kept by A, its delivery state changed on A, is read from B; a clear on B empties A\'s', async () => {
    const entry: OutboxEntry = { id: `mail-${Date.now()}`, time: new Date().toISOString(), from: 'bank@a', to: 'tpp@example.com', subject: 'TPP registration', result: { ok: true }, text: 'x', delivery: { status: 'pending', attempts: 1 } };
    a.outbox.add(entry);
    const seen = async (bank: MockBank) => {
      for (let i = 0; i < 50; i++) {
        const e = (await bank.outbox.list()).find((x) => x.id === entry.id);
        if (e && e.delivery.status === entry.delivery.status) return e;
        await new Promise((r) => setTimeout(r, 20));
      }
      return (await bank.outbox.list()).find((x) => x.id === entry.id);
    };
    expect(await seen(b)).toMatchObject({ id: entry.id, delivery: { status: 'pending' } });
    entry.delivery = { status: 'sent', attempts: 1 };
    a.outbox.save(entry);
    expect(await seen(b)).toMatchObject({ id: entry.id, delivery: { status: 'sent' } });
    const admin = await httpsRequest(`${b.url}/__admin/outbox`, { ca: b.ca });
    expect((admin.json as { entries: Array<{ id: string }> }).entries.map((e) => e.id)).toContain(entry.id);
    await b.outbox.clear();
    expect(await a.outbox.list()).toEqual([]);
  });

  test('a registration JWT accepted by A is a replay at B', async () => {
    const jwt = await tpp.sign(tpp.claims({ aud: a.config.bankOrgId }));
    expect((await tpp.register(jwt)).status).toBe(201);
    const atB = await httpsRequest(b.urls.register, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jwt, ca: b.ca, client: tpp.transport });
    expect(atB.status).toBe(400);
    expect(atB.text).toMatch(/jti|replay/i);
  });

  test("a DELETE on A revokes the client's tokens on B", async () => {
    const client = await registerClient(tpp, 'private_key_jwt');
    const t1 = await getToken(a, client);
    const t2 = await getToken(b, client);
    expect((await manageClient(b, 'GET', client.client_id, t1)).status).toBe(200);
    expect((await manageClient(a, 'DELETE', client.client_id, t2)).status).toBe(204);
    expect((await manageClient(b, 'GET', client.client_id, t1)).status).toBe(401);
    expect((await manageClient(b, 'GET', client.client_id, t2)).status).toBe(401);
  });

  test('the journal is shared: both instances list the same requests', async () => {
    const ja = await httpsRequest(`${a.url}/__admin/journal`, { ca: a.ca, client: tpp.transport });
    const jb = await httpsRequest(`${b.url}/__admin/journal`, { ca: b.ca, client: tpp.transport });
    expect(ja.status).toBe(200);
    expect((ja.json as { entries: unknown[] }).entries.length).toBeGreaterThan(3);
    expect((jb.json as { entries: unknown[] }).entries.length).toBe((ja.json as { entries: unknown[] }).entries.length);
  });

  test('Redis down: 503 temporarily_unavailable with Retry-After and no client written; back, registrations succeed again', async () => {
    const before = (await a.store.listClients()).length;
    await redis.stop('SIGKILL');
    try {
      const res = await tpp.register(await tpp.sign(tpp.claims()));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.json).toMatchObject({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/STORE_URL|Redis/) });
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 10_000;
    let again;
    do {
      await new Promise((r) => setTimeout(r, 100));
      again = await tpp.register(await tpp.sign(tpp.claims()));
    } while (again.status === 503 && Date.now() < deadline);
    // The server was not durable (appendonly no): a restart empties it; what matters is nothing half-written and recovery.
    expect(again.status).toBe(201);
    expect((await b.store.listClients()).length).toBeLessThanOrEqual(before + 1);
  });
}, { needsBinary: true });

describeRedis('two instances of one bank behind one URL, each with its built-in directory, on Redis', () => {
  let r: TestRedis;
  let one: MockBank;
  let two: MockBank;
  beforeAll(async () => {
    r = await startRedis();
    const bundle = await generateBundle();
    // Behind one public URL (a load balancer, here one nothing answers on): SSAs name one directory, and
    // neither instance can fetch the other's software JWKS over the network: only the shared store has it.
    one = await startMockBank({ certs: bundle, storeUrl: r.url, publicUrl: 'https://localhost:9', logLevel: 'error' });
    two = await startMockBank({ certs: bundle, storeUrl: r.url, publicUrl: 'https://localhost:9', logLevel: 'error' });
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await removeRedis(r);
  });

  test('an SSA minted by the first instance after the second started registers at the second', async () => {
    const tpp2 = await createTpp(one);
    const jwt = await tpp2.sign(tpp2.claims());
    const atTwo = await httpsRequest(two.urls.register.replace('https://localhost:9', `https://localhost:${two.port}`), { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jwt, ca: two.ca, client: tpp2.transport });
    expect([atTwo.status, atTwo.text.slice(0, 200)]).toEqual([201, expect.any(String)]);
  });
});
