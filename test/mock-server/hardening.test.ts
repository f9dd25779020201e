/**
 * Issue 11: hostile requests that made the mock answer 500. Each class is refused cleanly now:
 * a 4xx with a JSON `{ error, error_description }` (the rule id where one applies), never a stack.
 */
import https from 'node:https';
import { X509Certificate, sign as signBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CompactSign } from 'jose';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { httpsRequest, refusal, type Credentials } from '../../fixtures/https';
import { publicJwks } from '../../fixtures/registration';
import { getToken, requestToken, type RegisteredClient } from '../../fixtures/token';
import { createCa, issueCert } from '../../common/certs';
import { MAX_DESCRIPTION } from '../../mock-server/errors';
import { DnParseError, certSubjectDn, subjectDnOf } from '../../common/dn';
import type { SigningKey } from '../../fixtures/keys';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank();
  tpp = await createTpp(bank);
});
afterAll(() => bank.close());

const LEAKS = [/\bat \S+ \(/, /\/work\//, /node_modules/, /\.ts:\d/];

/** A clean refusal: 4xx, JSON error body, no stack or source path. */
function expectCleanRefusal(res: { status: number; text: string; json: unknown }, status = 400) {
  expect(res.status).toBe(status);
  const body = res.json as { error?: unknown; error_description?: unknown };
  expect(typeof body?.error).toBe('string');
  expect(typeof body?.error_description).toBe('string');
  for (const leak of LEAKS) expect(res.text).not.toMatch(leak);
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Signs a payload given as JSON text, so that it can hold what JSON.stringify cannot write (10,000 levels). */
function signText(payload: string, key: SigningKey, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header } as { alg: string })
    .sign(key.privateKey);
}

/** Valid claims with one claim replaced by JSON nested `depth` levels. */
function claimsWithDeep(claim: string, depth = 10_000): string {
  return JSON.stringify(tpp.claims({ [claim]: '__DEEP__' })).replace('"__DEEP__"', deep(depth));
}

const register = (body: string, headers: Record<string, string> = {}, client: Credentials | null = tpp.transport) =>
  httpsRequest(bank.urls.register, {
    method: 'POST',
    headers: { 'content-type': 'application/jose', ...headers },
    body,
    ca: bank.ca,
    ...(client ? { client } : {}),
  });

/** POST with a raw (binary) body, which httpsRequest does not send. */
function postRaw(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca: bank.ca, agent: false, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('1. a malformed %-escape in a path parameter is 400 invalid_request', () => {
  test.each([
    ['GET', '/register/%ZZ'],
    ['PUT', '/register/%ZZ'],
    ['DELETE', '/register/%E0%A4%A'],
    ['GET', '/__admin/clients/%ZZ'],
    ['GET', '/__admin/clients/%ZZ/credentials'],
    ['GET', '/directory/software/%ZZ/jwks'],
    ['GET', '/directory/software/%/jwks'],
  ])('%s %s', async (method, path) => {
    const res = await httpsRequest(`${bank.url}${path}`, { method, ca: bank.ca, client: tpp.transport, headers: { authorization: 'Bearer abc' } });
    expectCleanRefusal(res);
    expect(res.json).toEqual({ error: 'invalid_request', error_description: 'the path holds a malformed %-escape' });
  });
});

describe('2. JSON nested 10,000 levels deep is refused with a bounded description', () => {
  test.each(['iss', 'aud', 'exp', 'jti', 'redirect_uris', 'scope', 'grant_types', 'software_id', 'token_endpoint_auth_method', 'an_unknown_claim'])(
    'in the request payload claim %s: 400 JWS-FORMAT',
    async (claim) => {
      const res = await register(await signText(claimsWithDeep(claim), tpp.key));
      expectCleanRefusal(res);
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-FORMAT' });
    },
  );

  test('in the request header: 400 JWS-FORMAT', async () => {
    const res = await register(await signText(JSON.stringify(tpp.claims()), tpp.key, { x: JSON.parse(deep(1000)) }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-FORMAT' });
  });

  test('in the SSA payload: 400 SSA-FORMAT', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const ssa = `${b64('{"alg":"PS256"}')}.${b64(`{"iss":"x","deep":${deep(10_000)}}`)}.c2ln`;
    const res = await register(await tpp.sign(tpp.claims({ software_statement: ssa })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-FORMAT' });
  });

  test('64 levels are still accepted: the limit refuses only what no DCR request needs', async () => {
    const res = await register(await signText(claimsWithDeep('an_unknown_claim', 60), tpp.key));
    expect(res.status).toBe(201);
  });

  test('in the POST /directory/ssa body: 400 invalid_request', async () => {
    for (const body of [`{"a":${deep(10_000)}}`, `{"jwks":${deep(10_000)}}`, `{"software_roles":[${deep(10_000)}]}`, deep(10_000)]) {
      const res = await httpsRequest(`${bank.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ca: bank.ca });
      expectCleanRefusal(res);
      expect(res.json).toEqual({ error: 'invalid_request', error_description: 'the body nests JSON deeper than 64 levels' });
    }
  });

  test('in a client assertion at the token endpoint: 400, never 500', async () => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signText(`{"iss":"a","sub":"a","x":${deep(10_000)}}`, tpp.key),
      client_id: 'a',
    });
    const res = await httpsRequest(bank.urls.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), ca: bank.ca, client: tpp.transport });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  test('a huge claim value is shown bounded in the description', async () => {
    const res = await register(await tpp.sign(tpp.claims({ iss: 'x'.repeat(30_000) })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-ISS' });
    const description = (res.json as { error_description: string }).error_description;
    expect(description.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    expect(description).toMatch(/^REQ-ISS: iss "x{200}…" does not equal the SSA software_id/);
  });
});

describe('3. Content-Encoding on a body that is not compressed is 400, never 500', () => {
  test.each(['gzip', 'deflate', 'br'])('POST /directory/ssa with Content-Encoding %s', async (encoding) => {
    const res = await httpsRequest(`${bank.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: '{}', ca: bank.ca });
    expectCleanRefusal(res);
    expect(res.json).toEqual({ error: 'invalid_request', error_description: `the body could not be decompressed as Content-Encoding "${encoding}"` });
  });

  test('an unknown Content-Encoding on POST /directory/ssa is 400', async () => {
    const res = await httpsRequest(`${bank.urls.directory}/ssa`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'x-bogus' }, body: '{}', ca: bank.ca });
    expectCleanRefusal(res);
  });

  test('a body really gzip-compressed is read by POST /directory/ssa', async () => {
    const res = await postRaw(`${bank.urls.directory}/ssa`, gzipSync('{}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(201);
  });

  test.each(['gzip', 'br', 'x-bogus'])('POST /register and POST /token with Content-Encoding %s', async (encoding) => {
    expectCleanRefusal(await register('abc', { 'content-encoding': encoding }));
    const token = await httpsRequest(bank.urls.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding }, body: 'grant_type=client_credentials', ca: bank.ca, client: tpp.transport });
    expectCleanRefusal(token);
    expect(refusal(token).rule).toBe('TOKEN-REQUEST-FORMAT');
  });
});

describe('4. a DN hex value that is not a whole string (CN=#1e03414243: 3 bytes of UTF-16)', () => {
  test.each(['CN=#1e03414243', 'CN=#1c03414243', 'CN=#1e01', 'CN=#1e8101'])('tls_client_auth_subject_dn %s: 400 REQ-TLS-DN-MATCH', async (dn) => {
    const res = await register(await tpp.sign(tpp.claims({ tls_client_auth_subject_dn: dn })));
    expectCleanRefusal(res);
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-TLS-DN-MATCH' });
  });

  test('a certificate whose subject CN is an odd-length BMPString: OpenSSL refuses it, and the bank reads it as a DnParseError, not a RangeError', async () => {
    const pair = await issueCert(bank.certs.ca, [{ name: 'commonName', value: 'ABC' }, { name: 'organizationName', value: 'Odd' }], { kind: 'client' });
    // CN PrintableString "ABC" (13 03 414243) becomes BMPString (1e 03 414243), re-signed by the CA.
    const cert = resign(pair.cert, bank.certs.ca.key, Buffer.from('06035504031303414243', 'hex'), Buffer.from('06035504031e03414243', 'hex'));
    // Neither a Node client nor the bank's TLS stack loads it: such a certificate never reaches a route.
    await expect(register('abc', {}, { cert, key: pair.key })).rejects.toThrow(/bmpstring is wrong length/i);
    const der = Buffer.from(cert.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    expect(() => subjectDnOf({ raw: der })).toThrow(DnParseError);
    expect(() => subjectDnOf({ raw: der })).toThrow('malformed BMPString value "#1e03414243"');
  });
});

describe('5. a software_jwks_endpoint with a malformed %-escape', () => {
  test('is refused as invalid_software_statement (JWKS-FETCH)', async () => {
    const minted = await bank.directory.mint({
      software_id: tpp.softwareId,
      org_id: bank.tpp.org_id,
      software_redirect_uris: tpp.redirectUris,
      jwks: publicJwks(tpp.key),
      software_jwks_endpoint: `${bank.urls.directory}/software/%E0%A4%A/jwks`,
    });
    const res = await register(await tpp.sign(tpp.claims({ software_statement: minted.software_statement })));
    expectCleanRefusal(res);
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'JWKS-FETCH' });
  });
});

/** Re-signs a certificate after replacing bytes of its TBSCertificate (same length), with the CA's RSA key. */
function resign(pem: string, caKey: string, from: Buffer, to: Buffer): string {
  const der = Buffer.from(new X509Certificate(pem).raw);
  const at = der.indexOf(from);
  if (at < 0 || from.length !== to.length) throw new Error('bytes to replace not found');
  to.copy(der, at);
  // Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }, long-form lengths of 2 bytes.
  const tbsStart = 4;
  const tbsLen = der.readUInt16BE(tbsStart + 2) + 4;
  const tbs = der.subarray(tbsStart, tbsStart + tbsLen);
  const signature = signBytes('sha256', tbs, caKey);
  signature.copy(der, der.length - signature.length);
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

describe('6. client certificates with the subject attributes of eIDAS QWACs and EV certificates', () => {
  const QWAC = [
    { name: 'countryName', value: 'GB' },
    { name: '1.3.6.1.4.1.311.60.2.1.3', value: 'GB' }, // jurisdictionC
    { name: '1.3.6.1.4.1.311.60.2.1.2', value: 'England' }, // jurisdictionST
    { name: '1.3.6.1.4.1.311.60.2.1.1', value: 'London' }, // jurisdictionL
    { name: '2.5.4.15', value: 'Private Organization' }, // businessCategory
    { name: '2.5.4.5', value: '01234567' }, // serialNumber
    { name: '2.5.4.17', value: 'EC1A 1BB' }, // postalCode
    { name: '2.5.4.46', value: 'qualifier' }, // dnQualifier
    { name: '1.2.3.4.5.6', value: 'an attribute nobody names' },
    { name: 'organizationName', value: 'Qwac Ltd' },
    { name: '2.5.4.97', value: 'PSDGB-FCA-123456' }, // organizationIdentifier
    { name: 'commonName', value: 'qwac-software' },
  ];
  let qwac: Credentials & { dn: string };

  beforeAll(async () => {
    const pair = await issueCert(bank.certs.ca, QWAC, { kind: 'client' });
    qwac = { ...pair, dn: certSubjectDn(pair.cert) };
  });

  test('the bank reads every attribute, by OID where it has no short name', () => {
    expect(qwac.dn).toBe(
      'C=GB,1.3.6.1.4.1.311.60.2.1.3=GB,1.3.6.1.4.1.311.60.2.1.2=England,1.3.6.1.4.1.311.60.2.1.1=London,2.5.4.15=Private Organization,' +
        'SERIALNUMBER=01234567,2.5.4.17=EC1A 1BB,2.5.4.46=qualifier,1.2.3.4.5.6=an attribute nobody names,O=Qwac Ltd,' +
        'organizationIdentifier=PSDGB-FCA-123456,CN=qwac-software',
    );
  });

  const registerQwac = async (dn: string) => {
    const claims = tpp.claims({ tls_client_auth_subject_dn: dn });
    return register(await tpp.sign(claims), {}, qwac);
  };

  test('registration with the DN as the bank writes it: 201', async () => {
    const res = await registerQwac(qwac.dn);
    expect(res.status).toBe(201);
    expect((res.json as Record<string, unknown>).tls_client_auth_subject_dn).toBe(qwac.dn);
  });

  test("registration with the DN as OpenSSL (Node's X509Certificate.subject) names the attributes: 201", async () => {
    const openssl = new X509Certificate(qwac.cert).subject.split('\n').reverse().join(', ');
    expect(openssl).toContain('jurisdictionC=GB');
    expect(openssl).toContain('postalCode=EC1A 1BB');
    expect(openssl).toContain('businessCategory=Private Organization');
    expect((await registerQwac(openssl)).status).toBe(201);
  });

  test('registration with the DN in the Go form (unknown OIDs as #hex of the BER value): 201', async () => {
    const hex = (s: string) => Buffer.concat([Buffer.from([0x13, s.length]), Buffer.from(s)]).toString('hex');
    const go = 'CN=qwac-software,2.5.4.97=#' + hex('PSDGB-FCA-123456') + ',O=Qwac Ltd,1.2.3.4.5.6=#' + hex('an attribute nobody names') +
      ',2.5.4.46=#' + hex('qualifier') + ',2.5.4.17=#' + hex('EC1A 1BB') + ',SERIALNUMBER=01234567,2.5.4.15=#' + hex('Private Organization') +
      ',1.3.6.1.4.1.311.60.2.1.1=#' + hex('London') + ',1.3.6.1.4.1.311.60.2.1.2=#' + hex('England') + ',1.3.6.1.4.1.311.60.2.1.3=#' + hex('GB') + ',C=GB';
    expect((await registerQwac(go)).status).toBe(201);
  });

  test('a DN that leaves one of the attributes out does not match: 400 REQ-TLS-DN-MATCH', async () => {
    const res = await registerQwac(qwac.dn.replace(',2.5.4.17=EC1A 1BB', ''));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-TLS-DN-MATCH' });
  });

  test('the registered client gets a token with tls_client_auth, and manages itself with it', async () => {
    const res = await registerQwac(qwac.dn);
    expect(res.status).toBe(201);
    const client: RegisteredClient = { client_id: (res.json as { client_id: string }).client_id, method: 'tls_client_auth', key: tpp.key, transport: qwac, body: res.json as Record<string, unknown> };
    const token = await requestToken(bank, client);
    expect(token.status).toBe(200);
    const access = await getToken(bank, client);
    const get = await httpsRequest(`${bank.urls.register}/${client.client_id}`, { ca: bank.ca, client: qwac, headers: { authorization: `Bearer ${access}` } });
    expect(get.status).toBe(200);
  });

  test('discovery and the token endpoint answer such a certificate from an untrusted CA with 4xx, never 500', async () => {
    const other = await issueCert(await createCa('Untrusted'), QWAC, { kind: 'client' });
    const disc = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca, client: other });
    expect(disc.status).toBe(200);
    const res = await register(await tpp.sign(tpp.claims({ tls_client_auth_subject_dn: qwac.dn })), {}, other);
    expect(refusal(res)).toMatchObject({ status: 401, rule: 'TLS-CERT-TRUSTED' });
  });
});

describe('1b. a malformed %-escape under the registration endpoint is answered in the profile envelope', () => {
  let cpb: MockBank;
  beforeAll(async () => {
    cpb = await startMockBank({ profile: 'cpb-sandbox', certs: bank.certs });
  });
  afterAll(() => cpb.close());

  test('the empty envelope and status map of cpb-sandbox: PUT 400, GET and DELETE 401 (its documented 400s), no body', async () => {
    for (const [method, status] of [['PUT', 400], ['GET', 401], ['DELETE', 401]] as const) {
      const res = await httpsRequest(`${cpb.urls.register}/%ZZ`, { method, ca: bank.ca, client: tpp.transport });
      expect([method, res.status, res.text]).toEqual([method, status, '']);
    }
  });
});
