/** A wrong method on a known path is 405 with Allow (RFC 9110 15.5.6), on every profile's paths; unknown paths stay 404. */
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { httpsRequest, type HttpExchange } from '../../fixtures/https';

const answer = (res: HttpExchange) => ({ status: res.status, allow: res.headers.allow });
const send = (bank: MockBank, method: string, path: string) => httpsRequest(`${bank.url}${path}`, { method, ca: bank.ca, client: bank.tpp });

describe('obie', () => {
  let bank: MockBank;
  beforeAll(async () => {
    bank = await startMockBank();
  });
  afterAll(() => bank.close());

  test.each([
    ['PATCH', '/register/some-client', 'GET, PUT, DELETE'],
    ['POST', '/register/some-client', 'GET, PUT, DELETE'],
    ['GET', '/register', 'POST'],
    ['PUT', '/register', 'POST'],
    ['DELETE', '/register', 'POST'],
    ['GET', '/token', 'POST'],
    ['PUT', '/token', 'POST'],
    ['POST', '/.well-known/openid-configuration', 'GET'],
    ['DELETE', '/jwks', 'GET'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    const res = await send(bank, method, path);
    expect(answer(res)).toEqual({ status: 405, allow });
    expect((res.json as { error: string }).error).toBe('method_not_allowed');
  });

  test('PATCH on a client names the rule MGT-METHOD-ALLOWED', async () => {
    expect((await send(bank, 'PATCH', '/register/some-client')).headers['x-dcr-rule']).toBe('MGT-METHOD-ALLOWED');
  });

  test('OPTIONS answers 204 with Allow; HEAD is served where GET is; an unknown path is still 404', async () => {
    expect(answer(await send(bank, 'OPTIONS', '/register'))).toEqual({ status: 204, allow: 'POST' });
    expect(answer(await send(bank, 'OPTIONS', '/register/x'))).toEqual({ status: 204, allow: 'GET, PUT, DELETE' });
    expect((await send(bank, 'HEAD', '/.well-known/openid-configuration')).status).toBe(200);
    expect(answer(await send(bank, 'GET', '/nowhere'))).toEqual({ status: 404, allow: undefined });
    expect(answer(await send(bank, 'PATCH', '/register/x/y'))).toEqual({ status: 404, allow: undefined });
  });
});

describe('other profiles\' paths', () => {
  test('cpb-sandbox with MANAGEMENT_DELETE=false: DELETE and PATCH both 405 with Allow: GET, PUT, no body', async () => {
    const bank = await startMockBank({ profile: 'cpb-sandbox', managementDelete: false });
    try {
      for (const method of ['DELETE', 'PATCH']) {
        const res = await send(bank, method, '/open-banking/v3.1/register/some-client');
        expect([method, answer(res), res.text, res.headers['x-dcr-rule']]).toEqual([method, { status: 405, allow: 'GET, PUT' }, '', 'MGT-METHOD-ALLOWED']);
      }
      expect(answer(await send(bank, 'GET', '/open-banking/v3.1/register'))).toEqual({ status: 405, allow: 'POST' });
    } finally {
      await bank.close();
    }
  });

  test('wso2: its token and discovery paths', async () => {
    const bank = await startMockBank({ profile: 'wso2' });
    try {
      expect(answer(await send(bank, 'GET', '/oauth2/token'))).toEqual({ status: 405, allow: 'POST' });
      expect(answer(await send(bank, 'POST', '/oauth2/token/.well-known/openid-configuration'))).toEqual({ status: 405, allow: 'GET' });
      expect(answer(await send(bank, 'POST', '/oauth2/jwks'))).toEqual({ status: 405, allow: 'GET' });
      expect(answer(await send(bank, 'PATCH', '/open-banking/0.1/register/x'))).toEqual({ status: 405, allow: 'GET, PUT, DELETE' });
    } finally {
      await bank.close();
    }
  });

  test('revolut documents no management: /register/{id} stays unknown (404), /register is POST only', async () => {
    const bank = await startMockBank({ profile: 'revolut' });
    try {
      expect(answer(await send(bank, 'GET', '/register/x'))).toEqual({ status: 404, allow: undefined });
      expect(answer(await send(bank, 'GET', '/register'))).toEqual({ status: 405, allow: 'POST' });
    } finally {
      await bank.close();
    }
  });

  test('email-deferred documents no 405 (errors.wrongMethod: not-found): its ResourceUnknown 404, as for an unknown path', async () => {
    const bank = await startMockBank({ profile: 'email-deferred' });
    try {
      for (const [method, path] of [['GET', '/api/open-banking/v3.1/tpp/register'], ['GET', '/api/open-banking/v3.1/tpp/token'], ['POST', '/.well-known/openid-configuration']] as const) {
        const res = await send(bank, method, path);
        expect([path, answer(res), res.json]).toEqual([path, { status: 404, allow: undefined }, { tppMessages: [{ category: 'ResourceUnknown', code: 404, text: 'The addressed resource is unknown relative to the TPP.' }] }]);
      }
    } finally {
      await bank.close();
    }
  });
});
