/**
 * The cdr profile and the mock CDR Register over real HTTPS on 127.0.0.1: the Register's JWKS,
 * product load and SSA (iss cdr-register, PS256, 10 minutes, jti); registration at
 * /connect/register with ERR codes; one client per software_id; management with a certificate-bound
 * cdr:registration token; and the Register in the standalone directory, trusted by DIRECTORY_URL.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { generateBundle } from '../../../mock-server/tls/certs';
import { httpsRequest, type Credentials } from '../../../fixtures/https';
import { signingKey, type SigningKey } from '../../../fixtures/keys';
import { decodePayload, publicJwks, signJws } from '../../../fixtures/registration';
import { cdrRegistrationClaims } from '../../../fixtures/cdr';

const REDIRECT = 'https://adr.example.com/callback';
let bank: MockBank;
let key: SigningKey;
let tpp: Credentials;
let alt: Credentials;

beforeAll(async () => {
  [bank, key] = await Promise.all([startMockBank({ profile: 'cdr', logLevel: 'silent' }), signingKey('PS256')]);
  tpp = { cert: bank.tpp.cert, key: bank.tpp.key };
  alt = { cert: bank.altTpp.cert, key: bank.altTpp.key };
});
afterAll(() => bank.close());

const productUrl = (base: string, product = bank.tpp.software_id, brand = bank.tpp.org_id) => `${base}/cdr-register/v1/banking/data-recipients/brands/${brand}/software-products/${product}`;

async function ssaFrom(base: string, ca: string, product?: string): Promise<string> {
  const loaded = await httpsRequest(productUrl(base, product), { method: 'POST', ca, client: tpp, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT], jwks: publicJwks(key) }) });
  expect(loaded.status).toBe(201);
  const r = await httpsRequest(`${productUrl(base, product)}/ssa`, { ca, client: tpp });
  expect([r.status, r.headers['content-type']]).toEqual([200, expect.stringMatching(/^application\/jwt/)]);
  return r.text;
}

const claims = (ssa: string, o: Record<string, unknown> = {}) => ({ ...cdrRegistrationClaims({ softwareId: String(decodePayload(ssa).software_id), aud: bank.issuer, softwareStatement: ssa, redirectUris: [REDIRECT] }), ...o });
const register = async (body: string, on: MockBank = bank, method = 'POST', url = on.urls.register, token?: string) =>
  httpsRequest(url, { method, ca: on.ca, client: tpp, headers: { 'content-type': 'application/jwt', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
const code = (r: { json: unknown }) => `${(r.json as { error?: string }).error} ${String((r.json as { error_description?: string }).error_description ?? '').slice(0, 11)}`;

async function token(clientId: string, scope: string, on: MockBank = bank): Promise<string> {
  const assertion = await signJws({ iss: clientId, sub: clientId, aud: on.urls.token, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID() }, key);
  const r = await httpsRequest(on.urls.token, {
    method: 'POST', ca: on.ca, client: tpp, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }).toString(),
  });
  expect(r.status).toBe(200);
  return (r.json as { access_token: string }).access_token;
}

test('discovery advertises /connect/register, private_key_jwt and cdr:registration', async () => {
  const d = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
  expect(d.json).toMatchObject({ registration_endpoint: `${bank.url}/connect/register`, token_endpoint: `${bank.url}/connect/token`, token_endpoint_auth_methods_supported: ['private_key_jwt'], scopes_supported: expect.arrayContaining(['cdr:registration']) });
});

test('the Register: its JWKS verifies the SSA (PS256, iss cdr-register, exp 10 minutes after iat, a jti, the product JWKS hosted)', async () => {
  const ssa = await ssaFrom(bank.url, bank.ca);
  const jwks = (await httpsRequest(`${bank.url}/cdr-register/v1/jwks`, { ca: bank.ca })).json as { keys: never[] };
  const { payload } = await jwtVerify(ssa, createLocalJWKSet(jwks), { issuer: 'cdr-register', algorithms: ['PS256'] });
  expect(decodeProtectedHeader(ssa).alg).toBe('PS256');
  expect(payload.exp! - payload.iat!).toBe(600);
  expect(typeof payload.jti).toBe('string');
  expect(payload).toMatchObject({ software_id: bank.tpp.software_id, org_id: bank.tpp.org_id, redirect_uris: [REDIRECT], software_roles: 'data-recipient-software-product', scope: expect.stringContaining('cdr:registration') });
  expect((await httpsRequest(String(payload.jwks_uri), { ca: bank.ca })).json).toEqual(publicJwks(key));
});

test('the Register refuses an SSA for a product never loaded (404) and for another certificate (403)', async () => {
  expect((await httpsRequest(`${productUrl(bank.url, 'NeverLoaded1')}/ssa`, { ca: bank.ca, client: tpp })).status).toBe(404);
  await ssaFrom(bank.url, bank.ca);
  expect((await httpsRequest(`${productUrl(bank.url)}/ssa`, { ca: bank.ca, client: alt })).status).toBe(403);
});

test('register, the duplicate (ERR-DCR-001), a refusal with its code, then GET/PUT/DELETE with a cdr:registration token', async () => {
  const ssa = await ssaFrom(bank.url, bank.ca);
  expect(code(await register(''))).toBe('invalid_client_metadata ERR-DCR-002');
  expect(code(await register(await signJws(claims(ssa, { redirect_uris: ['https://evil.example.com/cb'] }), key)))).toBe('invalid_redirect_uri ERR-DCR-003');
  const created = await register(await signJws(claims(ssa), key));
  expect([created.status, created.headers['content-type']]).toEqual([201, expect.stringMatching(/^application\/json/)]);
  const client = created.json as Record<string, unknown> & { client_id: string };
  expect(client).toMatchObject({ software_id: bank.tpp.software_id, token_endpoint_auth_method: 'private_key_jwt', redirect_uris: [REDIRECT], software_roles: 'data-recipient-software-product' });
  expect(code(await register(await signJws(claims(ssa), key)))).toBe('invalid_client_metadata ERR-DCR-001');

  const uri = `${bank.urls.register}/${client.client_id}`;
  const t = await token(client.client_id, 'cdr:registration');
  const get = await httpsRequest(uri, { ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${t}` } });
  expect([get.status, (get.json as { client_id: string }).client_id]).toEqual([200, client.client_id]);
  // Bound to the certificate; of the cdr:registration scope; for this client only.
  expect((await httpsRequest(uri, { ca: bank.ca, client: alt, headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
  expect((await httpsRequest(uri, { ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${await token(client.client_id, 'openid')}` } })).status).toBe(403);
  const unknown = await httpsRequest(`${uri}x`, { ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${t}` } });
  expect([unknown.status, unknown.headers['www-authenticate']]).toEqual([401, 'Bearer error="invalid_request", error_description="The client is unknown"']);
  // PUT is validated as a registration, and the token survived the unknown-client request.
  expect(code(await register(await signJws(claims(ssa, { aud: 'https://elsewhere.example.com' }), key), bank, 'PUT', uri, t))).toBe('invalid_client_metadata ERR-DCR-004');
  const put = await register(await signJws(claims(ssa), key), bank, 'PUT', uri, t);
  expect([put.status, (put.json as { client_id: string }).client_id]).toEqual([200, client.client_id]);
  expect((await httpsRequest(uri, { method: 'DELETE', ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${t}` } })).status).toBe(204);
  expect((await httpsRequest(uri, { ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
  // The software_id is free again.
  const again = await register(await signJws(claims(await ssaFrom(bank.url, bank.ca)), key));
  expect(again.status).toBe(201);
});

test('without a client certificate the registration endpoint refuses at once', async () => {
  const r = await httpsRequest(bank.urls.register, { method: 'POST', ca: bank.ca, headers: { 'content-type': 'application/jwt' }, body: 'x.y.z' });
  expect(r.status).toBe(401);
});

describe('standalone: the Register in the directory, the cdr bank trusting it by DIRECTORY_URL', () => {
  let directory: MockBank;
  let dh: MockBank;
  beforeAll(async () => {
    const certs = await generateBundle();
    directory = await startMockBank({ role: 'directory', certs, logLevel: 'silent' });
    dh = await startMockBank({ profile: 'cdr', certs, directoryUrl: directory.url, logLevel: 'silent' });
  });
  afterAll(async () => {
    await dh?.close();
    await directory?.close();
  });

  test("an SSA of the standalone Register registers at the bank; the bank's own Register points there", async () => {
    tpp = { cert: dh.tpp.cert, key: dh.tpp.key };
    const ssa = await ssaFrom(directory.url, directory.ca, dh.tpp.software_id);
    const r = await register(await signJws({ ...claims(ssa), aud: dh.issuer }, key), dh);
    expect([r.status, r.text.slice(0, 200)]).toEqual([201, expect.any(String)]);
    const own = await httpsRequest(`${dh.url}/cdr-register/v1/jwks`, { ca: dh.ca });
    expect([own.status, own.text.includes(directory.url)]).toEqual([404, true]);
  });
});
