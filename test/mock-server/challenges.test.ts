/**
 * RFC 7235 3.1: a 401 "MUST send a WWW-Authenticate header field containing at least one
 * challenge"; RFC 6749 5.2: Basic when the client used Basic; RFC 6750 3: Bearer on management.
 * Each 401 the mock answers, on each profile kind, and its challenge.
 */
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { basicAuth, getToken, manageClient, registerClient, requestToken, tokenRequest, type RegisteredClient } from '../../fixtures/token';
import { JWT_BEARER_ASSERTION } from '../../mock-server/core/token';
import { issueTransportCert } from '../../mock-server/tls/certs';
import { createCa } from '../../common/certs';
import { httpsRequest, type HttpExchange } from '../../fixtures/https';
import { signJws } from '../../fixtures/registration';
import { signingKey } from '../../fixtures/keys';

const ALL = 'tls_client_auth realm="token", private_key_jwt realm="token", Basic realm="token", client_secret_post realm="token"';
const challenge = (res: HttpExchange) => ({ status: res.status, challenge: res.headers['www-authenticate'] });

describe('obie: every 401 names a challenge', () => {
  let bank: MockBank;
  let tpp: TestTpp;
  const clients: Partial<Record<RegisteredClient['method'], RegisteredClient>> = {};
  beforeAll(async () => {
    bank = await startMockBank();
    tpp = await createTpp(bank);
    for (const m of ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const) clients[m] = await registerClient(tpp, m);
  });
  afterAll(() => bank.close());

  test('token endpoint: Basic refused answers Basic (RFC 6749 5.2)', async () => {
    const s = clients.client_secret_basic!;
    const res = await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp, headers: { authorization: basicAuth(s.client_id, 'wrong') } });
    expect(challenge(res)).toEqual({ status: 401, challenge: 'Basic realm="token"' });
    const malformed = await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp, headers: { authorization: 'Basic !!!' } });
    expect(challenge(malformed)).toEqual({ status: 401, challenge: 'Basic realm="token"' });
  });

  test('token endpoint: a known client refused is told its own method', async () => {
    const p = clients.client_secret_post!;
    const post = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: p.client_id, client_secret: 'wrong' }, { transport: bank.tpp });
    expect(challenge(post)).toEqual({ status: 401, challenge: 'client_secret_post realm="token"' });
    const noCert = await requestToken(bank, clients.tls_client_auth!, { client: null });
    expect(challenge(noCert)).toEqual({ status: 401, challenge: 'tls_client_auth realm="token"' });
    const rogue = await requestToken(bank, clients.tls_client_auth!, { client: await issueTransportCert(await createCa('Rogue CA'), bank.tpp) });
    expect(challenge(rogue)).toEqual({ status: 401, challenge: 'tls_client_auth realm="token"' });
    const stranger = await signingKey('PS256');
    const forged = await signJws({ iss: clients.private_key_jwt!.client_id, sub: clients.private_key_jwt!.client_id, aud: bank.urls.token, exp: Math.floor(Date.now() / 1000) + 60, jti: 'j1' }, stranger);
    const pkj = await tokenRequest(bank, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: forged });
    expect(challenge(pkj)).toEqual({ status: 401, challenge: 'private_key_jwt realm="token"' });
    const wrongMethod = await requestToken(bank, clients.client_secret_basic!, { method: 'client_secret_post' });
    expect(challenge(wrongMethod)).toEqual({ status: 401, challenge: 'Basic realm="token"' });
  });

  test('token endpoint: every other invalid_client refusal carries the client\'s challenge', async () => {
    const pkj = clients.private_key_jwt!;
    const now = Math.floor(Date.now() / 1000);
    const form = (assertion: string) => ({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion });
    const cases: Array<[string, Promise<HttpExchange>, string]> = [
      ['TOKEN-TLS-DN', issueTransportCert(bank.certs.ca, { ...bank.tpp, software_id: 'Other1234567890', org_id: '0015800001ZZZZZAAA' }).then((other) => requestToken(bank, clients.tls_client_auth!, { client: other })), 'tls_client_auth realm="token"'],
      ['TOKEN-ASSERTION-ALG', tokenRequest(bank, form(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: pkj.client_id, sub: pkj.client_id, aud: bank.urls.token, exp: now + 60, jti: 'n1' })).toString('base64url')}.`)), 'private_key_jwt realm="token"'],
      ['TOKEN-ASSERTION-CLAIMS', signJws({ iss: pkj.client_id, sub: pkj.client_id, aud: 'https://elsewhere.example', exp: now + 60, jti: 'c1' }, pkj.key).then((a) => tokenRequest(bank, form(a))), 'private_key_jwt realm="token"'],
    ];
    for (const [rule, res, expected] of cases) {
      const r = await res;
      expect([rule, challenge(r), r.headers['x-dcr-rule']]).toEqual([rule, { status: 401, challenge: expected }, rule]);
    }
    const once = await signJws({ iss: pkj.client_id, sub: pkj.client_id, aud: bank.urls.token, exp: now + 60, jti: 'r1' }, pkj.key);
    expect((await tokenRequest(bank, form(once))).status).toBe(200);
    expect(challenge(await tokenRequest(bank, form(once)))).toEqual({ status: 401, challenge: 'private_key_jwt realm="token"' });
  });

  test('token endpoint: no or unknown client is offered every method the bank offers', async () => {
    expect(challenge(await tokenRequest(bank, { grant_type: 'client_credentials' }, { transport: bank.tpp }))).toEqual({ status: 401, challenge: ALL });
    expect(challenge(await tokenRequest(bank, { grant_type: 'client_credentials', client_id: 'nope' }, { transport: bank.tpp }))).toEqual({ status: 401, challenge: ALL });
    // A client_assertion that is not a JWS fails before any client is known.
    const garbled = await tokenRequest(bank, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'not-a-jws' });
    expect(challenge(garbled)).toEqual({ status: 401, challenge: ALL });
  });

  test('registration: a missing or untrusted transport certificate answers an mTLS challenge', async () => {
    const jwt = await tpp.sign(tpp.claims());
    expect(challenge(await tpp.register(jwt, { client: null }))).toEqual({ status: 401, challenge: 'mTLS realm="register"' });
    const rogue = await issueTransportCert(await createCa('Rogue CA'), bank.tpp);
    expect(challenge(await tpp.register(jwt, { client: rogue }))).toEqual({ status: 401, challenge: 'mTLS realm="register"' });
  });

  test('management: Bearer, with invalid_token when a token was presented (RFC 6750 3)', async () => {
    const c = clients.client_secret_basic!;
    const token = await getToken(bank, c);
    expect(challenge(await manageClient(bank, 'GET', c.client_id, undefined))).toEqual({ status: 401, challenge: 'Bearer' });
    expect(challenge(await manageClient(bank, 'GET', c.client_id, 'unknown-token'))).toEqual({ status: 401, challenge: 'Bearer error="invalid_token"' });
    expect(challenge(await manageClient(bank, 'GET', c.client_id, token, { client: null }))).toEqual({ status: 401, challenge: 'Bearer error="invalid_token"' });
    expect(challenge(await manageClient(bank, 'DELETE', 'no-such-client', token))).toEqual({ status: 401, challenge: 'Bearer error="invalid_token"' });
    // PUT without a certificate: refused before the token is read; still a Bearer challenge.
    const put = await manageClient(bank, 'PUT', c.client_id, token, { body: await tpp.sign(tpp.claims()), client: null });
    expect(challenge(put)).toEqual({ status: 401, challenge: 'Bearer realm="register"' });
  });
});

describe('other profiles: their 401s carry a challenge too', () => {
  test('cpb-sandbox: a GET without its required headers (remapped to 401) and a wrong portal secret', async () => {
    const bank = await startMockBank({ profile: 'cpb-sandbox' });
    try {
      const get = await httpsRequest(`${bank.urls.register}/some-client`, { ca: bank.ca });
      expect(challenge(get)).toEqual({ status: 401, challenge: 'Bearer realm="register"' });
      const portal = await tokenRequest(bank, { grant_type: 'client_credentials' }, { headers: { authorization: basicAuth(bank.portal!.client_id, 'wrong') } });
      expect(challenge(portal)).toEqual({ status: 401, challenge: 'Basic realm="token"' });
      const none = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: bank.portal!.client_id });
      expect(challenge(none)).toEqual({ status: 401, challenge: 'Basic realm="token"' });
    } finally {
      await bank.close();
    }
  });

  test('email-deferred: an immediate 401 class (no software_statement: WrongRequiredFields) answers a JWS challenge', async () => {
    const bank = await startMockBank({ profile: 'email-deferred' });
    try {
      const tpp = await createTpp(bank);
      const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: undefined })), { contentType: 'application/jwt', client: null });
      expect(challenge(res)).toEqual({ status: 401, challenge: 'JWS realm="register"' });
    } finally {
      await bank.close();
    }
  });

  test('revolut: an unknown client at /token is offered tls_client_auth only', async () => {
    const bank = await startMockBank({ profile: 'revolut' });
    try {
      const res = await tokenRequest(bank, { grant_type: 'client_credentials', client_id: 'nope' }, { transport: bank.tpp });
      expect(challenge(res)).toEqual({ status: 401, challenge: 'tls_client_auth realm="token"' });
    } finally {
      await bank.close();
    }
  });
});
