/**
 * One directory, many banks (docs/topology.md): a standalone directory (role directory) and two
 * banks of different profiles trusting it by DIRECTORY_URL; one SSA registers at both.
 */
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { createTpp } from '../../fixtures/tpp';
import { httpsRequest, refusal } from '../../fixtures/https';
import { signingKey } from '../../fixtures/keys';
import { publicJwks, signJws } from '../../fixtures/registration';
import { ConfigError } from '../../mock-server/config';

let certs: CertBundle;
let directory: MockBank;
let obie: MockBank;
let revolut: MockBank;

beforeAll(async () => {
  // One PKI: the directory's CA issues the TPP transport certificates every bank trusts (as CERTS_DIR shared).
  certs = await generateBundle();
  directory = await startMockBank({ role: 'directory', certs, directoryIssuer: 'Shared Test Directory' });
  obie = await startMockBank({ profile: 'obie', certs, directoryUrl: directory.url });
  revolut = await startMockBank({ profile: 'revolut', certs, directoryUrl: directory.url });
});
afterAll(async () => {
  await Promise.all([obie?.close(), revolut?.close()]);
  await directory?.close();
});

test('the standalone directory serves its metadata and JWKS, and no bank routes', async () => {
  const meta = await httpsRequest(`${directory.url}/directory/metadata`, { ca: directory.ca });
  expect(meta.status).toBe(200);
  expect(meta.json).toMatchObject({ issuer: 'Shared Test Directory', jwks_uri: `${directory.url}/directory/jwks`, jwks: directory.directory.jwks() });
  expect((await httpsRequest(`${directory.url}/directory/jwks`, { ca: directory.ca })).json).toEqual(directory.directory.jwks());
  expect((await httpsRequest(`${directory.url}/.well-known/openid-configuration`, { ca: directory.ca })).status).toBe(404);
  expect((await httpsRequest(`${directory.url}/health`, { ca: directory.ca })).json).toMatchObject({ status: 'ok', role: 'directory' });
});

test('banks learn the issuer from the directory; their built-in directory is off and says where to go', async () => {
  expect(obie.directory.issuer).toBe('Shared Test Directory');
  expect(revolut.directory.issuer).toBe('Shared Test Directory');
  const res = await httpsRequest(`${obie.url}/directory/ssa`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, ca: obie.ca });
  expect(res.status).toBe(404);
  expect(res.text).toContain(directory.url);
});

test('one SSA from the directory registers at both banks', async () => {
  const key = await signingKey('PS256');
  const minted = await directory.directory.mint({ software_id: certs.tpp.software_id, org_id: certs.tpp.org_id, jwks: publicJwks(key), software_redirect_uris: ['https://tpp.example.com/callback'] });
  expect(minted.software_jwks_endpoint.startsWith(`${directory.url}/directory/software/`)).toBe(true);

  // obie: the fixtures' claims with that SSA.
  const obieTpp = await createTpp(obie);
  const obieClaims = obieTpp.claims({ software_statement: minted.software_statement, redirect_uris: ['https://tpp.example.com/callback'] });
  const a = await httpsRequest(obie.urls.register, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await signJws(obieClaims, key), ca: obie.ca, client: obieTpp.transport });
  expect([a.status, a.text]).toEqual([201, expect.any(String)]);

  // revolut: its own request shape (v3.1, application/jwt), the very same SSA.
  const revTpp = await createTpp(revolut, { software_roles: ['AISP', 'PISP', 'CBPII'] });
  const revClaims = revTpp.claims({ scope: 'openid accounts payments', software_statement: minted.software_statement, redirect_uris: ['https://tpp.example.com/callback'] }, { version: '3.1' });
  const b = await httpsRequest(revolut.urls.register, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: await signJws(revClaims, key), ca: revolut.ca, client: revTpp.transport });
  expect([b.status, b.text]).toEqual([201, expect.any(String)]);
  expect((a.json as { software_id?: string }).software_id ?? minted.software_id).toBe(minted.software_id);
});

test("an SSA of a bank's own built-in directory is not trusted by a bank that trusts DIRECTORY_URL", async () => {
  const lone = await startMockBank({ certs });
  try {
    const tpp = await createTpp(lone);
    const claims = tpp.claims({ aud: obie.issuer });
    const res = await httpsRequest(obie.urls.register, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await tpp.sign(claims), ca: obie.ca, client: tpp.transport });
    expect(res.status).toBe(400);
    expect(refusal(res).rule).toMatch(/SSA|JWKS/);
  } finally {
    await lone.close();
  }
});

test('a DIRECTORY_URL nothing answers on fails the start with a message naming it', async () => {
  const start = startMockBank({ certs, directoryUrl: 'https://127.0.0.1:9', jwksTimeoutMs: 200 });
  await expect(start).rejects.toThrow(ConfigError);
  await expect(start).rejects.toThrow(/DIRECTORY_URL https:\/\/127\.0\.0\.1:9.*metadata/);
});
