/**
 * The email-deferred profile against seed 004 (a bank's "Dedicated Interface" TPP registration),
 * over real HTTPS, with a real SMTP server on 127.0.0.1 receiving the deferred result.
 * The seed's request is replayed re-signed with the test key and a test SSA carrying the seed's
 * software_id, redirect URIs and org_contacts; and replayed as published, to see its errors emailed.
 */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { signingKey } from '../../../fixtures/keys';
import { decodePayload, signJws } from '../../../fixtures/registration';
import { httpsRequest, type HttpExchange } from '../../../fixtures/https';
import { mailResult, startSmtp, type ReceivedMail, type TestSmtp } from '../../../fixtures/smtp';
import { basicAuth, tokenRequest } from '../../../fixtures/token';
import * as seed from '../../../fixtures/seed-samples/email-deferred';

const TECHNICAL = 'contact@contact.com';
let smtp: TestSmtp;
let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  smtp = await startSmtp();
  // aud: "the unique identifier for the ASPSP issued by the issuer of the software statement": the seed's.
  bank = await startMockBank({ profile: 'email-deferred', smtpUrl: smtp.url, bankOrgId: seed.registrationClaims.aud });
  tpp = await createTpp(bank, {
    software_id: seed.registrationClaims.software_id,
    software_redirect_uris: [...seed.ssaClaims.software_redirect_uris],
    software_roles: [...seed.ssaClaims.software_roles],
    org_contacts: structuredClone(seed.ssaClaims.org_contacts),
    software_client_name: seed.ssaClaims.software_client_name,
  });
});
afterAll(async () => {
  await bank.close();
  await smtp.close();
});

/** The seed's claims, with the test SSA, fresh times, a redirect URI of the SSA and the documented scopes. */
function seedClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const c: Record<string, unknown> = {
    ...structuredClone(seed.registrationClaims),
    software_statement: tpp.minted.software_statement,
    iat: now,
    exp: now + 300,
    redirect_uris: [seed.ssaClaims.software_redirect_uris[0]],
    scope: 'openid accounts payments',
    ...overrides,
  };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete c[k];
  return c;
}

const post = (body: string, contentType = 'application/jwt') => tpp.register(body, { contentType, client: null });

/** The mail carrying the result of the request answered by res. */
function resultMail(res: HttpExchange): Promise<ReceivedMail> {
  const ref = String(res.headers['x-fapi-interaction-id']);
  return smtp.waitFor((m) => m.text.includes(`Reference: ${ref}`));
}

type TppMessages = { tppMessages: Array<{ category: string; code: number; text: string }> };
type Entry = { ref: string; to: string; subject: string; result: unknown; delivery: { status: string; attempts?: number; error?: string; reason?: string } };

/** The outbox entry of the request answered by res, once it satisfies `done` (GET /__admin/outbox, polled). */
async function outboxEntry(b: MockBank, res: HttpExchange, done: (e: Entry) => boolean = () => true, timeoutMs = 8000): Promise<Entry> {
  const ref = res.headers['x-fapi-interaction-id'];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = ((await httpsRequest(`${b.url}/__admin/outbox`, { ca: b.ca })).json as { entries: Entry[] }).entries;
    const entry = entries.find((e) => e.ref === ref);
    if (entry && done(entry)) return entry;
    if (Date.now() > deadline) throw new Error(`no finished outbox entry for ${String(ref)} (last: ${JSON.stringify(entry?.delivery)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const rulesOf = (r: unknown) => (r as TppMessages).tppMessages.map((m) => m.text.split(':')[0]);

describe('email-deferred: POST /api/open-banking/v3.1/tpp/register, answered at once', () => {
  test('the seed\'s request, re-signed: 200 {"message":"Request is processed. We will send the response via email."}', async () => {
    const res = await post(await tpp.sign(seedClaims()));
    expect(new URL(bank.urls.register).pathname).toBe('/api/open-banking/v3.1/tpp/register');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(seed.ack);
  });

  test('Content-Type must be application/jwt: otherwise 400 RequestFormatInvalid, at once', async () => {
    const res = await post(await tpp.sign(seedClaims()), 'application/json');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ tppMessages: [{ category: 'RequestFormatInvalid', code: 400, text: expect.stringMatching(/^HTTP-CONTENT-TYPE: /) }] });
  });

  test('a body that is not a JWT: 400 RequestFormatInvalid, at once', async () => {
    const res = await post('not-a-jwt');
    expect(res.status).toBe(400);
    expect(rulesOf(res.json)).toEqual(['JWS-FORMAT']);
    expect((res.json as TppMessages).tppMessages[0]!.category).toBe('RequestFormatInvalid');
  });

  test('an oversize body: 400 RequestFormatInvalid, at once', async () => {
    const res = await post('a'.repeat(bank.config.maxBodyBytes + 10));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ tppMessages: [{ category: 'RequestFormatInvalid', code: 400, text: expect.stringMatching(/^HTTP-BODY-SIZE: /) }] });
  });

  test('no software_statement: 401 WrongRequiredFields, at once (no SSA, nobody to email)', async () => {
    const res = await post(await tpp.sign(seedClaims({ software_statement: undefined })));
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ tppMessages: [{ category: 'WrongRequiredFields', code: 401, text: expect.stringMatching(/^SSA-PRESENT: /) }] });
  });

  test('an SSA without a technical contact email: 401 WrongRequiredFields, at once', async () => {
    const t = await createTpp(bank, { software_id: 'NoContact1', org_contacts: [{ name: 'Business', email: 'b@tpp.example', type: 'Business' }] });
    const res = await t.register(await t.sign(t.claims({ jti: undefined })), { contentType: 'application/jwt', client: null });
    expect(res.status).toBe(401);
    expect(rulesOf(res.json)).toEqual(['SSA-CONTACT']);
  });

  test('an unknown resource: 404 ResourceUnknown exactly as documented', async () => {
    for (const [method, path] of [['GET', '/api/open-banking/v3.1/tpp/unknown'], ['POST', '/api/open-banking/v3.1/tpp/register/123'], ['GET', '/api/open-banking/v3.1/tpp/register']]) {
      const res = await httpsRequest(`${bank.url}${path}`, { method: method!, ca: bank.ca });
      expect([path, res.status, res.json]).toEqual([path, 404, seed.resourceUnknown]);
    }
  });
});

describe('email-deferred: the result, sent by email to the SSA\'s technical contact', () => {
  test('success: the created client\'s credentials (client_secret_basic) reach the technical contact over SMTP', async () => {
    const res = await post(await tpp.sign(seedClaims()));
    const mail = await resultMail(res);
    expect(mail.to).toEqual([TECHNICAL]);
    expect(mail.subject).toBe('TPP registration: client created');
    const client = mailResult(mail) as Record<string, unknown>;
    expect(client).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', software_id: seed.registrationClaims.software_id, response_types: ['code'], scope: 'openid accounts payments' });
    expect(typeof client.client_id).toBe('string');
    expect(typeof client.client_secret).toBe('string');
    expect(await bank.store.getClient(client.client_id as string)).toBeDefined();
  });

  test('the mailed credentials get a client_credentials token at /api/open-banking/v3.1/tpp/token', async () => {
    const client = mailResult(await resultMail(await post(await tpp.sign(seedClaims())))) as { client_id: string; client_secret: string };
    const res = await tokenRequest(bank, { grant_type: 'client_credentials' }, { client: null, headers: { authorization: basicAuth(client.client_id, client.client_secret) } });
    expect(new URL(bank.urls.token).pathname).toBe('/api/open-banking/v3.1/tpp/token');
    expect(res.status).toBe(200);
  });

  test('the seed\'s JWT as published: 200 at once; its SSA does not verify, so nobody is emailed: every error kept in the outbox, undelivered', async () => {
    const res = await post(seed.registrationJwt);
    expect([res.status, res.json]).toEqual([200, seed.ack]);
    const entry = await outboxEntry(bank, res, (e) => e.delivery.status !== 'pending');
    expect(entry).toMatchObject({ to: TECHNICAL, subject: 'TPP registration: refused', delivery: { status: 'undelivered', reason: expect.stringMatching(/software_statement did not verify \(.*SSA-ISSUER.*\).*nobody is emailed/) } });
    expect(smtp.mails.some((m) => m.text.includes(`Reference: ${String(res.headers['x-fapi-interaction-id'])}`))).toBe(false);
    const result = entry.result as TppMessages;
    const byRule = Object.fromEntries(result.tppMessages.map((m) => [m.text.split(':')[0], m.category]));
    // HS256 SSA, an issuer this bank does not trust, an expired request, an http redirect URI, scope makepayment.
    expect(byRule).toMatchObject({
      'SSA-ALG': 'AccessDenied',
      'SSA-ISSUER': 'NotFound',
      'REQ-EXP': 'Invalid',
      'REQ-REDIRECT-HTTPS': 'Invalid',
      'REQ-SCOPE-ROLES': 'Invalid',
    });
    for (const m of result.tppMessages) expect(Object.entries(seed.errorClasses)).toContainEqual([m.category, m.code]);
  });

  test('an SSA naming someone else\'s address, signed with a foreign key under the directory kid: not mailed (SSA-SIGNATURE), kept undelivered', async () => {
    const forger = await signingKey('PS256');
    const victim = 'victim@elsewhere.example';
    const claims = { ...decodePayload(tpp.minted.software_statement), org_contacts: [{ name: 'T', email: victim, type: 'Technical' }] };
    const forged = await signJws(claims, forger, { kid: bank.directory.jwks().keys[0]!.kid });
    const res = await post(await tpp.sign(seedClaims({ software_statement: forged })));
    expect(res.status).toBe(200);
    const entry = await outboxEntry(bank, res, (e) => e.delivery.status !== 'pending');
    expect(entry).toMatchObject({ to: victim, delivery: { status: 'undelivered', reason: expect.stringContaining('SSA-SIGNATURE') } });
    expect(smtp.mails.some((m) => m.to.includes(victim))).toBe(false);
  });

  test('the result is also kept in GET /__admin/outbox, delivered', async () => {
    const res = await post(await tpp.sign(seedClaims()));
    await resultMail(res);
    expect(await outboxEntry(bank, res, (e) => e.delivery.status !== 'pending')).toMatchObject({ to: TECHNICAL, delivery: { status: 'sent', attempts: 1 } });
  });

  test.each([
    ['token_endpoint_auth_method absent: the default client_secret_basic', { token_endpoint_auth_method: undefined }, { token_endpoint_auth_method: 'client_secret_basic' }],
    ['token_endpoint_auth_method private_key_jwt', { token_endpoint_auth_method: 'private_key_jwt' }, { token_endpoint_auth_method: 'private_key_jwt' }],
    ['response_types absent: the default ["code"]', { response_types: undefined }, { response_types: ['code'] }],
    ['application_type mobile', { application_type: 'mobile' }, { application_type: 'mobile' }],
    ['request_object_signing_alg RS256', { request_object_signing_alg: 'RS256' }, { request_object_signing_alg: 'RS256' }],
    ['token_endpoint_auth_signing_alg RS256', { token_endpoint_auth_signing_alg: 'RS256' }, { token_endpoint_auth_signing_alg: 'RS256' }],
    ['software_id absent (optional)', { software_id: undefined }, { software_id: seed.registrationClaims.software_id }],
    ['scope openid accounts (a subset of the four)', { scope: 'openid accounts' }, { scope: 'openid accounts' }],
  ])('accepted: %s', async (_n, overrides, expected) => {
    const mail = await resultMail(await post(await tpp.sign(seedClaims(overrides))));
    expect(mail.subject).toBe('TPP registration: client created');
    expect(mailResult(mail)).toMatchObject(expected);
  });

  test('a request signed RS256 is accepted', async () => {
    const rs = await signingKey('RS256');
    const t = await createTpp(bank, { software_id: 'RsSigned1', jwks: { keys: [rs.publicJwk] }, org_contacts: [{ name: 'T', email: 'rs@tpp.example', type: 'Technical' }] });
    const res = await t.register(await signJws(t.claims({ jti: undefined, token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined, response_types: ['code'] }), rs), { contentType: 'application/jwt', client: null });
    const mail = await resultMail(res);
    expect([mail.to, mail.subject]).toEqual([['rs@tpp.example'], 'TPP registration: client created']);
  });

  test.each([
    ['iss not equal to software_id (WrongRequiredFields)', { iss: 'someoneElse123' }, 'REQ-ISS', 'WrongRequiredFields'],
    ['iss not Base62 (RequestFormatInvalid)', { iss: 'be-Kux', software_id: undefined }, 'REQ-ISS-FORMAT', 'RequestFormatInvalid'],
    ['exp not greater than now (Invalid)', { exp: 1606298169 }, 'REQ-EXP', 'Invalid'],
    ['aud of another bank (Invalid)', { aud: 'another-bank' }, 'REQ-AUD', 'Invalid'],
    ['token_endpoint_auth_method tls_client_auth (Invalid)', { token_endpoint_auth_method: 'tls_client_auth' }, 'REQ-AUTH-METHOD', 'Invalid'],
    ['token_endpoint_auth_signing_alg ES256 (Invalid)', { token_endpoint_auth_signing_alg: 'ES256' }, 'REQ-AUTH-SIGNING-ALG', 'Invalid'],
    ['grant_types absent (Invalid)', { grant_types: undefined }, 'REQ-GRANT-TYPES', 'Invalid'],
    ['grant_types implicit (Invalid)', { grant_types: ['implicit'] }, 'REQ-GRANT-TYPES', 'Invalid'],
    ['response_types "code id_token" (Invalid)', { response_types: ['code id_token'] }, 'REQ-RESPONSE-TYPES', 'Invalid'],
    ['software_id other than the SSA\'s (Invalid)', { software_id: 'otherSoftware1' }, 'REQ-SOFTWARE-ID', 'Invalid'],
    ['redirect_uris absent (WrongRequiredFields)', { redirect_uris: undefined }, 'REQ-REDIRECT-PRESENT', 'WrongRequiredFields'],
    ['a redirect URI outside the SSA (Invalid)', { redirect_uris: ['https://redirect.here'] }, 'REQ-REDIRECT-SUBSET', 'Invalid'],
    ['scope makepayment (Invalid)', { scope: 'makepayment' }, 'REQ-SCOPE-ROLES', 'Invalid'],
    ['scope as an array (RequestFormatInvalid)', { scope: ['openid'] }, 'REQ-SCOPE-FORMAT', 'RequestFormatInvalid'],
    ['application_type native (Invalid)', { application_type: 'native' }, 'REQ-APPLICATION-TYPE', 'Invalid'],
    ['request_object_signing_alg ES256 (Invalid)', { request_object_signing_alg: 'ES256' }, 'REQ-REQUEST-OBJECT-ALG', 'Invalid'],
  ])('refused by email: %s', async (_n, overrides, rule, category) => {
    const res = await post(await tpp.sign(seedClaims(overrides)));
    expect(res.status).toBe(200);
    const mail = await resultMail(res);
    expect(mail.subject).toBe('TPP registration: refused');
    const messages = (mailResult(mail) as TppMessages).tppMessages;
    expect(messages.find((m) => m.text.startsWith(`${rule}:`))).toEqual({ category, code: seed.errorClasses[category as keyof typeof seed.errorClasses], text: expect.any(String) });
  });

  test('a request signed ES256 is refused by email (AccessDenied)', async () => {
    const ec = await signingKey('ES256');
    const t = await createTpp(bank, { software_id: 'EcSigned1', jwks: { keys: [ec.publicJwk] }, org_contacts: [{ name: 'T', email: 'ec@tpp.example', type: 'technical' }] });
    const res = await t.register(await signJws(t.claims({ jti: undefined }), ec), { contentType: 'application/jwt', client: null });
    const messages = (mailResult(await resultMail(res)) as TppMessages).tppMessages;
    expect(messages.find((m) => m.text.startsWith('JWS-ALG:'))).toMatchObject({ category: 'AccessDenied', code: 401 });
  });
});

describe('email-deferred: without SMTP_URL, and the outbox bound', () => {
  test('results are kept in the outbox (not-configured), the oldest dropped past OUTBOX_SIZE', async () => {
    const b = await startMockBank({ profile: 'email-deferred', outboxSize: 2, bankOrgId: seed.registrationClaims.aud });
    try {
      const t = await createTpp(b, { software_id: seed.registrationClaims.software_id, software_redirect_uris: [...seed.ssaClaims.software_redirect_uris], org_contacts: structuredClone(seed.ssaClaims.org_contacts) });
      const refs: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await t.register(await t.sign({ ...seedClaims(), software_statement: t.minted.software_statement }), { contentType: 'application/jwt', client: null });
        refs.push(String(res.headers['x-fapi-interaction-id']));
      }
      let entries: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 50 && !entries.some((e) => e.ref === refs[2]); i++) {
        await new Promise((r) => setTimeout(r, 50));
        entries = ((await httpsRequest(`${b.url}/__admin/outbox`, { ca: b.ca })).json as { entries: Array<Record<string, unknown>> }).entries;
      }
      expect(entries).toHaveLength(2);
      expect(entries.map((e) => e.ref)).toEqual(refs.slice(1));
      expect(entries[0]).toMatchObject({ to: TECHNICAL, delivery: { status: 'not-configured' } });
    } finally {
      await b.close();
    }
  });
});

describe('email-deferred: a failed send is retried, a bounded number of times (SMTP_ATTEMPTS, SMTP_RETRY_MS)', () => {
  /** A bank mailing through an SMTP server refusing messages as `refuse` says, retrying after 20 ms, 40 ms. */
  async function flaky(refuse: (n: number) => number | undefined, run: (b: MockBank, t: TestTpp, s: TestSmtp & { offered: () => number }) => Promise<void>) {
    const s = await startSmtp({ refuse });
    const b = await startMockBank({ profile: 'email-deferred', smtpUrl: s.url, smtpRetryMs: 20, bankOrgId: seed.registrationClaims.aud });
    try {
      const t = await createTpp(b, { software_id: seed.registrationClaims.software_id, software_redirect_uris: [...seed.ssaClaims.software_redirect_uris], org_contacts: structuredClone(seed.ssaClaims.org_contacts) });
      await run(b, t, s);
    } finally {
      await b.close();
      await s.close();
    }
  }
  const register = (b: MockBank, t: TestTpp) => t.sign({ ...seedClaims(), software_statement: t.minted.software_statement }).then((jwt) => t.register(jwt, { contentType: 'application/jwt', client: null }));

  test('two transient refusals (451), then delivered on the third attempt: sent, attempts 3', async () => {
    await flaky((n) => (n <= 2 ? 451 : undefined), async (b, t, s) => {
      const res = await register(b, t);
      const entry = await outboxEntry(b, res, (e) => e.delivery.status !== 'pending');
      expect(entry.delivery).toMatchObject({ status: 'sent', attempts: 3 });
      expect(s.mails).toHaveLength(1);
      expect(s.offered()).toBe(3);
    });
  });

  test('refused every time (451): failed after 3 attempts, the last error kept; no fourth', async () => {
    await flaky(() => 451, async (b, t, s) => {
      const res = await register(b, t);
      const entry = await outboxEntry(b, res, (e) => e.delivery.status !== 'pending');
      expect(entry.delivery).toMatchObject({ status: 'failed', attempts: 3, error: expect.stringMatching(/451/) });
      await new Promise((r) => setTimeout(r, 200));
      expect(s.offered()).toBe(3);
    });
  });

  test('refused for good (550): failed at once, not retried', async () => {
    await flaky(() => 550, async (b, t, s) => {
      const res = await register(b, t);
      const entry = await outboxEntry(b, res, (e) => e.delivery.status !== 'pending');
      expect(entry.delivery).toMatchObject({ status: 'failed', attempts: 1 });
      expect(s.offered()).toBe(1);
    });
  });

  test('while waiting to retry, the outbox shows it pending with the attempts so far', async () => {
    const s = await startSmtp({ refuse: () => 451 });
    const b = await startMockBank({ profile: 'email-deferred', smtpUrl: s.url, smtpRetryMs: 2000, bankOrgId: seed.registrationClaims.aud });
    try {
      const t = await createTpp(b, { software_id: seed.registrationClaims.software_id, software_redirect_uris: [...seed.ssaClaims.software_redirect_uris], org_contacts: structuredClone(seed.ssaClaims.org_contacts) });
      const res = await register(b, t);
      expect((await outboxEntry(b, res, (e) => e.delivery.attempts === 1 && e.delivery.error !== undefined)).delivery).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      await b.close();
      await s.close();
    }
  });
});

