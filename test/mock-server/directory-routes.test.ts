import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { httpsRequest } from '../../fixtures/https';
import { signingKey } from '../../fixtures/keys';
import { publicJwks } from '../../fixtures/registration';
import { createLogger } from '../../mock-server/logger';
import type { Credentials } from '../../fixtures/https';

let bank: MockBank;
const logLines: string[] = [];
beforeAll(async () => {
  bank = await startMockBank({ logger: createLogger('warn', (l) => logLines.push(l)) });
});
afterAll(() => bank.close());

const post = (body: string, opts: { client?: Credentials; secret?: string } = {}) =>
  httpsRequest(`${bank.urls.directory}/ssa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.secret ? { authorization: `Bearer ${opts.secret}` } : {}) },
    body,
    ca: bank.ca,
    ...(opts.client ? { client: opts.client } : {}),
  });
const hostedKids = async (softwareId: string) =>
  ((await httpsRequest(`${bank.urls.directory}/software/${softwareId}/jwks`, { ca: bank.ca })).json as { keys?: Array<{ kid: string }> }).keys?.map((k) => k.kid) ?? [];

describe('the mock directory over HTTPS (no client certificate needed for a new software_id)', () => {
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

describe('a software_id belongs to its first registrant (issue 11: the takeover)', () => {
  test('the mock TPP\'s software_id is its transport certificate\'s from the start: anyone else 403, the key not hosted, the log says why', async () => {
    const attacker = await signingKey('ES256');
    const body = JSON.stringify({ software_id: bank.tpp.software_id, jwks: publicJwks(attacker) });
    for (const client of [undefined, { cert: bank.altTpp.cert, key: bank.altTpp.key }]) {
      const res = await post(body, client ? { client } : {});
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: 'access_denied', error_description: expect.stringMatching(/registered with this directory by another party/) });
      const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.interaction_id === res.headers['x-fapi-interaction-id']);
      expect(logged).toMatchObject({ level: 'warn', msg: 'directory refused a mint', software_id: bank.tpp.software_id, status: 403, reason: expect.stringMatching(/another party/) });
    }
    expect(await hostedKids(bank.tpp.software_id)).not.toContain(attacker.kid);
    const own = await signingKey('ES256');
    const res = await post(JSON.stringify({ software_id: bank.tpp.software_id, jwks: publicJwks(own) }), { client: { cert: bank.tpp.cert, key: bank.tpp.key } });
    expect(res.status).toBe(201);
    expect(res.json).not.toHaveProperty('software_secret');
    expect(await hostedKids(bank.tpp.software_id)).toContain(own.kid);
  });

  test('a new software_id minted with a client certificate is bound to it; the secret returned once works too', async () => {
    const alt = { cert: bank.altTpp.cert, key: bank.altTpp.key };
    const first = await post(JSON.stringify({ software_id: 'boundToAlt1', jwks: publicJwks(await signingKey('ES256')) }), { client: alt });
    expect(first.status).toBe(201);
    const secret = (first.json as { software_secret: string }).software_secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await post(JSON.stringify({ software_id: 'boundToAlt1', jwks: publicJwks(await signingKey('ES256')) }), { client: alt });
    expect([again.status, (again.json as Record<string, unknown>).software_secret]).toEqual([201, undefined]);
    expect((await post(JSON.stringify({ software_id: 'boundToAlt1' }), { client: { cert: bank.tpp.cert, key: bank.tpp.key } })).status).toBe(403);
    expect((await post(JSON.stringify({ software_id: 'boundToAlt1' }))).status).toBe(403);
    expect((await post(JSON.stringify({ software_id: 'boundToAlt1', jwks: publicJwks(await signingKey('ES256')) }), { secret })).status).toBe(201);
    expect(await hostedKids('boundToAlt1')).toHaveLength(3);
  });

  test('a new software_id minted without a certificate: only its software_secret (Authorization: Bearer) mints again', async () => {
    const first = await post(JSON.stringify({ software_id: 'secretOnly1' }));
    expect(first.status).toBe(201);
    const secret = (first.json as { software_secret: string }).software_secret;
    expect((await post(JSON.stringify({ software_id: 'secretOnly1' }))).status).toBe(403);
    expect((await post(JSON.stringify({ software_id: 'secretOnly1' }), { secret: 'wrong' })).status).toBe(403);
    expect((await post(JSON.stringify({ software_id: 'secretOnly1' }), { client: { cert: bank.tpp.cert, key: bank.tpp.key } })).status).toBe(403);
    expect((await post(JSON.stringify({ software_id: 'secretOnly1' }), { secret })).status).toBe(201);
  });

  test('the generated key follows the profile: ES256 under obie; PS256 under revolut (PS256 only)', async () => {
    const es = await post('{}');
    expect((es.json as { signing_key: { alg: string } }).signing_key.alg).toBe('ES256');
    const revolut = await startMockBank({ profile: 'revolut' });
    try {
      const ps = await httpsRequest(`${revolut.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', ca: revolut.ca });
      expect((ps.json as { signing_key: { alg: string; kty: string } }).signing_key).toMatchObject({ alg: 'PS256', kty: 'RSA' });
    } finally {
      await revolut.close();
    }
  });
});


test('a restart on the same certs dir still serves the hosted keys and knows their owners (written on close)', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const certsDir = mkdtempSync(join(tmpdir(), 'dir-restart-'));
  const key = await signingKey('ES256');
  const first = await startMockBank({ certsDir });
  const mint = (b: MockBank, body: unknown, secret?: string) =>
    httpsRequest(`${b.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) }, body: JSON.stringify(body), ca: b.ca });
  const created = await mint(first, { software_id: 'restart1', jwks: publicJwks(key) });
  const secret = (created.json as { software_secret: string }).software_secret;
  await first.close();
  const second = await startMockBank({ certsDir, port: 0 });
  try {
    const hosted = await httpsRequest(`${second.urls.directory}/software/restart1/jwks`, { ca: second.ca });
    expect((hosted.json as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)).toEqual([key.kid]);
    expect((await mint(second, { software_id: 'restart1' })).status).toBe(403);
    expect((await mint(second, { software_id: 'restart1', jwks: publicJwks(key) }, secret)).status).toBe(201);
  } finally {
    await second.close();
  }
}, 60_000);

// Issue 24: email-deferred (RSA keys generated for mints without jwks, ~0.3 s each) answered 503
// to a burst of mints with no outage anywhere: the key-generation queue was full. That is load the
// callers made, not an outage: 429 with Retry-After and a clear error, never a 5xx.
test('a burst of mints without jwks on a PS256 profile: 201 or 429 with Retry-After, never 5xx', async () => {
  const deferred = await startMockBank({ profile: 'email-deferred', directoryKeygenQueue: 0 });
  try {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        httpsRequest(`${deferred.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', ca: deferred.ca }),
      ),
    );
    expect(answers.some((a) => a.status === 201)).toBe(true);
    for (const a of answers) {
      expect([201, 429]).toContain(a.status);
      if (a.status !== 429) continue;
      expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((a.json as { error_description: string }).error_description).toMatch(/DIRECTORY_KEYGEN_QUEUE/);
    }
  } finally {
    await deferred.close();
  }
}, 60_000);
