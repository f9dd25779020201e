import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import { runPack } from '../../conformance/runner';
import { checks } from '../../conformance/rules';
import { resolveTarget, type Target } from '../../conformance/target';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { OBF_DIRECTORY_ISSUER } from '../../mock-server/directory/obf-directory';
import { PROVEN_BY_OBF_BANK } from './proven-elsewhere';
import { OBF_BANK_BUGS, startObfBank, type ObfBank, type ObfBankBug } from './servers/obf-bank';
import { expectAllPass, expectCaught, expectTableComplete, serversClosedAfterAll, type CaughtBug } from './dialect-proof';

/**
 * The obf dialect's checks against an Open Finance Brasil bank of our own written from the spec
 * (servers/obf-bank.ts): the correct bank passes every one, with no false failure; each one-flag
 * bug is caught by exactly its checks (a SHOULD check warns), nothing else of the run fails, warns
 * or is blocked. The mock bank (profile obf) lends its directory (SSAs minted for the certificate's
 * software) and the OBF transport certificates its CA issued.
 */
export const BUG_TABLE: CaughtBug<ObfBankBug>[] = [
  { bug: 'no-mtls-alias', expect: ['OBF-DISCOVERY-MTLS-ALIAS'] },
  { bug: 'register-200', expect: ['OBF-REGISTER-201', 'OBF-TLS-REGISTER-201'] },
  { bug: 'ssa-optional', expect: ['OBF-SSA-ABSENT'] },
  { bug: 'ssa-signature-unchecked', expect: ['OBF-SSA-NOT-DIRECTORY'] },
  { bug: 'iat-unchecked', expect: ['OBF-SSA-IAT-STALE'] },
  { bug: 'iat-one-minute', expect: ['OBF-SSA-IAT-RECENT'] },
  { bug: 'jwks-accepted', expect: ['OBF-JWKS-BY-VALUE'] },
  { bug: 'jwks-uri-unchecked', expect: ['OBF-JWKS-URI-OTHER'] },
  { bug: 'jwks-uri-required', expect: ['OBF-JWKS-URI-OMITTED'] },
  { bug: 'redirect-unchecked', expect: ['OBF-REDIRECT-OUTSIDE-SSA'] },
  { bug: 'redirect-optional', expect: ['OBF-REDIRECT-ABSENT'] },
  { bug: 'scope-unchecked', expect: ['OBF-SCOPE-BEYOND-ROLES'] },
  { bug: 'scope-default-openid', expect: ['OBF-SCOPE-DEFAULT'] },
  // "where possible ... choosing values in the SSA with precedence": a SHOULD, it warns.
  { bug: 'request-precedence', expect: ['OBF-SSA-PRECEDENCE'] },
  { bug: 'no-mtls', expect: ['OBF-NO-CLIENT-CERT'] },
  // Item 13 says "should": a warning.
  { bug: 'uid-unchecked', expect: ['OBF-CERT-UID-OTHER'] },
  { bug: 'dn-exact-string', expect: ['OBF-DN-CASE-FOLDED'] },
  { bug: 'dn-any-descriptor', expect: ['OBF-DN-NAMED-ORG-IDENTIFIER'] },
  { bug: 'dn-unordered', expect: ['OBF-DN-CERTIFICATE-ORDER'] },
  { bug: 'dn-unchecked', expect: ['OBF-DN-CERTIFICATE-ORDER', 'OBF-DN-OTHER-UID'] },
  { bug: 'san-accepted', expect: ['OBF-TLS-SAN-DNS'] },
  { bug: 'mgmt-no-mtls', expect: ['OBF-MGMT-NO-CLIENT-CERT'] },
  { bug: 'get-text-plain', expect: ['OBF-READ-200'] },
  { bug: 'rat-unchecked', expect: ['OBF-MGMT-RAT-WRONG', 'OBF-RAT-ROTATED-OLD-REFUSED'] },
  // The note calls a rotated token single-use, without a keyword: a warning.
  { bug: 'old-rat-kept', expect: ['OBF-RAT-ROTATED-OLD-REFUSED'] },
  { bug: 'put-stores-nothing', expect: ['OBF-UPDATE-200'] },
  { bug: 'delete-200', expect: ['OBF-DELETE-204'] },
  { bug: 'delete-keeps-client', expect: ['OBF-DELETE-204'] },
];

let mock: MockBank;
let dir: string;
const banks = serversClosedAfterAll<ObfBank>();

beforeAll(async () => {
  mock = await startMockBank({ profile: 'obf' });
  dir = mkdtempSync(join(tmpdir(), 'obf-bank-'));
  const files: Record<string, string> = { 'tpp.pem': mock.certs.obfTpp!.cert, 'tpp.key': mock.certs.obfTpp!.key, 'alt.pem': mock.certs.obfAltTpp!.cert, 'alt.key': mock.certs.obfAltTpp!.key, 'ca.pem': mock.ca };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
}, 60_000);
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An OBF bank of ours with these bugs, trusting the mock's OBF directory and CA, and the pack's target for it. */
async function target(bugs: ObfBankBug[] = []): Promise<Target> {
  const { kty, n, e, kid } = mock.certs.directoryKey;
  const bank = banks.started(await startObfBank({ tls: mock.certs.server, clientCa: mock.ca, directory: { issuer: OBF_DIRECTORY_ISSUER, keys: [{ kty, n, e, kid } as JsonWebKey] }, bugs }));
  return resolveTarget({
    dialect: 'obf', discoveryUrl: bank.discoveryUrl, transportCert: 'tpp.pem', transportKey: 'tpp.key', altTransportCert: 'alt.pem', altTransportKey: 'alt.key', ca: 'ca.pem',
    directory: 'mock-endpoint', directoryUrl: `${mock.url}/obf-directory`,
  }, dir);
}

const obfChecks = PROVEN_BY_OBF_BANK(checks);

test('the tables: every bug is in the table, every id is a check, and every obf check is expected to fail by some bug', () => {
  expectTableComplete(BUG_TABLE, OBF_BANK_BUGS, obfChecks);
});

test('the correct bank: every obf check passes (no false failure), every other check is n/a', async () => {
  expectAllPass(await runPack(await target()), obfChecks);
}, 90_000);

describe('each one-flag bug is caught by exactly its checks', () => {
  test.each(BUG_TABLE)('$bug: $expect', async ({ bug, expect: expected }) => {
    expectCaught(await runPack(await target([bug])), expected);
  }, 60_000);
});
