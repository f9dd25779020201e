/**
 * The wso2 profile against seed 002 (WSO2 Open Banking accelerator "Tryout" for DCR), over real
 * HTTPS with mTLS. The seed's own requests are replayed: its decoded claims, re-signed with the
 * test software key, with the test SSA (same software_id and redirect URIs) and aud = this bank.
 */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { httpsRequest, refusal } from '../../../fixtures/https';
import { clientAssertion, manageClient, tokenRequest, type RegisteredClient } from '../../../fixtures/token';
import { JWT_BEARER_ASSERTION } from '../../../mock-server/core/token';
import * as seed from '../../../fixtures/seed-samples/wso2';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank({ profile: 'wso2' });
  tpp = await createTpp(bank, {
    software_id: seed.registrationClaims.iss,
    software_redirect_uris: [...seed.registrationClaims.redirect_uris],
    software_roles: [...seed.registrationSsaClaims.software_roles],
    org_name: seed.registrationSsaClaims.org_name,
    software_client_name: seed.registrationSsaClaims.software_client_name,
  });
});
afterAll(() => bank.close());

/** The seed's registration claims with the test SSA, a fresh iat and jti, and this bank as aud; exp stays 2147483646. */
function seedClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const c: Record<string, unknown> = {
    ...structuredClone(seed.registrationClaims),
    software_statement: tpp.minted.software_statement,
    aud: bank.issuer,
    iat: Math.floor(Date.now() / 1000),
    jti: crypto.randomUUID().replaceAll('-', ''),
    ...overrides,
  };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete c[k];
  return c;
}

const register = async (claims: Record<string, unknown>, contentType = 'application/jwt') =>
  tpp.register(await tpp.sign(claims), { contentType });

async function registered(): Promise<RegisteredClient> {
  const res = await register(seedClaims());
  if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
  const body = res.json as Record<string, unknown>;
  return { client_id: body.client_id as string, method: 'private_key_jwt', key: tpp.key, transport: tpp.transport, body };
}

/** "Generate an application access token using Client Credentials grant": the seed's form, private_key_jwt and client_id. */
async function seedToken(client: RegisteredClient, scope = 'accounts openid') {
  return tokenRequest(
    bank,
    {
      grant_type: 'client_credentials',
      scope,
      client_assertion: await clientAssertion(bank, client),
      client_assertion_type: JWT_BEARER_ASSERTION,
      redirect_uri: seed.registrationClaims.redirect_uris[0],
      client_id: client.client_id,
    },
    { transport: client.transport },
  );
}
async function accessToken(client: RegisteredClient): Promise<string> {
  const res = await seedToken(client);
  return (res.json as { access_token: string }).access_token;
}

describe('wso2: register an application (POST /open-banking/0.1/register)', () => {
  test('the seed\'s request, re-signed: 201 with the sample response\'s fields, in order, client_id_issued_at a string', async () => {
    const res = await register(seedClaims());
    expect(res.status).toBe(201);
    expect(new URL(bank.urls.register).pathname).toBe('/open-banking/0.1/register');
    const body = res.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(Object.keys(seed.registrationResponse));
    expect(typeof body.client_id).toBe('string');
    expect(body.client_id_issued_at).toMatch(/^\d+$/);
    const { client_id: _c, client_id_issued_at: _i, software_statement: _s, ...documented } = seed.registrationResponse;
    expect(body).toMatchObject(documented);
    expect(body.software_statement).toBe(tpp.minted.software_statement);
  });

  test('a secret-based method is answered with client_secret and client_secret_expires_at after the sample fields', async () => {
    const res = await register(seedClaims({ token_endpoint_auth_method: 'client_secret_basic', token_endpoint_auth_signing_alg: undefined }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.json as object)).toEqual([...Object.keys(seed.registrationResponse), 'client_secret', 'client_secret_expires_at']);
  });

  test('exp 2147483646 (2038) is within the profile\'s request lifetime; a later one is not', async () => {
    expect((await register(seedClaims())).status).toBe(201);
    const res = await register(seedClaims({ exp: Math.floor(Date.now() / 1000) + 25 * 365 * 86_400 }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-EXP-RANGE' });
  });

  test('the grant type urn:ietf:params:oauth:grant-type:jwt-bearer is accepted, urn:openid:params:grant-type:ciba is not', async () => {
    expect((await register(seedClaims({ grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'client_credentials'] }))).status).toBe(201);
    const res = await register(seedClaims({ grant_types: ['urn:openid:params:grant-type:ciba'] }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-GRANT-TYPES' });
  });

  test('aud is the bank\'s issuer: the seed\'s https://secure.api.dataholder.com/issuer names another bank', async () => {
    const res = await register(seedClaims({ aud: seed.registrationClaims.aud }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-AUD' });
  });

  test('Content-Type application/jwt, as in the seed\'s curl; application/jose is refused', async () => {
    const res = await register(seedClaims(), 'application/jose');
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'HTTP-CONTENT-TYPE' });
  });

  test('the transport certificate is required (--cert / --key in the seed)', async () => {
    const res = await tpp.register(await tpp.sign(seedClaims()), { contentType: 'application/jwt', client: null });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-REQUIRED' });
  });

  test('the seed\'s JWT as published is refused: its SSA issuer "OpenBanking Ltd" is not a directory this mock trusts', async () => {
    const res = await tpp.register(seed.registrationJwt, { contentType: 'application/jwt' });
    expect(refusal(res)).toEqual({ status: 400, error: 'unapproved_software_statement', rule: 'SSA-ISSUER' });
  });
});

describe('wso2: the application access token (POST /oauth2/token)', () => {
  test('client_credentials with the seed\'s form: client_assertion (private_key_jwt), client_id, scope "accounts openid"', async () => {
    const client = await registered();
    const res = await seedToken(client);
    expect(res.status).toBe(200);
    expect(new URL(bank.urls.token).pathname).toBe('/oauth2/token');
    expect(res.json).toMatchObject({ token_type: 'Bearer', scope: 'accounts openid' });
  });

  test('a scope neither registered nor openid is refused', async () => {
    const res = await seedToken(await registered(), 'payments');
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_scope', rule: 'TOKEN-SCOPE' });
  });
});

describe('wso2: retrieve, update and delete an application (/open-banking/0.1/register/{ClientId})', () => {
  test('GET with the application access token: 200 with the sample response\'s fields', async () => {
    const client = await registered();
    const res = await manageClient(bank, 'GET', client.client_id, await accessToken(client));
    expect(res.status).toBe(200);
    expect(Object.keys(res.json as object)).toEqual(Object.keys(seed.getResponse));
    expect(res.json).toEqual(client.body);
  });

  test('PUT with all the claims, some changed: 200 with the sample response\'s fields and the change', async () => {
    const client = await registered();
    const token = await accessToken(client);
    const body = await tpp.sign(seedClaims({ scope: 'accounts payments', redirect_uris: [seed.registrationClaims.redirect_uris[1]] }));
    const res = await manageClient(bank, 'PUT', client.client_id, token, { body, contentType: 'application/jwt' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json as object)).toEqual(Object.keys(seed.updateResponse));
    expect(res.json).toMatchObject({ client_id: client.client_id, client_id_issued_at: client.body.client_id_issued_at, scope: 'accounts payments', redirect_uris: [seed.registrationClaims.redirect_uris[1]] });
  });

  test('PUT with a refused change: an error payload', async () => {
    const client = await registered();
    const body = await tpp.sign(seedClaims({ redirect_uris: ['https://elsewhere.example.com/cb'] }));
    const res = await manageClient(bank, 'PUT', client.client_id, await accessToken(client), { body, contentType: 'application/jwt' });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_redirect_uri', rule: 'REQ-REDIRECT-SUBSET' });
  });

  test.each(['GET', 'PUT', 'DELETE'] as const)('%s on an unknown Client ID: 401 Unauthorized', async (method) => {
    const client = await registered();
    const opts = method === 'PUT' ? { body: await tpp.sign(seedClaims()), contentType: 'application/jwt' } : {};
    const res = await manageClient(bank, method, 'CVY8RUWT3XVHAlRV_ZiA0dlB2Owa', await accessToken(client), opts);
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-UNKNOWN-CLIENT' });
  });

  test('DELETE: 204 No Content; the application and its tokens are gone', async () => {
    const client = await registered();
    const token = await accessToken(client);
    const res = await manageClient(bank, 'DELETE', client.client_id, token);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await manageClient(bank, 'GET', client.client_id, token)).status).toBe(401);
  });
});

describe('wso2: discovery', () => {
  test('served at /oauth2/token/.well-known/openid-configuration (the seed\'s Key Manager well-known URL) and the root', async () => {
    for (const path of ['/oauth2/token/.well-known/openid-configuration', '/.well-known/openid-configuration']) {
      const res = await httpsRequest(`${bank.url}${path}`, { ca: bank.ca });
      expect(res.json).toMatchObject({
        registration_endpoint: `${bank.url}/open-banking/0.1/register`,
        token_endpoint: `${bank.url}/oauth2/token`,
        jwks_uri: `${bank.url}/oauth2/jwks`,
      });
      // Registration accepts the jwt-bearer grant, but /token serves client_credentials only: discovery says so.
      expect(res.json).toMatchObject({ grant_types_supported: ['client_credentials'] });
      expect(res.json).not.toHaveProperty('authorization_endpoint');
    }
  });
});
