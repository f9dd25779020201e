import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { mockTarget } from '../../integration/mock-target';
import { openSession } from '../../conformance/session';
import { plans } from '../../conformance/plans';
import { executePlan } from '../../conformance/plans/plan';
import { checks } from '../../conformance/rules';
import { evaluate, type Check, type CheckResult } from '../../conformance/rules/define';
import { NOT_OBIE, PROVEN_BY_RECORDED, PROVEN_BY_SECOND_BANK, PROVEN_BY_STRICT_BANK } from './proven-elsewhere';

/**
 * Every check can fail: it must fail against the mock started with its rules switched off or
 * broken (faults); one mock per fault set, only the plan the check belongs to. The registration
 * endpoint is configured, so a discovery fault still lets the run proceed to the check it breaks.
 */
const byFault = new Map<string, Check[]>();
// Those the strict bank, the second bank, recorded exchanges or the RFC 7591 server prove instead are left out here (test/conformance/proven-elsewhere.ts).
// The checks of the other dialects are proven elsewhere: rfc7591 by the RFC 7591 server, cdr by the CDR data holder, obf by
// the OBF bank (and against the obf profile's faults in obf-faults.test.ts).
const elsewhere = new Set([...PROVEN_BY_STRICT_BANK, ...PROVEN_BY_SECOND_BANK, ...PROVEN_BY_RECORDED, ...NOT_OBIE(checks)]);
for (const c of checks.filter((x) => !elsewhere.has(x.id))) {
  const key = [...c.rules].sort().join(',');
  byFault.set(key, [...(byFault.get(key) ?? []), c]);
}

let certs: CertBundle;
beforeAll(async () => {
  certs = await generateBundle();
}, 60_000);

describe.each([...byFault.entries()])('mock with faults %s', (faultKey, group) => {
  let bank: MockBank;
  const results = new Map<string, CheckResult>();
  beforeAll(async () => {
    bank = await startMockBank({ certs, faults: faultKey.split(',') as Check['rules'][number][] });
    for (const plan of plans) {
      const mine = group.filter((c) => plan.checks.includes(c));
      if (mine.length === 0) continue;
      const slots = await executePlan(plan, await openSession({ ...mockTarget(bank), registrationEndpoint: bank.urls.register }), mine);
      for (const c of mine) results.set(c.id, evaluate(c, slots));
    }
  }, 60_000);
  afterAll(() => bank?.close());

  test.each(group.map((c) => [c.id, c] as const))('%s fails', (_id, check) => {
    const r = results.get(check.id)!;
    expect({ id: r.id, outcome: r.outcome }).toEqual({ id: check.id, outcome: check.severity === 'MUST' ? 'fail' : 'warn' });
  });
});

/** A check that no fault can make fail is a defect: every check names at least one server rule, but those a server of ours proves instead (the RFC 7591 dialect's). */
test('every check exercises at least one server rule', () => {
  expect(checks.filter((c) => c.rules.length === 0 && !NOT_OBIE(checks).includes(c.id)).map((c) => c.id)).toEqual([]);
});
