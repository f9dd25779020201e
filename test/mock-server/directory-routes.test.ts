import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { httpsRequest } from '../../fixtures/https';
import { signingKey } from '../../fixtures/keys';

let bank: MockBank;
beforeAll(async () => {
  bank = await startMockBank();
});
afterAll(() => bank.close());

const post = (body: string) =>
  httpsRequest(`${bank.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ca: bank.ca });

describe('the mock directory over HTTPS (no client certificate needed)', () => {
  test('POST /directory/ssa mints, hosting the given JWKS at software_jwks_endpoint', async () => {
    const k = await signingKey();
    const res = await post(JSON.stringify({ jwks: { keys: [k.publicJwk] } }));
    expect(res.status).toBe(201);
    const body = res.json as Record<string, string>;
    expect(body.software_statement!.split('.')).toHaveLength(3);
    const hosted = await httpsRequest(body.software_jwks_endpoint!, { ca: bank.ca });
    expect(hosted.status).toBe(200);
    expect((hosted.json as { keys: Array<{ kid: string }> }).keys.map((x) => x.kid)).toContain(k.kid);
  });

  test('an empty body mints with generated values and returns the generated key once', async () => {
    const res = await post('');
    expect(res.status).toBe(201);
    expect((res.json as { signing_key: { d: string } }).signing_key.d).toBeDefined();
  });

  test.each([
    ['{"software_roles":["ROOT"]}', 'invalid_request'],
    ['{not json', 'invalid_request'],
    ['{"jwks":{"keys":[{"kty":"RSA","n":"x","e":"AQAB","d":"secret","kid":"a"}]}}', 'invalid_request'],
  ])('%s: 400 %s', async (body, error) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toBe(error);
  });

  test('an oversize body: 400 HTTP-BODY-SIZE', async () => {
    const res = await post(JSON.stringify({ pad: 'x'.repeat(bank.config.maxBodyBytes) }));
    expect(res.status).toBe(400);
    expect((res.json as { error_description: string }).error_description).toMatch(/^HTTP-BODY-SIZE/);
  });

  test('an unknown software JWKS: 404 JSON', async () => {
    const res = await httpsRequest(`${bank.urls.directory}/software/nope/jwks`, { ca: bank.ca });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: 'not_found' });
  });

  test('GET /directory/jwks lists the PS256 signing key, public only', async () => {
    const res = await httpsRequest(`${bank.urls.directory}/jwks`, { ca: bank.ca });
    const key = (res.json as { keys: Array<Record<string, string>> }).keys[0]!;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'PS256', use: 'sig' });
    expect(key).not.toHaveProperty('d');
  });
});
