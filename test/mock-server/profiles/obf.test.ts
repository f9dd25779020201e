/**
 * The obf profile (Open Finance Brasil DCR 1.0) and its built-in directory over real HTTPS on
 * 127.0.0.1: each OBF rule has a request where it fires and one where it does not, asserting the
 * RFC 7591 error code and the rule id the mock names.
 */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { httpsRequest, type Credentials, type HttpExchange } from '../../../fixtures/https';
import { OBF_DIRECTORY_PATH } from '../../../mock-server/directory/obf-directory';
import { obfSubjectDn } from '../../../common/obf-dn';
import { ruleIdOf } from '../../../catalogue/rules';

let bank: MockBank;
let tpp: Credentials;
let alt: Credentials;
const REDIRECT = 'https://tpp.example.com.br/cb';

beforeAll(async () => {
  bank = await startMockBank({ profile: 'obf' });
  tpp = { cert: bank.certs.obfTpp!.cert, key: bank.certs.obfTpp!.key };
  alt = { cert: bank.certs.obfAltTpp!.cert, key: bank.certs.obfAltTpp!.key };
}, 60_000);
afterAll(() => bank.close());

async function mint(input: Record<string, unknown> = {}, client: Credentials = tpp): Promise<{ software_statement: string; software_jwks_uri: string; software_id: string; org_id: string }> {
  const r = await httpsRequest(`${bank.url}${OBF_DIRECTORY_PATH}/ssa`, { method: 'POST', ca: bank.ca, client, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ software_redirect_uris: [REDIRECT], ...input }) });
  if (r.status !== 201) throw new Error(`${r.status} ${r.text}`);
  return r.json as never;
}

function post(body: Record<string, unknown>, client: Credentials | null = tpp, url = bank.urls.register): Promise<HttpExchange> {
  return httpsRequest(url, { method: 'POST', ca: bank.ca, ...(client ? { client } : {}), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function control(overrides: Record<string, unknown> = {}, ssaInput: Record<string, unknown> = {}) {
  const ssa = await mint(ssaInput);
  return { ssa, body: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', grant_types: ['authorization_code'], response_types: ['code'], jwks_uri: ssa.software_jwks_uri, software_statement: ssa.software_statement, ...overrides } };
}

const refusedBy = (r: HttpExchange, code: string, rule: string) => {
  expect({ status: r.status, error: (r.json as Record<string, unknown>)?.error, rule: ruleIdOf((r.json as Record<string, unknown>)?.error_description) }).toEqual({ status: 400, error: code, rule });
};

test('discovery advertises registration_endpoint in mtls_endpoint_aliases', async () => {
  const d = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
  expect((d.json as { mtls_endpoint_aliases?: Record<string, string> }).mtls_endpoint_aliases?.registration_endpoint).toBe(bank.urls.register);
});

test('the directory mints for the software its certificate names, and hosts the key set at software_jwks_uri', async () => {
  const ssa = await mint();
  expect(ssa.software_id).toBe(bank.certs.obfTpp!.software_id);
  expect(ssa.org_id).toBe(bank.certs.obfTpp!.org_id);
  const payload = JSON.parse(Buffer.from(ssa.software_statement.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  expect(payload.software_statement_roles).toEqual([{ role: 'DADOS', authorisation_domain: 'Open Banking', status: 'Active' }, { role: 'PAGTO', authorisation_domain: 'Open Banking', status: 'Active' }]);
  expect(payload.exp).toBeUndefined();
  const jwks = await httpsRequest(ssa.software_jwks_uri, { ca: bank.ca });
  expect(jwks.status).toBe(200);
  const other = await httpsRequest(`${bank.url}${OBF_DIRECTORY_PATH}/ssa`, { method: 'POST', ca: bank.ca, client: tpp, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ software_id: bank.certs.obfAltTpp!.software_id }) });
  expect(other.status).toBe(403);
  const noCert = await httpsRequest(`${bank.url}${OBF_DIRECTORY_PATH}/ssa`, { method: 'POST', ca: bank.ca, headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(noCert.status).toBe(401);
});

test('a valid registration is 201 with a registration access token; scope omitted is the full set of the roles', async () => {
  const { body } = await control();
  const r = await post(body);
  expect(r.status).toBe(201);
  const b = r.json as Record<string, unknown>;
  expect(typeof b.registration_access_token).toBe('string');
  expect(String(b.scope).split(' ').sort()).toEqual(['accounts', 'consents', 'credit-cards-accounts', 'customers', 'financings', 'invoice-financings', 'loans', 'openid', 'payments', 'resources', 'unarranged-accounts-overdraft']);
  expect(b.jwks_uri).toBe(body.jwks_uri);
});

test('the SSA values take precedence over the request (client_name from software_client_name)', async () => {
  const { body, ssa } = await control({ client_name: 'Not the SSA name' });
  const r = await post(body);
  const payload = JSON.parse(Buffer.from(ssa.software_statement.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  expect((r.json as Record<string, unknown>).client_name).toBe(payload.software_client_name);
});

test('without a client certificate: refused', async () => {
  const { body } = await control();
  const r = await post(body, null);
  expect(r.status).toBe(401);
  expect(ruleIdOf((r.json as Record<string, unknown>).error_description)).toBe('TLS-CERT-REQUIRED');
});

test('SSA iat: 4 minutes old accepted, 6 minutes old refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  expect((await post((await control({}, { iat: now - 240 })).body)).status).toBe(201);
  refusedBy(await post((await control({}, { iat: now - 360 })).body), 'invalid_software_statement', 'OBF-SSA-IAT-AGE');
});

test('no software_statement, or one signed by another key: refused', async () => {
  const { body } = await control();
  const { software_statement: _s, ...rest } = body;
  refusedBy(await post(rest), 'invalid_software_statement', 'OBF-SSA-REQUIRED');
  const [h, p] = body.software_statement.split('.');
  const forged = `${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`;
  const r = await post({ ...body, software_statement: forged });
  expect(r.status).toBe(400);
  expect((r.json as Record<string, unknown>).error).toBe('invalid_software_statement');
});

test('keys: jwks by value refused; jwks_uri other than software_jwks_uri refused', async () => {
  const { body } = await control();
  const { jwks_uri: _u, ...noUri } = body;
  refusedBy(await post({ ...noUri, jwks: { keys: [] } }), 'invalid_client_metadata', 'OBF-NO-JWKS');
  refusedBy(await post({ ...body, jwks_uri: `${body.jwks_uri}?other` }), 'invalid_client_metadata', 'OBF-JWKS-URI');
  // Omitted: the software_jwks_uri is registered.
  const r = await post(noUri);
  expect(r.status).toBe(201);
  expect((r.json as Record<string, unknown>).jwks_uri).toBe(body.jwks_uri);
});

test('redirect_uris outside software_redirect_uris, or absent: invalid_redirect_uri', async () => {
  const { body } = await control();
  refusedBy(await post({ ...body, redirect_uris: [REDIRECT, 'https://elsewhere.example.com/cb'] }), 'invalid_redirect_uri', 'OBF-REDIRECT-SUBSET');
  const { redirect_uris: _r, ...none } = body;
  refusedBy(await post(none), 'invalid_redirect_uri', 'OBF-REDIRECT-SUBSET');
});

test('scope beyond the roles refused; within them accepted', async () => {
  const dados = await control({ scope: 'openid payments' }, { software_roles: ['DADOS'] });
  refusedBy(await post(dados.body), 'invalid_client_metadata', 'OBF-SCOPE-ROLES');
  const ok = await control({ scope: 'openid accounts' }, { software_roles: ['DADOS'] });
  const r = await post(ok.body);
  expect(r.status).toBe(201);
  expect((r.json as Record<string, unknown>).scope).toBe('openid accounts');
});

describe('tls_client_auth', () => {
  const dn = () => obfSubjectDn(bank.certs.obfTpp!.cert);
  const tls = async (subject: string | undefined, extra: Record<string, unknown> = {}, client: Credentials = tpp) => {
    const { body } = await control({ token_endpoint_auth_method: 'tls_client_auth', ...(subject !== undefined ? { tls_client_auth_subject_dn: subject } : {}), ...extra });
    return post(body, client);
  };
  test('the OBF rendering is accepted; lower-case descriptors and hex, other value case accepted (distinguishedNameMatch)', async () => {
    expect((await tls(dn())).status).toBe(201);
    const relaxed = dn().replace(/(^|,)([A-Z]+)=/g, (_m, sep: string, t: string) => `${sep}${t.toLowerCase()}=`).replace(/#([0-9A-F]+)/g, (_m, h: string) => `#${h.toLowerCase()}`).replace('Sao Paulo', 'SAO PAULO');
    expect((await tls(relaxed)).status).toBe(201);
  });
  test('organizationIdentifier as a descriptor string: refused (OBF-TLS-DN-FORMAT)', async () => {
    const named = dn().replace(/2\.5\.4\.97=#[0-9A-F]+/, `organizationIdentifier=OFBBR-${bank.certs.obfTpp!.org_id}`);
    refusedBy(await tls(named), 'invalid_client_metadata', 'OBF-TLS-DN-FORMAT');
  });
  test('the RDNs in the certificate order, or another UID: refused (OBF-TLS-DN-MATCH)', async () => {
    refusedBy(await tls(dn().split(',').reverse().join(',')), 'invalid_client_metadata', 'OBF-TLS-DN-MATCH');
    refusedBy(await tls(dn().replace(/^UID=[^,]+/, 'UID=00000000-0000-4000-8000-000000000000')), 'invalid_client_metadata', 'OBF-TLS-DN-MATCH');
  });
  test('tls_client_auth_san_dns beside it, or no subject DN: refused (OBF-TLS-DN-CLAIM)', async () => {
    refusedBy(await tls(dn(), { tls_client_auth_san_dns: 'tpp.example.com.br' }), 'invalid_client_metadata', 'OBF-TLS-DN-CLAIM');
    refusedBy(await tls(undefined), 'invalid_client_metadata', 'OBF-TLS-DN-CLAIM');
  });
});

test('a certificate whose UID is not the SSA software_id: refused (OBF-CERT-UID)', async () => {
  const { body } = await control();
  refusedBy(await post(body, alt), 'invalid_client_metadata', 'OBF-CERT-UID');
});

test('management: GET keeps the token, PUT rotates it and the old one is refused, management needs mTLS, DELETE 204', async () => {
  const { body } = await control();
  const reg = (await post(body)).json as Record<string, string>;
  const uri = reg.registration_client_uri!;
  const rat = reg.registration_access_token!;
  const get = (token: string, client: Credentials | null = tpp) => httpsRequest(uri, { ca: bank.ca, ...(client ? { client } : {}), headers: { authorization: `Bearer ${token}` } });
  const g = await get(rat);
  expect(g.status).toBe(200);
  expect((g.json as Record<string, unknown>).registration_access_token).toBe(rat);
  expect((await get(rat, null)).status).toBe(401);
  const { registration_access_token: _t, registration_client_uri: _u, client_id_issued_at: _i, ...record } = g.json as Record<string, unknown>;
  const fresh = await mint();
  const put = await httpsRequest(uri, { method: 'PUT', ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${rat}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...record, software_statement: fresh.software_statement, scope: 'openid accounts' }) });
  expect(put.status).toBe(200);
  const next = (put.json as Record<string, string>).registration_access_token!;
  expect(next).not.toBe(rat);
  expect((await get(rat)).status).toBe(401);
  expect((await get(next)).status).toBe(200);
  const del = await httpsRequest(uri, { method: 'DELETE', ca: bank.ca, client: tpp, headers: { authorization: `Bearer ${next}` } });
  expect(del.status).toBe(204);
  expect((await get(next)).status).toBe(401);
});
