import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { generateBundle, withObfTransport, type CertBundle } from '../../mock-server/tls/certs';
import { profileTarget } from '../../integration/profile-targets';
import { openSession } from '../../conformance/session';
import { plans } from '../../conformance/plans';
import { executePlan } from '../../conformance/plans/plan';
import { checks } from '../../conformance/rules';
import { evaluate, type Check, type CheckResult } from '../../conformance/rules/define';
import { PROVEN_BY_OBF_BANK } from './proven-elsewhere';

/**
 * The obf checks against the mock's obf profile with their rules switched off: each check naming
 * mock rules must fail (a SHOULD check warns) when those rules are faults. The checks that name none
 * (server defaults, tolerances, discovery's aliases: the mock has no switch for them) are proven by the
 * independent OBF bank's bugs alone (obf-bank.test.ts), listed here so that a new one is noticed.
 */
const OBF = new Set(PROVEN_BY_OBF_BANK(checks));
const NO_MOCK_SWITCH = ['OBF-DISCOVERY-MTLS-ALIAS', 'OBF-SCOPE-DEFAULT', 'OBF-SSA-PRECEDENCE', 'OBF-SSA-IAT-RECENT', 'OBF-SSA-ABSENT', 'OBF-JWKS-URI-OMITTED', 'OBF-DN-CASE-FOLDED'];
const byFault = new Map<string, Check[]>();
for (const c of checks.filter((x) => OBF.has(x.id) && x.rules.length > 0)) {
  const key = [...c.rules].sort().join(',');
  byFault.set(key, [...(byFault.get(key) ?? []), c]);
}

test('every obf check names the mock rules that make it fail, but those only the OBF bank can fail', () => {
  expect(checks.filter((c) => OBF.has(c.id) && c.rules.length === 0).map((c) => c.id).sort()).toEqual([...NO_MOCK_SWITCH].sort());
});

let certs: CertBundle;
beforeAll(async () => {
  certs = await withObfTransport(await generateBundle());
}, 60_000);

describe.each([...byFault.entries()])('obf mock with faults %s', (faultKey, group) => {
  let bank: MockBank;
  const results = new Map<string, CheckResult>();
  beforeAll(async () => {
    bank = await startMockBank({ profile: 'obf', certs, faults: faultKey.split(',') as Check['rules'][number][] });
    for (const plan of plans) {
      const mine = group.filter((c) => plan.checks.includes(c));
      if (mine.length === 0) continue;
      const session = await openSession(profileTarget(bank));
      try {
        const slots = await executePlan(plan, session, mine);
        for (const c of mine) results.set(c.id, evaluate(c, slots));
      } finally {
        session.close();
      }
    }
  }, 60_000);
  afterAll(() => bank?.close());

  test.each(group.map((c) => [c.id, c] as const))('%s fails', (_id, check) => {
    const r = results.get(check.id)!;
    expect({ id: r.id, outcome: r.outcome, message: r.outcome === 'pass' ? r.message : '' }).toEqual({ id: check.id, outcome: check.severity === 'MUST' ? 'fail' : 'warn', message: '' });
  });
});
