/** The obie-3.1 profile: OBIE DCR v3.1 claim names and shapes, over real HTTPS with mTLS. */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { refusal } from '../../../fixtures/https';
import { getToken, manageClient, type RegisteredClient } from '../../../fixtures/token';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank({ profile: 'obie-3.1' });
  tpp = await createTpp(bank, { software_id: 'Abc123Def456Ghi789' }); // 18 characters, the v3.1 maximum
});
afterAll(() => bank.close());

const claims = (overrides: Record<string, unknown> = {}) => tpp.claims(overrides, { version: '3.1' });
const register = async (c: Record<string, unknown>, contentType = 'application/jwt') => tpp.register(await tpp.sign(c), { contentType });

describe('obie-3.1: v3.1 claim names and shapes', () => {
  test('tls_client_auth_dn and scope as an array: 201, answered with the same v3.1 names and shapes', async () => {
    const res = await register(claims());
    expect(res.status).toBe(201);
    const body = res.json as Record<string, unknown>;
    expect(body.tls_client_auth_dn).toBe(bank.tpp.dn);
    expect(body).not.toHaveProperty('tls_client_auth_subject_dn');
    expect(body.scope).toEqual(['openid', 'accounts', 'payments']);
    expect(typeof body.client_id_issued_at).toBe('number');
  });

  test('GET answers the same v3.1 shape', async () => {
    const body = (await register(claims())).json as Record<string, unknown>;
    const client: RegisteredClient = { client_id: body.client_id as string, method: 'tls_client_auth', key: tpp.key, transport: tpp.transport, body };
    const res = await manageClient(bank, 'GET', client.client_id, await getToken(bank, client));
    expect(res.json).toEqual(body);
  });

  test('application/jwt only: application/jose is refused', async () => {
    const res = await register(claims(), 'application/jose');
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'HTTP-CONTENT-TYPE' });
  });

  test('the v3.2+ name tls_client_auth_subject_dn is not the v3.1 claim', async () => {
    const res = await register(claims({ tls_client_auth_dn: undefined, tls_client_auth_subject_dn: bank.tpp.dn }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-TLS-DN-PRESENCE' });
  });

  test('scope as a space-separated string is refused', async () => {
    const res = await register(claims({ scope: 'openid accounts' }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-SCOPE-FORMAT' });
  });

  test('iss longer than 18 characters is refused', async () => {
    const t = await createTpp(bank, { software_id: 'Abc123Def456Ghi789Jk' });
    const res = await t.register(await t.sign(t.claims({}, { version: '3.1' })), { contentType: 'application/jwt' });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-ISS-FORMAT' });
  });

  test('the v3.3 CIBA grant type is not a v3.1 one', async () => {
    const res = await register(claims({ grant_types: ['urn:openid:params:grant-type:ciba'] }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-GRANT-TYPES' });
  });
});
