/**
 * The cpb-sandbox profile against seed 003 (CPB UK Dynamic Client Registration PSD2 sandbox),
 * over real HTTPS. Every response "returns no content": refusals are checked by status and the
 * x-dcr-rule header, which names the rule that failed.
 */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { signingKey } from '../../../fixtures/keys';
import { decodePayload, signJws, unsignedJws } from '../../../fixtures/registration';
import { httpsRequest, type HttpExchange } from '../../../fixtures/https';
import { basicAuth, manageClient, tokenRequest, type RegisteredClient } from '../../../fixtures/token';
import { documentedStatus, paths } from '../../../fixtures/seed-samples/cpb-sandbox';

let bank: MockBank;
let tpp: TestTpp;
let portalToken: string;

/** A client_credentials token of the developer-portal application ("obtained by using the Authorize API"). */
async function portalAccessToken(b: MockBank = bank): Promise<string> {
  const res = await tokenRequest(b, { grant_type: 'client_credentials' }, { headers: { authorization: basicAuth(b.portal!.client_id, b.portal!.client_secret) } });
  if (res.status !== 200) throw new Error(`portal token: ${res.status} ${res.text}`);
  return (res.json as { access_token: string }).access_token;
}

beforeAll(async () => {
  bank = await startMockBank({ profile: 'cpb-sandbox' });
  tpp = await createTpp(bank);
  portalToken = await portalAccessToken();
});
afterAll(() => bank.close());

/** The documented headers: Accept, Authorization, client_id. */
function documentedHeaders(token: string, clientId = bank.portal!.client_id): Record<string, string> {
  return { accept: 'application/json', authorization: `Bearer ${token}`, client_id: clientId };
}

/** A request with no auth method: the sandbox issues client_secret_basic credentials. */
const claims = (overrides: Record<string, unknown> = {}) =>
  tpp.claims({ token_endpoint_auth_method: undefined, tls_client_auth_subject_dn: undefined, ...overrides });

async function post(jwt: string, headers: Record<string, string | undefined> = documentedHeaders(portalToken), client: null | undefined = null): Promise<HttpExchange> {
  return tpp.register(jwt, { contentType: 'application/jwt', headers, client });
}

function rule(res: HttpExchange) {
  return { status: res.status, rule: res.headers['x-dcr-rule'], body: res.text };
}

async function registered(): Promise<RegisteredClient> {
  const res = await post(await tpp.sign(claims()));
  if (res.status !== 201) throw new Error(`${res.status} ${String(res.headers['x-dcr-rule'])}`);
  const client_id = String(res.headers['x-client-id']);
  return { client_id, client_secret: String(res.headers['x-client-secret']), method: 'client_secret_basic', key: tpp.key, transport: tpp.transport, body: {} };
}

async function clientToken(client: RegisteredClient): Promise<string> {
  const res = await tokenRequest(bank, { grant_type: 'client_credentials' }, { client: null, headers: { authorization: basicAuth(client.client_id, client.client_secret!) } });
  return (res.json as { access_token: string }).access_token;
}

const manage = (method: 'GET' | 'PUT' | 'DELETE', clientId: string, token: string, opts: { body?: string; headers?: Record<string, string> } = {}) =>
  manageClient(bank, method, clientId, token, {
    client: null,
    headers: opts.headers ?? documentedHeaders(token, clientId),
    ...(opts.body !== undefined ? { body: opts.body, contentType: 'application/jwt' } : {}),
  });

describe('cpb-sandbox: POST /open-banking/v3.1/register "Create a new client"', () => {
  test('with the documented headers and a portal access token: 201, no content, a mock client_id and client_secret', async () => {
    const res = await post(await tpp.sign(claims()));
    expect(new URL(bank.urls.register).pathname).toBe(paths.register);
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    expect(res.headers['x-client-id']).toEqual(expect.any(String));
    expect(res.headers['x-client-secret']).toEqual(expect.any(String));
    expect(res.headers.location).toBe(`${bank.urls.register}/${String(res.headers['x-client-id'])}`);
  });

  test('the mock credentials are also readable through the admin API', async () => {
    const client = await registered();
    const res = await httpsRequest(`${bank.url}/__admin/clients/${client.client_id}/credentials`, { ca: bank.ca });
    expect(res.json).toEqual({ client_id: client.client_id, client_secret: client.client_secret });
  });

  test('the mock credentials work: a client_credentials token, then GET of the client with its secret', async () => {
    const client = await registered();
    const token = await clientToken(client);
    const res = await manage('GET', client.client_id, token);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ client_id: client.client_id, client_secret: client.client_secret, token_endpoint_auth_method: 'client_secret_basic' });
  });

  test.each([
    ['Accept', 'accept'],
    ['Authorization', 'authorization'],
    ['client_id', 'client_id'],
  ])('the %s header is required: 400', async (_n, header) => {
    const headers = { ...documentedHeaders(portalToken), [header]: undefined };
    const res = await post(await tpp.sign(claims()), headers);
    expect(rule(res)).toEqual({ status: 400, rule: 'HTTP-REQUIRED-HEADERS', body: '' });
    expect(documentedStatus.post).toContain(res.status);
  });

  test('Accept must admit application/json', async () => {
    const res = await post(await tpp.sign(claims()), { ...documentedHeaders(portalToken), accept: 'text/html' });
    expect(rule(res)).toEqual({ status: 400, rule: 'HTTP-REQUIRED-HEADERS', body: '' });
  });

  test.each([
    ['an unknown token', () => 'not-a-token', undefined],
    ['a token of a registered client, not the portal application', async () => clientToken(await registered()), undefined],
    ['a client_id header naming another application', async () => portalToken, 'someone-else'],
  ])('"/register is protected by an access token": %s is refused 400, the only refusal POST documents', async (_n, token, clientId) => {
    const t = await token();
    const res = await post(await tpp.sign(claims()), documentedHeaders(t, clientId ?? bank.portal!.client_id));
    expect(rule(res)).toEqual({ status: 400, rule: 'REG-ACCESS-TOKEN', body: '' });
    expect(documentedStatus.post).toContain(res.status);
  });

  test('deferred: mutual TLS (no client certificate needed)', async () => {
    expect((await post(await tpp.sign(claims()), undefined, null)).status).toBe(201);
  });

  test('deferred: SSA verification (an unsigned SSA from no trusted directory is accepted)', async () => {
    const ssa = unsignedJws({ ...decodePayload(tpp.minted.software_statement), iss: 'Nobody Directory', exp: 1 });
    expect((await post(await tpp.sign(claims({ software_statement: ssa })))).status).toBe(201);
  });

  test('deferred: the request signature (signed by a key the SSA does not name)', async () => {
    const stranger = await signingKey('PS256');
    expect((await post(await signJws(claims(), stranger))).status).toBe(201);
  });

  test('deferred: the certificate DN of tls_client_auth', async () => {
    const res = await post(await tpp.sign(claims({ token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=anyone,C=GB' })));
    expect(res.status).toBe(201);
  });

  test.each([
    ['a body that is not a JWS', async () => 'not-a-jwt', 'JWS-FORMAT'],
    ['a redirect URI outside the SSA', async () => tpp.sign(claims({ redirect_uris: ['https://elsewhere.example.com/cb'] })), 'REQ-REDIRECT-SUBSET'],
    ['an expired request', async () => tpp.sign(claims({ exp: 1000 })), 'REQ-EXP'],
    ['an unsupported grant type', async () => tpp.sign(claims({ grant_types: ['implicit'] })), 'REQ-GRANT-TYPES'],
  ])('the request format is still validated: %s is 400 with no content', async (_n, jwt, expected) => {
    const res = await post(await jwt());
    expect(rule(res)).toEqual({ status: 400, rule: expected, body: '' });
  });
});

describe('cpb-sandbox: GET /open-banking/v3.1/register/{ClientId}', () => {
  test('an unknown ClientId: 401 with no content, and the access token is revoked at once', async () => {
    const client = await registered();
    const token = await clientToken(client);
    const res = await manage('GET', 'no-such-client', token);
    expect(rule(res)).toEqual({ status: 401, rule: 'MGT-UNKNOWN-CLIENT', body: '' });
    expect(rule(await manage('GET', client.client_id, token))).toEqual({ status: 401, rule: 'MGT-TOKEN-VALID', body: '' });
  });

  test('a token issued to another client: 403 with no content', async () => {
    const a = await registered();
    const b = await registered();
    const res = await manage('GET', b.client_id, await clientToken(a));
    expect(rule(res)).toEqual({ status: 403, rule: 'MGT-CLIENT-MATCH', body: '' });
    expect(documentedStatus.get).toContain(res.status);
  });

  test.each([['accept'], ['client_id']])('a missing %s header: 401, as GET documents no 400', async (header) => {
    const client = await registered();
    const token = await clientToken(client);
    const res = await manage('GET', client.client_id, token, { headers: { ...documentedHeaders(token, client.client_id), [header]: undefined } as Record<string, string> });
    expect(rule(res)).toEqual({ status: 401, rule: 'HTTP-REQUIRED-HEADERS', body: '' });
    expect(documentedStatus.get).toContain(res.status);
  });
});

describe('cpb-sandbox: PUT /open-banking/v3.1/register/{ClientId}', () => {
  test('all the claims, one changed: 200 and the modified client', async () => {
    const client = await registered();
    const res = await manage('PUT', client.client_id, await clientToken(client), { body: await tpp.sign(claims({ redirect_uris: [tpp.redirectUris[1]] })) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ client_id: client.client_id, client_secret: client.client_secret, redirect_uris: [tpp.redirectUris[1]] });
  });

  test.each([
    ['a refused change', 'self', 400, 'REQ-REDIRECT-SUBSET'],
    ['an unknown ClientId', 'unknown', 401, 'MGT-UNKNOWN-CLIENT'],
    ['another client', 'other', 403, 'MGT-CLIENT-MATCH'],
  ])('%s: %s / %i with no content', async (_n, target, status, expected) => {
    const client = await registered();
    const id = target === 'self' ? client.client_id : target === 'unknown' ? 'no-such-client' : (await registered()).client_id;
    const body = await tpp.sign(claims(target === 'self' ? { redirect_uris: ['https://elsewhere.example.com/cb'] } : {}));
    const res = await manage('PUT', id, await clientToken(client), { body });
    expect(rule(res)).toEqual({ status, rule: expected, body: '' });
    expect(documentedStatus.put).toContain(res.status);
  });
});

describe('cpb-sandbox: DELETE /open-banking/v3.1/register/{ClientId}', () => {
  test('a missing client_id header: 401, as DELETE documents no 400; the client stays', async () => {
    const client = await registered();
    const token = await clientToken(client);
    const res = await manage('DELETE', client.client_id, token, { headers: { ...documentedHeaders(token, client.client_id), client_id: undefined } as unknown as Record<string, string> });
    expect(rule(res)).toEqual({ status: 401, rule: 'HTTP-REQUIRED-HEADERS', body: '' });
    expect(documentedStatus.delete).toContain(res.status);
    expect((await manage('GET', client.client_id, token)).status).toBe(200);
  });

  test('204 "Client deleted"; its tokens are invalidated', async () => {
    const client = await registered();
    const token = await clientToken(client);
    const res = await manage('DELETE', client.client_id, token);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await manage('GET', client.client_id, token)).status).toBe(401);
  });

  test.each([
    ['an unknown ClientId', 'unknown', 401],
    ['another client', 'other', 403],
  ])('%s: %s / %i', async (_n, target, status) => {
    const client = await registered();
    const id = target === 'unknown' ? 'no-such-client' : (await registered()).client_id;
    const res = await manage('DELETE', id, await clientToken(client));
    expect(res.status).toBe(status);
    expect(documentedStatus.delete).toContain(res.status);
  });

  test('with the delete switch off (MANAGEMENT_DELETE=false): 405 with no content, and the client stays', async () => {
    const off = await startMockBank({ profile: 'cpb-sandbox', managementDelete: false, portalClientId: 'my-portal-app', portalClientSecret: 's3cret' });
    try {
      expect(off.profile.management.delete).toBe(false);
      const t = await createTpp(off);
      const reg = await t.register(await t.sign(t.claims({ token_endpoint_auth_method: undefined, tls_client_auth_subject_dn: undefined })), {
        contentType: 'application/jwt',
        headers: { accept: 'application/json', authorization: `Bearer ${await portalAccessToken(off)}`, client_id: 'my-portal-app' },
      });
      const id = String(reg.headers['x-client-id']);
      const tok = await tokenRequest(off, { grant_type: 'client_credentials' }, { headers: { authorization: basicAuth(id, String(reg.headers['x-client-secret'])) } });
      const token = (tok.json as { access_token: string }).access_token;
      const res = await manageClient(off, 'DELETE', id, token, { headers: { accept: 'application/json', client_id: id } });
      expect(rule(res)).toEqual({ status: 405, rule: 'MGT-METHOD-ALLOWED', body: '' });
      expect(res.headers.allow).toBe('GET, PUT');
      expect(await off.store.getClient(id)).toBeDefined();
    } finally {
      await off.close();
    }
  });
});

describe('cpb-sandbox: the developer-portal application', () => {
  test('its client_id and secret are configurable and shown by GET /__admin/profile', async () => {
    const b = await startMockBank({ profile: 'cpb-sandbox', portalClientId: 'team-app', portalClientSecret: 'team-secret' });
    try {
      const res = await httpsRequest(`${b.url}/__admin/profile`, { ca: b.ca });
      expect(res.json).toMatchObject({ name: 'cpb-sandbox', portal: { client_id: 'team-app', client_secret: 'team-secret' } });
      expect(typeof (await portalAccessToken(b))).toBe('string');
    } finally {
      await b.close();
    }
  });

  test('a wrong portal secret gets no token', async () => {
    const res = await tokenRequest(bank, { grant_type: 'client_credentials' }, { headers: { authorization: basicAuth(bank.portal!.client_id, 'wrong') } });
    expect(res.status).toBe(401);
  });
});
