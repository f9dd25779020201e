import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { signingKey } from '../../fixtures/keys';
import { decodePayload, hmacJws, signJws, unsignedJws } from '../../fixtures/registration';
import { httpsRequest } from '../../fixtures/https';
import { issueTransportCert } from '../../mock-server/tls/certs';
import { createCa } from '../../common/certs';
import { ruleIdOf } from '../../catalogue/rules';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank();
  tpp = await createTpp(bank);
});
afterAll(() => bank.close());

function refusal(res: { status: number; json: unknown }) {
  const body = res.json as { error?: string; error_description?: string };
  return { status: res.status, error: body?.error, rule: ruleIdOf(body?.error_description) };
}

describe('POST /register: success', () => {
  test('a request signed by the software key with a directory SSA gets 201 and a client', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()));
    expect(res.status).toBe(201);
    const body = res.json as Record<string, unknown>;
    expect(typeof body.client_id).toBe('string');
    expect(typeof body.client_id_issued_at).toBe('number');
    expect(body.token_endpoint_auth_method).toBe('tls_client_auth');
    expect(body.tls_client_auth_subject_dn).toBe(bank.tpp.dn);
    expect(body.software_id).toBe(tpp.softwareId);
    expect(body.redirect_uris).toEqual([tpp.redirectUris[0]]);
    expect(body.software_statement).toBe(tpp.minted.software_statement);
    expect(body.org_id).toBe(bank.tpp.org_id);
    expect(body).not.toHaveProperty('client_secret');
    expect(body).not.toHaveProperty('jti');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  test('application/jwt is accepted as well as application/jose', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()), { contentType: 'application/jwt' });
    expect(res.status).toBe(201);
  });

  test('client_secret_basic gets a secret with client_secret_expires_at', async () => {
    const claims = tpp.claims({ token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined });
    const res = await tpp.register(await tpp.sign(claims));
    expect(res.status).toBe(201);
    const body = res.json as Record<string, unknown>;
    expect(typeof body.client_secret).toBe('string');
    expect(body.client_secret_expires_at).toBe(0);
  });

  test('v3.1 claim forms (tls_client_auth_dn, scope array) and the bank org id as aud are accepted', async () => {
    const claims = tpp.claims({ aud: bank.config.bankOrgId }, { version: '3.1' });
    const res = await tpp.register(await tpp.sign(claims));
    expect(res.status).toBe(201);
    expect((res.json as Record<string, unknown>).tls_client_auth_subject_dn).toBe(bank.tpp.dn);
  });

  test('a DN written in another order and case still matches the certificate', async () => {
    const reversed = bank.tpp.dn.split(',').reverse().join(', ').toLowerCase();
    const res = await tpp.register(await tpp.sign(tpp.claims({ tls_client_auth_subject_dn: reversed })));
    expect(res.status).toBe(201);
  });

  test('ES256 request keys are accepted', async () => {
    const ec = await signingKey('ES256');
    const t = await createTpp(bank, { jwks: { keys: [ec.publicJwk] } });
    const res = await t.register(await signJws(t.claims(), ec));
    expect(res.status).toBe(201);
  });

  test('every response carries an x-fapi-interaction-id, echoed when sent', async () => {
    const res = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca, headers: { 'x-fapi-interaction-id': 'abc-123' } });
    expect(res.headers['x-fapi-interaction-id']).toBe('abc-123');
    const res2 = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
    expect(res2.headers['x-fapi-interaction-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('POST /register: transport refusals', () => {
  test('no client certificate: 401 invalid_client TLS-CERT-REQUIRED', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()), { client: null });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-REQUIRED' });
  });

  test('a certificate from an untrusted CA: 401 invalid_client TLS-CERT-TRUSTED', async () => {
    const rogueCa = await createCa('Rogue CA');
    const rogue = await issueTransportCert(rogueCa, bank.tpp);
    const res = await tpp.register(await tpp.sign(tpp.claims()), { client: rogue });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-TRUSTED' });
  });

  test('discovery and JWKS stay reachable without a certificate', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/directory/jwks']) {
      const res = await httpsRequest(`${bank.url}${path}`, { ca: bank.ca });
      expect(res.status).toBe(200);
    }
  });
});

describe('POST /register: body refusals', () => {
  test.each([
    ['application/json', 'HTTP-CONTENT-TYPE'],
    ['text/plain', 'HTTP-CONTENT-TYPE'],
  ])('content type %s: 400 %s', async (type, rule) => {
    const res = await tpp.register(await tpp.sign(tpp.claims()), { contentType: type });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule });
  });

  test('empty body: 400 HTTP-BODY-PRESENT', async () => {
    const res = await tpp.register('');
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'HTTP-BODY-PRESENT' });
  });

  test('oversize body: 400 HTTP-BODY-SIZE, not 413 or 500', async () => {
    const res = await tpp.register('a'.repeat(bank.config.maxBodyBytes + 10));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'HTTP-BODY-SIZE' });
  });

  test('a body far over the cap (several MB) still gets the 400 HTTP-BODY-SIZE answer, not a reset connection', async () => {
    const res = await tpp.register('a'.repeat(8 * 1024 * 1024));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'HTTP-BODY-SIZE' });
  });

  test('a compressed body (Content-Encoding gzip): 400 invalid_request, not read as a JWT', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()), { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toBe('invalid_request');
  });

  test('Content-Encoding identity is read as usual: 201', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()), { headers: { 'content-encoding': 'identity' } });
    expect(res.status).toBe(201);
  });

  test('a JSON answer is one body with its exact Content-Length and a JSON content type', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims()));
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.text.length).toBeGreaterThan(1000); // past the size where res.json would switch to a Buffer
  });

  test.each([['not-a-jwt'], ['a.b.c'], ['e30.W10.sig'], ['!!.??.##']])('malformed JWT %s: 400 JWS-FORMAT', async (jwt) => {
    const res = await tpp.register(jwt);
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-FORMAT' });
  });
});

describe('POST /register: SSA refusals', () => {
  test('no software_statement: SSA-PRESENT', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: undefined })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-PRESENT' });
  });

  test('an SSA re-signed with a foreign key: SSA-SIGNATURE (or SSA-KID)', async () => {
    const foreign = await signingKey('PS256');
    const claims = decodePayload(tpp.minted.software_statement);
    const forged = await signJws(claims, foreign, { kid: bank.directory.jwks().keys[0]!.kid });
    const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: forged })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-SIGNATURE' });
    const forged2 = await signJws(claims, foreign);
    const res2 = await tpp.register(await tpp.sign(tpp.claims({ software_statement: forged2 })));
    expect(refusal(res2)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-KID' });
  });

  test('an unsigned SSA (alg none): SSA-ALG', async () => {
    const ssa = unsignedJws(decodePayload(tpp.minted.software_statement));
    const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: ssa })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-ALG' });
  });

  test('an HS256 SSA keyed with the directory modulus: SSA-ALG', async () => {
    const n = Buffer.from(bank.directory.jwks().keys[0]!.n!, 'base64url');
    const ssa = await hmacJws(decodePayload(tpp.minted.software_statement), n);
    const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: ssa })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-ALG' });
  });

  test('an SSA from an untrusted issuer: unapproved_software_statement SSA-ISSUER', async () => {
    const foreign = await signingKey('PS256');
    const ssa = await signJws({ ...decodePayload(tpp.minted.software_statement), iss: 'Evil Directory' }, foreign);
    const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: ssa })));
    expect(refusal(res)).toEqual({ status: 400, error: 'unapproved_software_statement', rule: 'SSA-ISSUER' });
  });

  test('an expired SSA: SSA-EXP; a future SSA: SSA-IAT', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await createTpp(bank, { iat: now - 7200, exp: now - 3600 });
    const r1 = await expired.register(await expired.sign(expired.claims()));
    expect(refusal(r1)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-EXP' });
    const future = await createTpp(bank, { iat: now + 3600 });
    const r2 = await future.register(await future.sign(future.claims()));
    expect(refusal(r2)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'SSA-IAT' });
  });
});

describe('POST /register: request JWS refusals', () => {
  test('alg none: JWS-ALG', async () => {
    const res = await tpp.register(unsignedJws(tpp.claims()));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-ALG' });
  });

  test('RS256: JWS-ALG', async () => {
    const rs = await signingKey('RS256');
    const t = await createTpp(bank, { jwks: { keys: [rs.publicJwk] } });
    const res = await t.register(await signJws(t.claims(), rs));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-ALG' });
  });

  test('HS256: JWS-ALG', async () => {
    const res = await tpp.register(await hmacJws(tpp.claims(), new Uint8Array(32)));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-ALG' });
  });

  test('an x5c header: JWS-NO-X5', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims(), { x5c: ['MIIB'] }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-NO-X5' });
  });

  test('signed with a key not in the software JWKS (same kid): JWS-SIGNATURE', async () => {
    const other = await signingKey('PS256');
    const res = await tpp.register(await signJws(tpp.claims(), other, { kid: tpp.key.kid }));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-SIGNATURE' });
  });

  test('an unknown kid: JWS-KID', async () => {
    const other = await signingKey('PS256');
    const res = await tpp.register(await signJws(tpp.claims(), other));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'JWS-KID' });
  });

  test('an SSA whose software_jwks_endpoint is not a trusted host: JWKS-FETCH', async () => {
    const t = await createTpp(bank, { software_jwks_endpoint: 'https://attacker.example/jwks' });
    const res = await t.register(await t.sign(t.claims()));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_software_statement', rule: 'JWKS-FETCH' });
  });
});

describe('POST /register: claim refusals', () => {
  const now = () => Math.floor(Date.now() / 1000);
  test.each<[string, () => Record<string, unknown>, string, string]>([
    ['iss missing', () => ({ iss: undefined }), 'invalid_client_metadata', 'REQ-ISS'],
    ['iss not the software_id', () => ({ iss: 'abc' }), 'invalid_client_metadata', 'REQ-ISS'],
    ['aud another bank', () => ({ aud: 'https://other.bank' }), 'invalid_client_metadata', 'REQ-AUD'],
    ['exp in the past', () => ({ exp: now() - 600 }), 'invalid_client_metadata', 'REQ-EXP'],
    ['exp missing', () => ({ exp: undefined }), 'invalid_client_metadata', 'REQ-EXP'],
    ['exp a year away', () => ({ exp: now() + 365 * 86400 }), 'invalid_client_metadata', 'REQ-EXP-RANGE'],
    ['iat in the future', () => ({ iat: now() + 3600 }), 'invalid_client_metadata', 'REQ-IAT'],
    ['jti missing', () => ({ jti: undefined }), 'invalid_client_metadata', 'REQ-JTI'],
    ['software_id differs', () => ({ software_id: 'other' }), 'invalid_client_metadata', 'REQ-SOFTWARE-ID'],
    ['redirect_uris missing', () => ({ redirect_uris: undefined }), 'invalid_redirect_uri', 'REQ-REDIRECT-PRESENT'],
    ['redirect_uri http', () => ({ redirect_uris: ['http://tpp.example.com/callback'] }), 'invalid_redirect_uri', 'REQ-REDIRECT-HTTPS'],
    ['redirect_uri localhost', () => ({ redirect_uris: ['https://localhost/cb'] }), 'invalid_redirect_uri', 'REQ-REDIRECT-LOCALHOST'],
    ['redirect_uri fragment', () => ({ redirect_uris: ['https://tpp.example.com/callback#x'] }), 'invalid_redirect_uri', 'REQ-REDIRECT-FRAGMENT'],
    ['redirect_uri too long', () => ({ redirect_uris: [`https://tpp.example.com/${'a'.repeat(260)}`] }), 'invalid_redirect_uri', 'REQ-REDIRECT-LENGTH'],
    ['redirect_uri not in SSA', () => ({ redirect_uris: ['https://evil.example.com/cb'] }), 'invalid_redirect_uri', 'REQ-REDIRECT-SUBSET'],
    ['unknown auth method', () => ({ token_endpoint_auth_method: 'none' }), 'invalid_client_metadata', 'REQ-AUTH-METHOD'],
    ['private_key_jwt without signing alg', () => ({ token_endpoint_auth_method: 'private_key_jwt', tls_client_auth_subject_dn: undefined }), 'invalid_client_metadata', 'REQ-AUTH-SIGNING-ALG'],
    ['tls_client_auth without DN', () => ({ tls_client_auth_subject_dn: undefined }), 'invalid_client_metadata', 'REQ-TLS-DN-PRESENCE'],
    ['DN with private_key_jwt', () => ({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256' }), 'invalid_client_metadata', 'REQ-TLS-DN-PRESENCE'],
    ['DN mismatch', () => ({ tls_client_auth_subject_dn: 'CN=someone,OU=else,O=Other Ltd,C=GB' }), 'invalid_client_metadata', 'REQ-TLS-DN-MATCH'],
    ['grant_types unsupported', () => ({ grant_types: ['password'] }), 'invalid_client_metadata', 'REQ-GRANT-TYPES'],
    ['response_types id_token token', () => ({ response_types: ['id_token', 'token'] }), 'invalid_client_metadata', 'REQ-RESPONSE-TYPES'],
    ['scope a number', () => ({ scope: 42 }), 'invalid_client_metadata', 'REQ-SCOPE-FORMAT'],
    ['scope unsupported', () => ({ scope: 'openid makepayment' }), 'invalid_client_metadata', 'REQ-SCOPE-ROLES'],
    ['application_type native', () => ({ application_type: 'native' }), 'invalid_client_metadata', 'REQ-APPLICATION-TYPE'],
    ['id_token alg RS256', () => ({ id_token_signed_response_alg: 'RS256' }), 'invalid_client_metadata', 'REQ-ID-TOKEN-ALG'],
    ['request object alg none', () => ({ request_object_signing_alg: 'none' }), 'invalid_client_metadata', 'REQ-REQUEST-OBJECT-ALG'],
    ['jwks with jwks_uri', () => ({ jwks: { keys: [] }, jwks_uri: 'https://tpp.example.com/jwks' }), 'invalid_client_metadata', 'REQ-JWKS-EXCLUSIVE'],
  ])('%s: 400 %s %s', async (_name, overrides, error, rule) => {
    const res = await tpp.register(await tpp.sign(tpp.claims(overrides())));
    expect(refusal(res)).toEqual({ status: 400, error, rule });
  });

  test('a scope the SSA roles do not allow: REQ-SCOPE-ROLES', async () => {
    const aisp = await createTpp(bank, { software_roles: ['AISP'] });
    const res = await aisp.register(await aisp.sign(aisp.claims({ scope: 'openid payments' })));
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-SCOPE-ROLES' });
  });

  test('the wrong redirect URI is named in the description', async () => {
    const res = await tpp.register(await tpp.sign(tpp.claims({ redirect_uris: ['https://evil.example.com/cb'] })));
    expect((res.json as { error_description: string }).error_description).toContain('https://evil.example.com/cb');
  });

  test('a replayed jti: 400 REQ-JTI-REPLAY', async () => {
    const jwt = await tpp.sign(tpp.claims());
    expect((await tpp.register(jwt)).status).toBe(201);
    const res = await tpp.register(jwt);
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-JTI-REPLAY' });
  });

  test('a refused request does not burn its jti', async () => {
    const claims = tpp.claims({ redirect_uris: ['https://evil.example.com/cb'] });
    expect((await tpp.register(await tpp.sign(claims))).status).toBe(400);
    const fixed = { ...claims, redirect_uris: [tpp.redirectUris[0]] };
    expect((await tpp.register(await tpp.sign(fixed))).status).toBe(201);
  });
});

describe('errors never leak internals', () => {
  test('unknown routes answer JSON 404, not HTML', async () => {
    const res = await httpsRequest(`${bank.url}/nope`, { ca: bank.ca });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: 'not_found' });
  });
  test('no response body carries a stack trace', async () => {
    const res = await tpp.register('x'.repeat(100));
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });
});

