/**
 * The rfc7591 profile: plain RFC 7591 registration and RFC 7592 management over real HTTPS on
 * 127.0.0.1. Each rule has a request where it fires and one where it does not; openid-client
 * registers as a real generic OAuth client would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { startMockBank, buildDeps, type MockBank } from '../../../mock-server/runtime';
import { createApp } from '../../../mock-server/app';
import { resolveConfig, loadConfig, HELP, ConfigError } from '../../../mock-server/config';
import { generateBundle } from '../../../mock-server/tls/certs';
import { createLogger } from '../../../mock-server/logger';
import { httpsRequest, refusal, type Credentials, type HttpExchange } from '../../../fixtures/https';
import { httpsFetch } from '../../../fixtures/fetch';
import type { JournalEntry } from '../../../mock-server/store/types';

let bank: MockBank;
let protectedBank: MockBank;
const INITIAL_TOKEN = 'iat-7Hq2.Lm_9~x';
const REDIRECT = 'https://client.example.com/cb';

beforeAll(async () => {
  [bank, protectedBank] = await Promise.all([
    startMockBank({ profile: 'rfc7591', journalSize: 100 }),
    startMockBank({ profile: 'rfc7591', initialAccessToken: INITIAL_TOKEN }),
  ]);
});
afterAll(() => Promise.all([bank.close(), protectedBank.close()]));
afterEach(() => httpsRequest(`${bank.url}/__admin/faults`, { method: 'DELETE', ca: bank.ca }));

interface Send {
  contentType?: string;
  authorization?: string;
  client?: Credentials;
  on?: MockBank;
  method?: string;
  url?: string;
}

function send(body: unknown, o: Send = {}): Promise<HttpExchange> {
  const target = o.on ?? bank;
  return httpsRequest(o.url ?? target.urls.register, {
    method: o.method ?? 'POST',
    ca: target.ca,
    ...(o.client ? { client: o.client } : {}),
    headers: {
      ...(body !== undefined ? { 'content-type': o.contentType ?? 'application/json' } : {}),
      ...(o.authorization ? { authorization: o.authorization } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

type Client = Record<string, unknown> & { client_id: string; registration_access_token: string; registration_client_uri: string };

async function registered(body: Record<string, unknown> = { redirect_uris: [REDIRECT] }, o: Send = {}): Promise<Client> {
  const res = await send(body, o);
  if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
  return res.json as Client;
}

const manage = (c: Client, method: string, o: { token?: string | null; body?: unknown } = {}) =>
  send(o.body, { method, url: c.registration_client_uri, ...(o.token === null ? {} : { authorization: `Bearer ${o.token ?? c.registration_access_token}` }) });

const token = (form: Record<string, string>, headers: Record<string, string> = {}, client?: Credentials) =>
  httpsRequest(bank.urls.token, { method: 'POST', ca: bank.ca, ...(client ? { client } : {}), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

const basic = (c: Client) => `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret as string)}`).toString('base64')}`;

const expectRefusal = (res: HttpExchange, status: number, error: string, rule: string) => expect(refusal(res)).toEqual({ status, error, rule });

describe('POST /register: RFC 7591 3.2.1 client information response', () => {
  test('201 with client_id, the secret and its expiry, issue time, registration access token and URI, and the registered metadata with defaults', async () => {
    const res = await send({ redirect_uris: [REDIRECT], client_name: 'Generic client', 'client_name#fr': 'Client générique', contacts: ['ops@client.example.com'] });
    expect(res.status).toBe(201);
    const body = res.json as Client;
    expect(body).toEqual({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      client_id_issued_at: expect.any(Number),
      client_secret_expires_at: 0,
      registration_access_token: expect.any(String),
      registration_client_uri: `${bank.urls.register}/${body.client_id}`,
      redirect_uris: [REDIRECT],
      client_name: 'Generic client',
      'client_name#fr': 'Client générique',
      contacts: ['ops@client.example.com'],
      // RFC 7591 2 defaults, returned as "fields provisioned by the authorization server itself".
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: bank.profile.registration.scopes.join(' '),
    });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('RFC 7591 2: metadata it does not understand is ignored: not refused, not stored, not answered', async () => {
    const res = await send(`{"redirect_uris":["${REDIRECT}"],"frobnicate":{"deep":[1,2]},"application_type":"native","client_name#not a tag":"x","__proto__":{"polluted":true}}`);
    expect(res.status).toBe(201);
    const body = res.json as Client;
    expect(body).not.toHaveProperty('frobnicate');
    expect(body).not.toHaveProperty('application_type');
    expect(body).not.toHaveProperty('client_name#not a tag');
    expect(body).not.toHaveProperty('polluted');
    expect(Object.keys(body)).not.toContain('__proto__');
    const stored = await bank.store.getClient(body.client_id);
    expect(stored!.registered).not.toHaveProperty('frobnicate');
  });

  test('no client_secret (nor client_secret_expires_at) for methods that use none', async () => {
    const body = await registered({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } });
    expect(body).not.toHaveProperty('client_secret');
    expect(body).not.toHaveProperty('client_secret_expires_at');
    expect(body).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], response_types: [] });
  });
});

describe('the request: content type, body, initial access token', () => {
  test('RFC-CONTENT-TYPE: anything but application/json is 400 invalid_request', async () => {
    for (const type of ['application/jwt', 'text/plain', 'application/x-www-form-urlencoded']) {
      expectRefusal(await send({ redirect_uris: [REDIRECT] }, { contentType: type }), 400, 'invalid_request', 'RFC-CONTENT-TYPE');
    }
    expect((await send({ redirect_uris: [REDIRECT] }, { contentType: 'application/json; charset=utf-8' })).status).toBe(201);
  });

  test('RFC-BODY-JSON: not JSON, an array, empty or over the size limit is 400 invalid_request', async () => {
    for (const body of ['{"redirect_uris":', '[]', '"x"', 'null', ' ']) expectRefusal(await send(body), 400, 'invalid_request', 'RFC-BODY-JSON');
    const big = JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'x'.repeat(bank.config.maxBodyBytes) });
    expectRefusal(await send(big), 400, 'invalid_request', 'RFC-BODY-JSON');
  });

  test('RFC-INITIAL-TOKEN: without the initial access token 401 invalid_token with a Bearer challenge; a wrong one names invalid_token; the right one registers', async () => {
    const none = await send({ redirect_uris: [REDIRECT] }, { on: protectedBank });
    expectRefusal(none, 401, 'invalid_token', 'RFC-INITIAL-TOKEN');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await send({ redirect_uris: [REDIRECT] }, { on: protectedBank, authorization: 'Bearer not-it' });
    expectRefusal(wrong, 401, 'invalid_token', 'RFC-INITIAL-TOKEN');
    expect(wrong.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect((await send({ redirect_uris: [REDIRECT] }, { on: protectedBank, authorization: `Bearer ${INITIAL_TOKEN}` })).status).toBe(201);
    // Open registration where none is configured.
    expect((await send({ redirect_uris: [REDIRECT] }, { authorization: 'Bearer anything' })).status).toBe(201);
  });

  test('the initial access token is a setting of the rfc7591 dialect only, and a Bearer token', () => {
    expect(() => resolveConfig({ profile: 'obie', initialAccessToken: 'x' })).toThrow(ConfigError);
    expect(() => resolveConfig({ profile: 'rfc7591', initialAccessToken: 'has space' })).toThrow(/INITIAL_ACCESS_TOKEN|initialAccessToken/);
    expect(loadConfig({ PROFILE: 'rfc7591', INITIAL_ACCESS_TOKEN: 'abc' }, [])).toMatchObject({ initialAccessToken: 'abc' });
    expect(() => loadConfig({ INITIAL_ACCESS_TOKEN: 'abc' }, [])).toThrow(/INITIAL_ACCESS_TOKEN: profile obie/);
  });
});

describe('RFC 7591 2 metadata rules: each fires on a bad request and not on a good one', () => {
  const cases: Array<[rule: string, error: string, bad: Record<string, unknown>, good: Record<string, unknown>]> = [
    ['RFC-METADATA-FORMAT', 'invalid_client_metadata', { redirect_uris: REDIRECT }, { redirect_uris: [REDIRECT] }],
    ['RFC-METADATA-FORMAT', 'invalid_client_metadata', { redirect_uris: [REDIRECT], client_uri: 'not a url' }, { redirect_uris: [REDIRECT], client_uri: 'https://client.example.com' }],
    ['RFC-METADATA-FORMAT', 'invalid_client_metadata', { redirect_uris: [REDIRECT], contacts: [1] }, { redirect_uris: [REDIRECT], contacts: ['a@b.example'] }],
    ['RFC-METADATA-FORMAT', 'invalid_client_metadata', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://client.example.com/jwks' }],
    ['RFC-REDIRECT-REQUIRED', 'invalid_redirect_uri', {}, { grant_types: ['client_credentials'] }],
    ['RFC-REDIRECT-REQUIRED', 'invalid_redirect_uri', { grant_types: ['implicit'], response_types: ['token'] }, { grant_types: ['implicit'], response_types: ['token'], redirect_uris: [REDIRECT] }],
    ['RFC-REDIRECT-URI', 'invalid_redirect_uri', { redirect_uris: ['/cb'] }, { redirect_uris: ['com.example.app:/cb'] }],
    ['RFC-REDIRECT-URI', 'invalid_redirect_uri', { redirect_uris: [`${REDIRECT}#frag`] }, { redirect_uris: [`${REDIRECT}?q=1`] }],
    ['REQ-AUTH-METHOD', 'invalid_client_metadata', { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_jwt' }, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' }],
    ['RFC-METADATA-VALUES', 'invalid_client_metadata', { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'password'] }, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'] }],
    ['RFC-METADATA-VALUES', 'invalid_client_metadata', { redirect_uris: [REDIRECT], scope: 'openid admin' }, { redirect_uris: [REDIRECT], scope: 'openid accounts' }],
    ['RFC-METADATA-VALUES', 'invalid_client_metadata', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' }, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://client.example.com/jwks' }],
    ['RFC-METADATA-VALUES', 'invalid_client_metadata', { grant_types: ['client_credentials'], token_endpoint_auth_signing_alg: 'HS256' }, { grant_types: ['client_credentials'], token_endpoint_auth_signing_alg: 'PS256' }],
    ['RFC-GRANT-RESPONSE', 'invalid_client_metadata', { grant_types: ['client_credentials'], response_types: ['code'], redirect_uris: [REDIRECT] }, { grant_types: ['client_credentials', 'authorization_code'], response_types: ['code'], redirect_uris: [REDIRECT] }],
    ['RFC-GRANT-RESPONSE', 'invalid_client_metadata', { grant_types: ['authorization_code'], response_types: ['token'], redirect_uris: [REDIRECT] }, { grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'token'], redirect_uris: [REDIRECT] }],
    ['REQ-JWKS-EXCLUSIVE', 'invalid_client_metadata', { grant_types: ['client_credentials'], jwks_uri: 'https://client.example.com/jwks', jwks: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] } }, { grant_types: ['client_credentials'], jwks: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] } }],
    ['REQ-TLS-DN-PRESENCE', 'invalid_client_metadata', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'tls_client_auth' }, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' }],
    ['REQ-TLS-DN-PRESENCE', 'invalid_client_metadata', { grant_types: ['client_credentials'], tls_client_auth_subject_dn: 'CN=x' }, { grant_types: ['client_credentials'] }],
  ];
  test.each(cases)('%s (%s)', async (rule, error, bad, good) => {
    const res = await send(bad);
    expectRefusal(res, 400, error, rule);
    expect((res.json as { error_description: string }).error_description).toMatch(new RegExp(`^${rule}: `));
    const ok = await send(good);
    expect([ok.status, ok.text]).toEqual([201, expect.any(String)]);
  });

  test('REQ-TLS-DN-MATCH: tls_client_auth registers only with a presented certificate whose subject is the DN; its token then binds to it', async () => {
    const meta = { grant_types: ['client_credentials'], token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: bank.tpp.dn };
    expectRefusal(await send(meta), 400, 'invalid_client_metadata', 'REQ-TLS-DN-MATCH');
    expectRefusal(await send({ ...meta, tls_client_auth_subject_dn: bank.altTpp.dn }, { client: bank.tpp }), 400, 'invalid_client_metadata', 'REQ-TLS-DN-MATCH');
    const c = await registered(meta, { client: bank.tpp });
    expect(c).not.toHaveProperty('client_secret');
    expect(c.tls_client_auth_subject_dn).toBe(bank.tpp.dn);
    const res = await token({ grant_type: 'client_credentials', client_id: c.client_id }, {}, bank.tpp);
    expect(res.status).toBe(200);
  });
});

describe('software_statement (RFC 7591 2.3): optional, verified as every profile verifies an SSA, its claims win', () => {
  test('without one the client registers; with a trusted one its claims take precedence over the request and it is returned unmodified', async () => {
    const minted = await bank.directory.mint({ client_name: 'Name from the statement', scope: 'accounts' });
    const body = await registered({ redirect_uris: [REDIRECT], client_name: 'Name from the request', scope: 'openid payments', software_id: 'mine', software_statement: minted.software_statement });
    expect(body).toMatchObject({ client_name: 'Name from the statement', scope: 'accounts', software_id: minted.software_id, software_statement: minted.software_statement });
  });

  test('a statement that does not verify is invalid_software_statement; one from an untrusted issuer unapproved_software_statement', async () => {
    const minted = await bank.directory.mint();
    const [h, p, s] = minted.software_statement.split('.');
    const tampered = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    expectRefusal(await send({ redirect_uris: [REDIRECT], software_statement: tampered }), 400, 'invalid_software_statement', 'SSA-SIGNATURE');
    expectRefusal(await send({ redirect_uris: [REDIRECT], software_statement: 'not-a-jws' }), 400, 'invalid_software_statement', 'SSA-FORMAT');
    expectRefusal(await send({ redirect_uris: [REDIRECT], software_statement: 42 }), 400, 'invalid_software_statement', 'SSA-FORMAT');
    const foreign = await bank.directory.mint({ iss: 'Some Other Directory' });
    expectRefusal(await send({ redirect_uris: [REDIRECT], software_statement: foreign.software_statement }), 400, 'unapproved_software_statement', 'SSA-ISSUER');
    const expired = await bank.directory.mint({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 });
    expectRefusal(await send({ redirect_uris: [REDIRECT], software_statement: expired.software_statement }), 400, 'invalid_software_statement', 'SSA-EXP');
  });
});

describe('RFC 7592 management at registration_client_uri with the registration access token', () => {
  test('GET 200 answers the client information; the token is not rotated on GET (the default switch)', async () => {
    const c = await registered({ redirect_uris: [REDIRECT], client_name: 'Read me' });
    const res = await manage(c, 'GET');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(c);
    expect((await manage(c, 'GET')).status).toBe(200);
  });

  test('a missing, wrong, another client\'s or a client_credentials token is 401 invalid_token with a Bearer challenge, as is an unknown client', async () => {
    const a = await registered({ grant_types: ['client_credentials'] });
    const b = await registered({ grant_types: ['client_credentials'] });
    const none = await manage(a, 'GET', { token: null });
    expectRefusal(none, 401, 'invalid_token', 'MGT-BEARER-REQUIRED');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const bad of ['wrong', b.registration_access_token]) {
      const res = await manage(a, 'GET', { token: bad });
      expectRefusal(res, 401, 'invalid_token', 'RFC-RAT');
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
    const issued = await token({ grant_type: 'client_credentials' }, { authorization: basic(a) });
    expect(issued.status).toBe(200);
    expectRefusal(await manage(a, 'GET', { token: (issued.json as { access_token: string }).access_token }), 401, 'invalid_token', 'RFC-RAT');
    expectRefusal(await send(undefined, { method: 'GET', url: `${bank.urls.register}/no-such-client`, authorization: `Bearer ${a.registration_access_token}` }), 401, 'invalid_token', 'RFC-RAT');
  });

  test('the registration access token is not accepted at the token endpoint', async () => {
    const c = await registered({ grant_types: ['client_credentials'] });
    const res = await token({ grant_type: 'client_credentials', client_id: c.client_id }, { authorization: `Bearer ${c.registration_access_token}` });
    expect(refusal(res)).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  test('PUT replaces the whole record: omitted fields are removed or reset, the secret and issue time kept, the token rotated', async () => {
    const c = await registered({ redirect_uris: [REDIRECT], client_name: 'Before', scope: 'openid accounts', contacts: ['a@b.example'] });
    const res = await manage(c, 'PUT', { body: { client_id: c.client_id, redirect_uris: ['https://client.example.com/other'], client_secret: c.client_secret } });
    expect(res.status).toBe(200);
    const after = res.json as Client;
    expect(after).toEqual({
      client_id: c.client_id,
      client_secret: c.client_secret,
      client_id_issued_at: c.client_id_issued_at,
      client_secret_expires_at: 0,
      registration_access_token: expect.any(String),
      registration_client_uri: c.registration_client_uri,
      redirect_uris: ['https://client.example.com/other'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: bank.profile.registration.scopes.join(' '),
    });
    expect(after.registration_access_token).not.toBe(c.registration_access_token);
    expectRefusal(await manage(c, 'GET'), 401, 'invalid_token', 'RFC-RAT');
    expect((await manage(after, 'GET')).json).toEqual(after);
    // A PUT to a method without a secret drops it.
    const pub = await manage(after, 'PUT', { body: { client_id: c.client_id, grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://client.example.com/jwks' } });
    expect(pub.status).toBe(200);
    expect(pub.json).not.toHaveProperty('client_secret');
  });

  test('PUT rules (RFC 7592 2.2): client_id required and equal, no read-only fields, a client_secret only the issued one', async () => {
    const c = await registered();
    const put = (body: Record<string, unknown>) => manage(c, 'PUT', { body });
    const meta = { redirect_uris: [REDIRECT] };
    expectRefusal(await put(meta), 400, 'invalid_request', 'RFC-PUT-CLIENT-ID');
    expectRefusal(await put({ ...meta, client_id: 'another' }), 400, 'invalid_request', 'RFC-PUT-CLIENT-ID');
    for (const field of ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at']) {
      expectRefusal(await put({ ...meta, client_id: c.client_id, [field]: c[field] }), 400, 'invalid_request', 'RFC-PUT-READ-ONLY');
    }
    expectRefusal(await put({ ...meta, client_id: c.client_id, client_secret: 'chosen-by-the-client' }), 400, 'invalid_request', 'RFC-PUT-SECRET');
    expectRefusal(await put({ client_id: c.client_id, redirect_uris: ['/relative'] }), 400, 'invalid_redirect_uri', 'RFC-REDIRECT-URI');
    expectRefusal(await manage(c, 'PUT', { body: 'redirect_uris=x' }), 400, 'invalid_request', 'RFC-BODY-JSON');
    // None of them took effect, and the token was not rotated by a refused PUT.
    expect((await put({ ...meta, client_id: c.client_id, client_secret: c.client_secret })).status).toBe(200);
  });

  test('DELETE 204: then the client and its registration access token are unusable, and its tokens revoked', async () => {
    const c = await registered({ grant_types: ['client_credentials'] });
    const issued = (await token({ grant_type: 'client_credentials' }, { authorization: basic(c) })).json as { access_token: string };
    const res = await manage(c, 'DELETE');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectRefusal(await manage(c, 'GET'), 401, 'invalid_token', 'RFC-RAT');
    expectRefusal(await manage(c, 'DELETE'), 401, 'invalid_token', 'RFC-RAT');
    expect((await token({ grant_type: 'client_credentials' }, { authorization: basic(c) })).status).toBe(401);
    expect(await bank.store.getToken((await import('../../../mock-server/core/token')).tokenHash(issued.access_token))).toBeUndefined();
  });

  test('other methods: 405 with Allow', async () => {
    const c = await registered();
    const res = await manage(c, 'PATCH', { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, PUT, DELETE');
    expect((await send(undefined, { method: 'GET' })).status).toBe(405);
  });
});

describe('the rotation switch (management.rotateRegistrationAccessToken)', () => {
  test('with GET in it, each GET answers a new token and the old one stops working', async () => {
    const config = resolveConfig({ profile: 'rfc7591', logLevel: 'silent', publicUrl: 'https://127.0.0.1:1' });
    const deps = await buildDeps(config, await generateBundle(), createLogger('silent'));
    const profile = { ...deps.profile, management: { ...deps.profile.management, rotateRegistrationAccessToken: ['GET', 'PUT'] as const } };
    const server = http.createServer(createApp({ ...deps, profile }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const reg = await fetch(`${base}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_types: ['client_credentials'] }) });
      const c = (await reg.json()) as Client;
      const uri = `${base}/register/${c.client_id}`;
      const first = await fetch(uri, { headers: { authorization: `Bearer ${c.registration_access_token}` } });
      const rotated = ((await first.json()) as Client).registration_access_token;
      expect(rotated).not.toBe(c.registration_access_token);
      expect((await fetch(uri, { headers: { authorization: `Bearer ${c.registration_access_token}` } })).status).toBe(401);
      expect((await fetch(uri, { headers: { authorization: `Bearer ${rotated}` } })).status).toBe(200);
    } finally {
      server.close();
      await deps.directory.close();
    }
  });
});

describe('discovery (RFC 8414), journal, faults, help', () => {
  test('the metadata at both well-known paths names the registration and token endpoints and the auth methods', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await httpsRequest(`${bank.url}${path}`, { ca: bank.ca });
      expect(res.json).toMatchObject({
        issuer: bank.issuer,
        registration_endpoint: bank.urls.register,
        token_endpoint: bank.urls.token,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth'],
        grant_types_supported: ['client_credentials'],
        response_types_supported: ['code', 'token'],
      });
    }
  });

  test('the journal keeps each exchange with its rules, the registration access token, secrets and Authorization redacted', async () => {
    const c = await registered({ redirect_uris: [REDIRECT], client_name: 'Journalled' });
    await manage(c, 'GET');
    const entries = ((await httpsRequest(`${bank.url}/__admin/journal`, { ca: bank.ca })).json as { entries: JournalEntry[] }).entries;
    const post = entries.filter((e) => e.method === 'POST' && e.path === '/register' && e.status === 201).at(-1)!;
    expect(post.answer).toMatchObject({ client_id: c.client_id, client_secret: '[redacted]', registration_access_token: '[redacted]', client_name: 'Journalled' });
    expect(post.request).toMatchObject({ form: { client_name: 'Journalled' } });
    expect(Object.fromEntries(post.rules!.map((r) => [r.rule, r.verdict]))).toMatchObject({ 'RFC-CONTENT-TYPE': 'pass', 'RFC-BODY-JSON': 'pass', 'RFC-METADATA-FORMAT': 'pass', 'RFC-REDIRECT-URI': 'pass' });
    const get = entries.filter((e) => e.method === 'GET' && e.path === `/register/${c.client_id}`).at(-1)!;
    expect(get.request).toEqual({ authorization: 'Bearer [redacted]' });
    expect(get.answer).toMatchObject({ registration_access_token: '[redacted]', client_secret: '[redacted]' });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(c.registration_access_token);
    expect(text).not.toContain(c.client_secret as string);
    const admin = await httpsRequest(`${bank.url}/__admin/clients/${c.client_id}`, { ca: bank.ca });
    expect(admin.json).toMatchObject({ has_client_secret: true, has_registration_access_token: true });
    expect(admin.text).not.toContain('registration_access_token_hash');
  });

  test('GET /__admin/profile never shows the initial access token', async () => {
    const res = await httpsRequest(`${protectedBank.url}/__admin/profile`, { ca: protectedBank.ca });
    expect(res.json).toMatchObject({ name: 'rfc7591', profile: { registration: { dialect: 'rfc7591', initialAccessToken: '[redacted]' } } });
    expect(res.text).not.toContain(INITIAL_TOKEN);
  });

  test('runtime faults: a rule switched off lets the request through; a status fault answers for the route', async () => {
    const admin = (body: unknown) => httpsRequest(`${bank.url}/__admin/faults`, { method: 'POST', ca: bank.ca, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await admin({ kind: 'rule', rule: 'RFC-REDIRECT-URI', enabled: false })).status).toBe(201);
    expect((await send({ redirect_uris: ['/relative'] })).status).toBe(201);
    expect((await admin({ kind: 'rule', rule: 'RES-CREATED-201', enabled: false })).status).toBe(201);
    expect((await send({ redirect_uris: [REDIRECT] })).status).toBe(200);
    expect((await admin({ kind: 'status', method: 'POST', path: '/register', status: 503, times: 1 })).status).toBe(201);
    expect((await send({ redirect_uris: [REDIRECT] })).status).toBe(503);
  });

  test('--help lists the profile and the initial access token', () => {
    expect(HELP).toContain(`${'rfc7591'.padEnd(15)} ${bank.profile.description}`);
    expect(HELP).toContain('INITIAL_ACCESS_TOKEN');
  });
});

describe('openid-client as a real generic OAuth client', () => {
  test('dynamicClientRegistration() discovers (RFC 8414) and registers over HTTPS; the client gets a token, then is read, replaced and deleted via RFC 7592', async () => {
    const customFetch = httpsFetch(protectedBank.ca);
    const config = await oidc.dynamicClientRegistration(
      new URL(protectedBank.issuer),
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', client_name: 'openid-client', scope: 'accounts' },
      oidc.ClientSecretBasic(),
      { algorithm: 'oauth2', initialAccessToken: INITIAL_TOKEN, [oidc.customFetch]: customFetch },
    );
    // The customFetch used for discovery and registration is kept for every later request.
    config[oidc.customFetch] = customFetch;
    const meta = config.clientMetadata() as Record<string, unknown> & Client;
    expect(config.serverMetadata().registration_endpoint).toBe(protectedBank.urls.register);
    expect(meta).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String), client_secret_expires_at: 0, client_name: 'openid-client', registration_client_uri: `${protectedBank.urls.register}/${meta.client_id}` });

    const granted = await oidc.clientCredentialsGrant(config, { scope: 'accounts' });
    expect(granted).toMatchObject({ token_type: 'bearer', scope: 'accounts' });

    // openid-client has no RFC 7592 operations: the same fetch, with the registration access token.
    const rat = (t: string) => ({ authorization: `Bearer ${t}`, accept: 'application/json' });
    const read = await customFetch(meta.registration_client_uri, { method: 'GET', headers: rat(meta.registration_access_token) });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ client_id: meta.client_id, client_name: 'openid-client' });
    const replaced = await customFetch(meta.registration_client_uri, {
      method: 'PUT',
      headers: { ...rat(meta.registration_access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: meta.client_id, grant_types: ['client_credentials'], client_name: 'renamed', scope: 'accounts payments' }),
    });
    expect(replaced.status).toBe(200);
    const after = (await replaced.json()) as Client;
    expect(after).toMatchObject({ client_name: 'renamed', scope: 'accounts payments', client_secret: meta.client_secret });
    const gone = await customFetch(meta.registration_client_uri, { method: 'DELETE', headers: rat(after.registration_access_token) });
    expect(gone.status).toBe(204);
    // The deleted client no longer authenticates: 401 with its Basic challenge (openid-client reads the challenge first).
    const refused = await oidc.clientCredentialsGrant(config).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(refused).toMatchObject({ status: 401, cause: [expect.objectContaining({ scheme: 'basic' })] });
    expect(await (refused as oidc.WWWAuthenticateChallengeError).response.json()).toMatchObject({ error: 'invalid_client' });
  });
});
