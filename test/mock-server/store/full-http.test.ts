import { createHash } from 'node:crypto';
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { defaultStoreLimits } from '../../../mock-server/store/limits';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { clientAssertion, getToken, manageClient, registerClient, tokenRequest, type RegisteredClient } from '../../../fixtures/token';
import { JWT_BEARER_ASSERTION } from '../../../mock-server/core/token';

/** A full store as the routes answer it: 503 temporarily_unavailable with Retry-After, nothing forgotten. */
let bank: MockBank;
let tpp: TestTpp;
let a: RegisteredClient;
let b: RegisteredClient;

beforeAll(async () => {
  bank = await startMockBank({ storeLimits: { ...defaultStoreLimits, clients: 2, tokens: 1 } });
  tpp = await createTpp(bank);
  a = await registerClient(tpp, 'tls_client_auth');
  b = await registerClient(tpp, 'private_key_jwt');
});
afterAll(() => bank.close());

const hash = (t: string) => createHash('sha256').update(t).digest('base64url');

test('at the client limit a registration is 503 with Retry-After; the same request succeeds once there is room (its jti was released)', async () => {
  const jwt = await tpp.sign(tpp.claims());
  const full = await tpp.register(jwt);
  expect(full.status).toBe(503);
  expect(full.headers['retry-after']).toBe('60');
  expect(full.json).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringMatching(/clients is full.*STORE_MAX_CLIENTS/) });
  expect((await bank.store.listClients()).map((c) => c.client_id).sort()).toEqual([a.client_id, b.client_id].sort());

  const extra = await bank.store.getClient(a.client_id);
  await bank.store.deleteClient(a.client_id);
  const again = await tpp.register(jwt);
  expect(again.status).toBe(201);
  // Sent a third time, it is a replay as usual.
  await bank.store.deleteClient((again.json as { client_id: string }).client_id);
  expect((await tpp.register(jwt)).status).toBe(400);
  await bank.store.createClient(extra!);
});

test("at the token limit client B is refused 503 with Retry-After; client A's live token is not evicted and still works", async () => {
  const tokenA = await getToken(bank, a);
  const form = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: await clientAssertion(bank, b) };
  const refused = await tokenRequest(bank, form, { transport: b.transport });
  expect(refused.status).toBe(503);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
  expect((refused.json as { error: string }).error).toBe('temporarily_unavailable');
  expect((await manageClient(bank, 'GET', a.client_id, tokenA)).status).toBe(200);

  // Room again (A's token revoked): B's very same assertion is accepted, not refused as a replay.
  await bank.store.revokeToken(hash(tokenA));
  expect((await tokenRequest(bank, form, { transport: b.transport })).status).toBe(200);
});
