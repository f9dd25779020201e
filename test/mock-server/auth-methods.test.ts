/** AUTH_METHODS: a bank offering fewer token_endpoint_auth_methods than its profile, in discovery, registration and /token. */
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { basicAuth, registerClient, requestToken, tokenRequest } from '../../fixtures/token';
import { httpsRequest, refusal } from '../../fixtures/https';

describe('AUTH_METHODS=private_key_jwt on obie', () => {
  let bank: MockBank;
  let tpp: TestTpp;
  beforeAll(async () => {
    bank = await startMockBank({ authMethods: ['private_key_jwt'] });
    tpp = await createTpp(bank);
  });
  afterAll(() => bank.close());

  test('discovery advertises only that method', async () => {
    const res = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
    expect(res.json).toMatchObject({ token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    expect(bank.profile.registration.authMethods).toEqual(['private_key_jwt']);
  });

  test('registration accepts it and refuses the others', async () => {
    const ok = await registerClient(tpp, 'private_key_jwt');
    expect((await requestToken(bank, ok)).status).toBe(200);
    for (const m of ['tls_client_auth', 'client_secret_basic', 'client_secret_post'] as const) {
      const res = await tpp.register(await tpp.sign(tpp.claims(m === 'tls_client_auth' ? {} : { tls_client_auth_subject_dn: undefined }, { authMethod: m })));
      expect([m, refusal(res)]).toEqual([m, { status: 400, error: 'invalid_client_metadata', rule: 'REQ-AUTH-METHOD' }]);
    }
  });

  test('the token endpoint refuses a method not offered, even for a client registered with it', async () => {
    // A client registered before the narrowing (put straight into the store).
    const template = await registerClient(tpp, 'private_key_jwt');
    const record = (await bank.store.getClient(template.client_id))!;
    await bank.store.createClient({ ...record, client_id: 'legacy-basic', client_secret: 'legacy-secret', client_secret_expires_at: 0, metadata: { ...record.metadata, token_endpoint_auth_method: 'client_secret_basic' } });
    const res = await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp, headers: { authorization: basicAuth('legacy-basic', 'legacy-secret') } });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-CLIENT-AUTH' });
    expect((res.json as { error_description: string }).error_description).toContain('client_secret_basic is not offered by this bank (offered: private_key_jwt)');
    const unknown = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: 'nobody' }, { transport: bank.tpp });
    expect(unknown.headers['www-authenticate']).toBe('private_key_jwt realm="token"');
  });
});

describe('AUTH_METHODS on cpb-sandbox (a profile with a default method)', () => {
  test('the default narrowed away becomes the method left; the portal application keeps its Basic token', async () => {
    const bank = await startMockBank({ profile: 'cpb-sandbox', authMethods: ['private_key_jwt'] });
    try {
      expect(bank.profile.registration).toMatchObject({ authMethods: ['private_key_jwt'], defaultAuthMethod: 'private_key_jwt' });
      const res = await tokenRequest(bank, { grant_type: 'client_credentials' }, { headers: { authorization: basicAuth(bank.portal!.client_id, bank.portal!.client_secret) } });
      expect(res.status).toBe(200);
    } finally {
      await bank.close();
    }
  });
});
