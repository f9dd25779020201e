import { runPack } from '../../conformance/runner';
import { checks } from '../../conformance/rules';
import { cdrPlan } from '../../conformance/plans/cdr.plan';
import type { Target } from '../../conformance/target';
import { bankWorld, cdrTarget, type BankWorld } from './bank-harness';
import { PROVEN_BY_CDR_BANK } from './proven-elsewhere';
import { CDR_BUGS, startCdrBank, type CdrBank, type CdrBug } from './servers/cdr-bank';
import { expectAllPass, expectCaught, expectTableComplete, serversClosedAfterAll, type CaughtBug } from './dialect-proof';

/**
 * The cdr dialect's checks against an independent CDR data holder of ours (servers/cdr-bank.ts):
 * the correct bank passes every cdr check and every other check is n/a; each one-flag bug is
 * caught by exactly its checks (nothing else of the run fails or warns; the blocked list exact).
 */
export const CDR_BUG_TABLE: CaughtBug<CdrBug>[] = [
  { bug: 'empty-as-ssa', expect: ['CDR-EMPTY-BODY'] },
  { bug: 'ssa-absent-005', expect: ['CDR-SSA-ABSENT'] },
  // An SSA decoded without verification: neither its signature nor its lifetime is checked; the redirect step (or the duplicate one) answers instead.
  { bug: 'ssa-signature-unchecked', expect: ['CDR-SSA-SIGNATURE', 'CDR-SSA-OTHER-SIGNER', 'CDR-SSA-EXPIRED', 'CDR-FIRST-STEP-SSA'] },
  { bug: 'ssa-exp-unchecked', expect: ['CDR-SSA-EXPIRED'] },
  { bug: 'ssa-iss-unchecked', expect: ['CDR-SSA-ISS'] },
  { bug: 'request-signature-unchecked', expect: ['CDR-REQUEST-SIGNATURE'] },
  { bug: 'request-exp-unchecked', expect: ['CDR-REQUEST-EXPIRED'] },
  { bug: 'aud-unchecked', expect: ['CDR-AUD-NOT-ISSUER', 'CDR-FIRST-STEP-REQUEST', 'CDR-PUT-AUD-NOT-ISSUER'] },
  { bug: 'iss-unchecked', expect: ['CDR-ISS-NOT-SOFTWARE-ID'] },
  { bug: 'claims-unchecked', expect: ['CDR-JTI-MISSING', 'CDR-AUTH-METHOD', 'CDR-APPLICATION-TYPE', 'CDR-GRANT-TYPES'] },
  { bug: 'sector-unchecked', expect: ['CDR-SECTOR-UNREACHABLE'] },
  { bug: 'redirect-unchecked', expect: ['CDR-REDIRECT-NOT-IN-SSA', 'CDR-PUT-REDIRECT-NOT-IN-SSA'] },
  // The redirect URIs checked against the unverified SSA before anything else: the order rows see ERR-DCR-003 first.
  { bug: 'redirect-before-ssa', expect: ['CDR-FIRST-STEP-SSA', 'CDR-FIRST-STEP-REQUEST'] },
  { bug: 'duplicates-allowed', expect: ['CDR-DUPLICATE-SOFTWARE-ID'] },
  { bug: 'register-200', expect: ['CDR-REGISTER-201'] },
  { bug: 'software-id-dropped', expect: ['CDR-REGISTER-SOFTWARE-ID'] },
  { bug: 'bearer-optional', expect: ['CDR-MGT-NO-TOKEN'] },
  { bug: 'scope-unchecked', expect: ['CDR-MGT-SCOPE'] },
  { bug: 'token-unbound', expect: ['CDR-MGT-OTHER-CERT'] },
  { bug: 'unknown-404', expect: ['CDR-MGT-UNKNOWN-CLIENT', 'CDR-DELETED-UNKNOWN'] },
  { bug: 'get-text-plain', expect: ['CDR-GET-200'] },
  { bug: 'put-text-plain', expect: ['CDR-PUT-200'] },
  { bug: 'put-unvalidated', expect: ['CDR-PUT-REDIRECT-NOT-IN-SSA', 'CDR-PUT-AUD-NOT-ISSUER'] },
  { bug: 'delete-200', expect: ['CDR-DELETE-204'], blocked: ['CDR-DELETED-UNKNOWN'] },
];

let world: BankWorld;
const banks = serversClosedAfterAll<CdrBank>();
const cdrChecks = PROVEN_BY_CDR_BANK(checks);

beforeAll(async () => {
  world = await bankWorld('cdr-register', 'adr.example.com');
}, 60_000);

/** The data holder with these bugs, and the pack's target: SSAs signed here with the Register key, naming the software JWKS the bank holds. */
async function target(bugs: CdrBug[] = []): Promise<Target> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...registerPublic } = world.certs.directoryKey;
  const bank = banks.started(await startCdrBank({
    tls: { cert: world.certs.server.cert, key: world.certs.server.key, ca: world.certs.ca.cert },
    registerJwks: { keys: [registerPublic] },
    softwareJwks: new Map([[world.jwksEndpoint, { keys: [world.software.publicJwk] }]]),
    bugs,
  }));
  return cdrTarget(world, bank.discoveryUrl);
}

test('the table: every switch is in it once, every id is a cdr check, and every cdr check is caught by some switch', () => {
  expectTableComplete(CDR_BUG_TABLE, CDR_BUGS, cdrChecks);
});

test('the correct data holder: every cdr check passes (0 false failures), every other check is n/a', async () => {
  expectAllPass(await runPack(await target()), cdrChecks);
}, 60_000);

describe('each one-flag bug is caught by exactly its checks', () => {
  test.each(CDR_BUG_TABLE)('$bug: $expect', async ({ bug, expect: expected, blocked }) => {
    expectCaught(await runPack(await target([bug]), { plans: [cdrPlan] }), expected, blocked);
  }, 30_000);
});
