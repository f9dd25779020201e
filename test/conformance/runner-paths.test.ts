import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { mockTarget } from '../../integration/mock-target';
import { profileTarget } from '../../integration/profile-targets';
import { plans } from '../../conformance/plans';
import { openCheckedSession, runPack, runPlan } from '../../conformance/runner';
import { checkById } from '../../conformance/rules';
import type { Outcome } from '../../conformance/rules/define';
import type { Target } from '../../conformance/target';
import type { RuleId } from '../../catalogue/rules';

/**
 * The CLI runner (runPack: one session, the plans side by side) and the Jest plan path
 * (conformance/jest.ts runPlanInJest: a session per plan, openCheckedSession then runPlan) give
 * the same outcome for every check id, against mocks where checks fail, warn, skip and block.
 */
let certs: CertBundle;
beforeAll(async () => {
  certs = await generateBundle();
}, 60_000);

/** What runPlanInJest (conformance/jest.ts) does for each plan, without registering tests. */
async function jestPath(target: Target): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  for (const plan of plans) {
    const { session } = await openCheckedSession(target);
    try {
      for (const r of (await runPlan(plan, session)).results) out[r.id] = r.outcome;
    } finally {
      session.close();
    }
  }
  return out;
}

async function cliPath(target: Target, concurrency?: number): Promise<Record<string, Outcome>> {
  const run = await runPack(target, concurrency ? { concurrency } : {});
  return Object.fromEntries(run.results.map((r) => [r.id, r.outcome]));
}

/** Faults in every plan, so that some checks fail and others are blocked by a refused control. */
const FAULTS = ['TLS-NO-CLIENT-CERT', 'REQ-JTI-REPLAY', 'MGT-CROSS-CLIENT-403', 'TOKEN-ASSERTION-REPLAY', 'SSA-EXPIRED']
  .flatMap((id) => checkById(id)?.rules ?? [])
  .concat(['REQ-PRIVATE-KEY-JWT' as RuleId]);

describe.each([
  ['obie with faults in every plan', (c: CertBundle) => startMockBank({ certs: c, faults: FAULTS })],
  ['the cpb-sandbox profile', (c: CertBundle) => startMockBank({ certs: c, profile: 'cpb-sandbox' })],
  ['the email-deferred profile', (c: CertBundle) => startMockBank({ certs: c, profile: 'email-deferred' })],
] as const)('%s', (name, start) => {
  let bank: MockBank;
  beforeAll(async () => {
    bank = await start(certs);
  }, 60_000);
  afterAll(() => bank?.close());

  test('the CLI runner (plans side by side, and one after another) and the Jest plan path give the same outcome for every check', async () => {
    const target = name.startsWith('obie') ? mockTarget(bank) : profileTarget(bank);
    const jest = await jestPath(target);
    const cli = await cliPath(target);
    const sequential = await cliPath(target, 1);
    expect(Object.keys(cli).sort()).toEqual(Object.keys(jest).sort());
    const differ = (a: Record<string, Outcome>) => Object.keys(jest).filter((id) => a[id] !== jest[id]).map((id) => `${id}: jest ${jest[id]}, cli ${a[id]}`);
    expect(differ(cli)).toEqual([]);
    expect(differ(sequential)).toEqual([]);
    // Not a trivial comparison: the run has outcomes other than pass.
    expect(new Set(Object.values(jest)).size).toBeGreaterThan(1);
  }, 120_000);
});
