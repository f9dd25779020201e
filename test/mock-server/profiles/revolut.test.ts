/**
 * The revolut profile against seeds 000 / 001 ("Get a client ID"), over real HTTPS with mTLS.
 * One test per documented behaviour.
 */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { signingKey } from '../../../fixtures/keys';
import { signJws } from '../../../fixtures/registration';
import { httpsRequest, refusal } from '../../../fixtures/https';
import { getToken, manageClient, type RegisteredClient } from '../../../fixtures/token';
import { exampleResponse, responseFieldTypes } from '../../../fixtures/seed-samples/revolut';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank({ profile: 'revolut' });
  tpp = await createTpp(bank, { software_roles: ['AISP', 'PISP', 'CBPII'] });
});
afterAll(() => bank.close());

/** A v3.1 request as Revolut documents it: tls_client_auth_dn, scope a space-separated string. */
function claims(overrides: Record<string, unknown> = {}) {
  return tpp.claims({ scope: 'openid accounts payments', ...overrides }, { version: '3.1' });
}
const register = async (c: Record<string, unknown>, opts: Parameters<TestTpp['register']>[1] = {}) =>
  tpp.register(await tpp.sign(c), { contentType: 'application/jwt', ...opts });

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? 'array of strings' : 'array';
  return typeof v === 'number' ? 'numeric' : typeof v;
}

describe('revolut: POST /register (seed 000/001 "Request")', () => {
  test('POST /register with mTLS and an application/jwt body: 201 with the seed\'s fields, in its order, of its types', async () => {
    const c = claims();
    const res = await register(c);
    expect(res.status).toBe(201);
    expect(new URL(bank.urls.register).pathname).toBe('/register');
    const body = res.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(Object.keys(exampleResponse));
    for (const [field, type] of Object.entries(responseFieldTypes)) expect([field, typeOf(body[field])]).toEqual([field, type]);
    expect(body).toMatchObject({
      iss: c.iss,
      iat: c.iat,
      exp: c.exp,
      application_type: 'web',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_dn: bank.tpp.dn,
      software_statement: tpp.minted.software_statement,
      id_token_signed_response_alg: 'PS256',
      request_object_signing_alg: 'PS256',
      redirect_uris: c.redirect_uris,
      org_jwks_endpoint: tpp.minted.claims.org_jwks_endpoint,
      grant_types: c.grant_types,
      scope: 'openid accounts payments',
    });
  });

  test('the body must be application/jwt: application/jose is refused', async () => {
    const res = await register(claims(), { contentType: 'application/jose' });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'HTTP-CONTENT-TYPE' });
  });

  test('mTLS is required: no transport certificate, 401', async () => {
    const res = await register(claims(), { client: null });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-REQUIRED' });
  });

  test('tls_client_auth_dn must be the transport certificate DN', async () => {
    const res = await register(claims({ tls_client_auth_dn: 'CN=someone else,O=Other,C=GB' }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-TLS-DN-MATCH' });
  });
});

describe('revolut: "Currently, only tls_client_auth is supported"', () => {
  test.each(['private_key_jwt', 'client_secret_basic', 'client_secret_post'])('token_endpoint_auth_method %s is refused', async (method) => {
    const res = await register(claims({ token_endpoint_auth_method: method, tls_client_auth_dn: undefined, token_endpoint_auth_signing_alg: 'PS256' }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-AUTH-METHOD' });
  });

  test('the /token endpoint answers a tls_client_auth client_credentials request', async () => {
    const body = (await register(claims())).json as Record<string, unknown>;
    const client: RegisteredClient = { client_id: body.client_id as string, method: 'tls_client_auth', key: tpp.key, transport: tpp.transport, body };
    expect(typeof (await getToken(bank, client))).toBe('string');
  });
});

describe('revolut: "Currently, only PS256 is supported"', () => {
  test.each([
    ['id_token_signed_response_alg', 'ES256', 'REQ-ID-TOKEN-ALG'],
    ['id_token_signed_response_alg', 'RS256', 'REQ-ID-TOKEN-ALG'],
    ['request_object_signing_alg', 'ES256', 'REQ-REQUEST-OBJECT-ALG'],
    ['request_object_signing_alg', 'RS256', 'REQ-REQUEST-OBJECT-ALG'],
  ])('%s %s is refused', async (claim, alg, rule) => {
    const res = await register(claims({ [claim]: alg }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule });
  });

  test('a registration JWT signed ES256 is refused', async () => {
    const ec = await signingKey('ES256');
    const t = await createTpp(bank, { jwks: { keys: [ec.publicJwk] } });
    const res = await t.register(await signJws(t.claims({ scope: 'openid accounts' }, { version: '3.1' }), ec), { contentType: 'application/jwt' });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-ALG' });
  });
});

describe('revolut: scope "separated by spaces"; openid (required), accounts, payments, fundsconfirmations', () => {
  test('every supported scope together is granted as a space-separated string', async () => {
    const res = await register(claims({ scope: 'openid accounts payments fundsconfirmations' }));
    expect(res.status).toBe(201);
    expect((res.json as Record<string, unknown>).scope).toBe('openid accounts payments fundsconfirmations');
  });

  test('openid is required', async () => {
    const res = await register(claims({ scope: 'accounts payments' }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-SCOPE-REQUIRED' });
  });

  test('scope as an array is refused', async () => {
    const res = await register(claims({ scope: ['openid', 'accounts'] }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-SCOPE-FORMAT' });
  });

  test('a scope outside the four is refused', async () => {
    const res = await register(claims({ scope: 'openid accounts makepayment' }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-SCOPE-ROLES' });
  });
});

describe('revolut: discovery and what the seed does not document', () => {
  test('discovery advertises only tls_client_auth, PS256 and the four scopes', async () => {
    const res = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
    expect(res.json).toMatchObject({
      registration_endpoint: `${bank.url}/register`,
      token_endpoint_auth_methods_supported: ['tls_client_auth'],
      id_token_signing_alg_values_supported: ['PS256'],
      request_object_signing_alg_values_supported: ['PS256'],
      scopes_supported: ['openid', 'accounts', 'payments', 'fundsconfirmations'],
    });
  });

  test('GET /register/{ClientId} is not documented: 404', async () => {
    const res = await manageClient(bank, 'GET', 'any', 'token');
    expect(res.status).toBe(404);
  });
});
