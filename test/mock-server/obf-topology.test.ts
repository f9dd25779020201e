/**
 * The OBF directory standalone (docs/topology.md): a directory started with role directory serves
 * /obf-directory beside /directory, and a bank of the obf profile started with DIRECTORY_URL trusts
 * its statements (and no longer serves its own OBF directory); the whole obf pack passes against it.
 */
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { generateBundle, withObfTransport, type CertBundle } from '../../mock-server/tls/certs';
import { httpsRequest } from '../../fixtures/https';
import { OBF_DIRECTORY_ISSUER, OBF_DIRECTORY_PATH } from '../../mock-server/directory/obf-directory';
import { profileTarget } from '../../integration/profile-targets';
import { runPack } from '../../conformance/runner';
import { checks } from '../../conformance/rules';
import { dialectsOf } from '../../conformance/dialects';

let certs: CertBundle;
let directory: MockBank;
let bank: MockBank;

beforeAll(async () => {
  certs = await withObfTransport(await generateBundle());
  directory = await startMockBank({ role: 'directory', certs });
  bank = await startMockBank({ profile: 'obf', certs, directoryUrl: directory.url });
}, 60_000);
afterAll(async () => {
  await bank?.close();
  await directory?.close();
});

test('the standalone directory serves the OBF directory: metadata and key set; the bank\'s own is off', async () => {
  const meta = await httpsRequest(`${directory.url}${OBF_DIRECTORY_PATH}/metadata`, { ca: directory.ca });
  expect(meta.json).toMatchObject({ issuer: OBF_DIRECTORY_ISSUER, jwks_uri: `${directory.url}${OBF_DIRECTORY_PATH}/jwks` });
  expect((await httpsRequest(`${bank.url}${OBF_DIRECTORY_PATH}/jwks`, { ca: bank.ca })).status).toBe(404);
});

test('the obf pack against the bank, statements from the standalone directory: every obf check passes', async () => {
  const run = await runPack({ ...profileTarget(bank), directory: { mode: 'mock-endpoint', url: `${directory.url}${OBF_DIRECTORY_PATH}` } });
  expect(run.aborted).toBeUndefined();
  const obf = checks.filter((c) => dialectsOf(c).includes('obf')).map((c) => c.id).sort();
  expect(run.results.filter((r) => r.outcome === 'pass').map((r) => r.id).sort()).toEqual(obf);
}, 90_000);
