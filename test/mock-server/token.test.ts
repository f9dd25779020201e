import { createHash } from 'node:crypto';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { signingKey } from '../../fixtures/keys';
import { hmacJws, signJws, unsignedJws } from '../../fixtures/registration';
import { assertionClaims, basicAuth, clientAssertion, registerClient, requestToken, tokenRequest, type RegisteredClient } from '../../fixtures/token';
import { JWT_BEARER_ASSERTION } from '../../mock-server/core/token';
import { issueTransportCert } from '../../mock-server/tls/certs';
import { createCa } from '../../common/certs';
import { refusal } from '../../fixtures/https';

let bank: MockBank;
let tpp: TestTpp;
const clients: Partial<Record<RegisteredClient['method'], RegisteredClient>> = {};

beforeAll(async () => {
  bank = await startMockBank();
  tpp = await createTpp(bank);
  for (const m of ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const) clients[m] = await registerClient(tpp, m);
});
afterAll(() => bank.close());

const c = (m: RegisteredClient['method']) => clients[m]!;
const assertionForm = (assertion: string) => ({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });

describe('POST /token: each registered auth method succeeds', () => {
  test.each(['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const)('%s gets a bearer token', async (m) => {
    const res = await requestToken(bank, c(m));
    expect(res.status).toBe(200);
    const body = res.json as Record<string, unknown>;
    expect(typeof body.access_token).toBe('string');
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(body.scope).toBe('openid accounts payments');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('an empty scope= grants the registered scopes; a subset is granted as asked', async () => {
    expect((await requestToken(bank, c('tls_client_auth'), { scope: '' })).json).toMatchObject({ scope: 'openid accounts payments' });
    expect((await requestToken(bank, c('tls_client_auth'), { scope: 'accounts' })).json).toMatchObject({ scope: 'accounts' });
  });

  test('a token issued over mTLS is bound to the certificate (cnf x5t#S256)', async () => {
    const res = await requestToken(bank, c('client_secret_basic'));
    const hash = createHash('sha256').update((res.json as { access_token: string }).access_token).digest('base64url');
    const record = await bank.store.getToken(hash);
    const der = new (await import('node:crypto')).X509Certificate(bank.tpp.cert).raw;
    expect(record?.cnf?.['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
  });

  test('without a certificate, a secret client gets an unbound token', async () => {
    const res = await requestToken(bank, c('client_secret_post'), { client: null });
    const hash = createHash('sha256').update((res.json as { access_token: string }).access_token).digest('base64url');
    expect((await bank.store.getToken(hash))?.cnf).toBeUndefined();
  });

  test('an assertion without kid verifies by trying each signing key', async () => {
    const res = await tokenRequest(bank, assertionForm(await clientAssertion(bank, c('private_key_jwt'), {}, { kid: undefined })));
    expect(res.status).toBe(200);
  });

  test('the OBIE DCR conformance tool\'s request: a 30-minute assertion without kid and an empty scope=', async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await clientAssertion(bank, c('private_key_jwt'), { iat: now, exp: now + 1800 }, { kid: undefined });
    const res = await tokenRequest(bank, { ...assertionForm(assertion), scope: '' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', scope: 'openid accounts payments' });
    // Remembered for its whole life: the same assertion is refused again.
    expect(refusal(await tokenRequest(bank, { ...assertionForm(assertion), scope: '' }))).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-ASSERTION-REPLAY' });
  });

  test('the issuer is accepted as aud as well as the token endpoint', async () => {
    const res = await tokenRequest(bank, assertionForm(await clientAssertion(bank, c('private_key_jwt'), { aud: bank.issuer })));
    expect(res.status).toBe(200);
  });
});

describe('POST /token: refusals', () => {
  test('TOKEN-REQUEST-FORMAT: a JSON body is invalid_request', async () => {
    const res = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: c('tls_client_auth').client_id }, { contentType: 'application/json', transport: bank.tpp });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request', rule: 'TOKEN-REQUEST-FORMAT' });
  });

  test('TOKEN-REQUEST-FORMAT: a parameter given twice, and an oversized body', async () => {
    const dup = await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp, headers: {} });
    expect(dup.status).toBe(401); // no client authentication at all
    const twice = await (await import('../../fixtures/https')).httpsRequest(bank.urls.token, {
      method: 'POST', ca: bank.ca, client: bank.tpp,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&grant_type=client_credentials&client_id=${c('tls_client_auth').client_id}`,
    });
    expect(refusal(twice)).toEqual({ status: 400, error: 'invalid_request', rule: 'TOKEN-REQUEST-FORMAT' });
    const big = await tokenRequest(bank, { grant_type: 'client_credentials', pad: 'x'.repeat(70_000) }, { transport: bank.tpp });
    expect(refusal(big)).toEqual({ status: 400, error: 'invalid_request', rule: 'TOKEN-REQUEST-FORMAT' });
  });

  test('TOKEN-GRANT-TYPE: authorization_code here is unsupported_grant_type', async () => {
    const res = await tokenRequest(bank, { grant_type: 'password', client_id: c('tls_client_auth').client_id }, { transport: bank.tpp });
    expect(refusal(res)).toEqual({ status: 400, error: 'unsupported_grant_type', rule: 'TOKEN-GRANT-TYPE' });
  });

  test('TOKEN-GRANT-REGISTERED: a client without the client_credentials grant is unauthorized_client', async () => {
    const cl = await registerClient(tpp, 'client_secret_post', { grant_types: ['authorization_code'] });
    const res = await requestToken(bank, cl);
    expect(refusal(res)).toEqual({ status: 400, error: 'unauthorized_client', rule: 'TOKEN-GRANT-REGISTERED' });
  });

  test('TOKEN-CLIENT-AUTH: unknown client, no authentication, two methods, a method other than the registered one', async () => {
    const unknown = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: 'nope' }, { transport: bank.tpp });
    expect(refusal(unknown)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-CLIENT-AUTH' });
    const none = await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp });
    expect(refusal(none)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-CLIENT-AUTH' });
    const s = c('client_secret_basic');
    const two = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: s.client_id, client_secret: s.client_secret! }, { transport: bank.tpp, headers: { authorization: basicAuth(s.client_id, s.client_secret!) } });
    expect(refusal(two)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-CLIENT-AUTH' });
    expect(two.headers['www-authenticate']).toMatch(/^Basic/);
    const other = await requestToken(bank, s, { method: 'client_secret_post' });
    expect(refusal(other)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-CLIENT-AUTH' });
  });

  test('TOKEN-SECRET: a wrong Basic secret is 401 with WWW-Authenticate: Basic; a wrong post secret is 401 with the client_secret_post challenge', async () => {
    const s = c('client_secret_basic');
    const basic = await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp, headers: { authorization: basicAuth(s.client_id, 'wrong') } });
    expect(refusal(basic)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-SECRET' });
    expect(basic.headers['www-authenticate']).toMatch(/^Basic/);
    const p = c('client_secret_post');
    const post = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: p.client_id, client_secret: `${p.client_secret}x` }, { transport: bank.tpp });
    expect(refusal(post)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-SECRET' });
    expect(post.headers['www-authenticate']).toBe('client_secret_post realm="token"');
  });

  test('TOKEN-TLS-DN: a trusted certificate with another subject DN is refused', async () => {
    const other = await issueTransportCert(bank.certs.ca, { ...bank.tpp, software_id: 'Other1234567890', org_id: '0015800001ZZZZZAAA' });
    const res = await requestToken(bank, c('tls_client_auth'), { client: other });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-TLS-DN' });
  });

  test('tls_client_auth: no certificate, or one from an untrusted CA, is refused', async () => {
    const none = await requestToken(bank, c('tls_client_auth'), { client: null });
    expect(refusal(none)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-REQUIRED' });
    const rogue = await issueTransportCert(await createCa('Rogue CA'), bank.tpp);
    const res = await requestToken(bank, c('tls_client_auth'), { client: rogue });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-TRUSTED' });
  });

  test('TOKEN-ASSERTION-ALG: alg none and HS256 assertions are refused', async () => {
    const claims = assertionClaims(bank, c('private_key_jwt').client_id);
    const none = await tokenRequest(bank, assertionForm(unsignedJws(claims)));
    expect(refusal(none)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-ASSERTION-ALG' });
    const hs = await tokenRequest(bank, assertionForm(await hmacJws(claims, new TextEncoder().encode('x'.repeat(32)))));
    expect(refusal(hs)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-ASSERTION-ALG' });
  });

  test('TOKEN-ASSERTION-SIGNATURE: an assertion signed by a key outside the software JWKS', async () => {
    const stranger = await signingKey('PS256');
    const res = await tokenRequest(bank, assertionForm(await signJws(assertionClaims(bank, c('private_key_jwt').client_id), stranger, { kid: undefined })));
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-ASSERTION-SIGNATURE' });
  });

  test.each([
    ['a foreign aud', { aud: 'https://elsewhere.example.com/token' }],
    ['no exp', { exp: undefined }],
    ['an expired exp', { exp: Math.floor(Date.now() / 1000) - 600 }],
    ['an exp two hours away (over the profile\'s 60-minute cap)', { exp: Math.floor(Date.now() / 1000) + 7200 }],
    ['sub not the client_id', { sub: 'someone-else' }],
    ['no jti', { jti: undefined }],
  ])('TOKEN-ASSERTION-CLAIMS: %s', async (_name, overrides) => {
    const res = await tokenRequest(bank, assertionForm(await clientAssertion(bank, c('private_key_jwt'), overrides)));
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-ASSERTION-CLAIMS' });
  });

  test('TOKEN-ASSERTION-REPLAY: the same assertion twice is refused the second time', async () => {
    const assertion = await clientAssertion(bank, c('private_key_jwt'));
    expect((await tokenRequest(bank, assertionForm(assertion))).status).toBe(200);
    const again = await tokenRequest(bank, assertionForm(assertion));
    expect(refusal(again)).toEqual({ status: 401, error: 'invalid_client', rule: 'TOKEN-ASSERTION-REPLAY' });
  });

  test('TOKEN-SCOPE: a scope the client did not register is invalid_scope', async () => {
    const res = await requestToken(bank, c('tls_client_auth'), { scope: 'accounts fundsconfirmations' });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_scope', rule: 'TOKEN-SCOPE' });
  });

  test('the error body never carries the presented secret', async () => {
    const s = c('client_secret_post');
    const res = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: s.client_id, client_secret: 'my-wrong-secret-value' }, { transport: bank.tpp });
    expect(res.text).not.toContain('my-wrong-secret-value');
  });
});

describe('POST /token: faults switch rules off', () => {
  let faulty: MockBank;
  let ftpp: TestTpp;
  beforeAll(async () => {
    faulty = await startMockBank({ faults: ['TOKEN-GRANT-TYPE', 'TOKEN-TLS-DN', 'TOKEN-SECRET', 'TOKEN-ASSERTION-SIGNATURE', 'TOKEN-ASSERTION-CLAIMS', 'TOKEN-ASSERTION-REPLAY', 'TOKEN-SCOPE', 'TOKEN-ASSERTION-ALG', 'TOKEN-CERT-BOUND', 'TOKEN-GRANT-REGISTERED'] });
    ftpp = await createTpp(faulty);
  });
  afterAll(() => faulty.close());

  test('each switched-off rule lets its failing request through', async () => {
    const tls = await registerClient(ftpp, 'tls_client_auth');
    const other = await issueTransportCert(faulty.certs.ca, { ...faulty.tpp, software_id: 'Other1234567890', org_id: '0015800001ZZZZZAAA' });
    expect((await requestToken(faulty, tls, { client: other })).status).toBe(200); // TOKEN-TLS-DN
    expect((await tokenRequest(faulty, { grant_type: 'password', client_id: tls.client_id }, { transport: faulty.tpp })).status).toBe(200); // TOKEN-GRANT-TYPE
    expect((await requestToken(faulty, tls, { scope: 'fundsconfirmations' })).status).toBe(200); // TOKEN-SCOPE
    const sec = await registerClient(ftpp, 'client_secret_post', { grant_types: ['authorization_code'] });
    const wrong = await tokenRequest(faulty, { grant_type: 'client_credentials', client_id: sec.client_id, client_secret: 'wrong' }, { transport: faulty.tpp });
    expect(wrong.status).toBe(200); // TOKEN-SECRET, TOKEN-GRANT-REGISTERED
    const hash = createHash('sha256').update((wrong.json as { access_token: string }).access_token).digest('base64url');
    expect((await faulty.store.getToken(hash))?.cnf).toBeUndefined(); // TOKEN-CERT-BOUND
    const pkj = await registerClient(ftpp, 'private_key_jwt');
    const stranger = await signingKey('PS256');
    const forged = await signJws(assertionClaims(faulty, pkj.client_id, { aud: 'https://elsewhere.example.com' }), stranger);
    expect((await tokenRequest(faulty, assertionForm(forged))).status).toBe(200); // SIGNATURE, CLAIMS
    expect((await tokenRequest(faulty, assertionForm(forged))).status).toBe(200); // REPLAY
    const hs = await hmacJws(assertionClaims(faulty, pkj.client_id), new TextEncoder().encode('x'.repeat(32)));
    expect((await tokenRequest(faulty, assertionForm(hs))).status).toBe(200); // TOKEN-ASSERTION-ALG (signature off too)
  });
});
