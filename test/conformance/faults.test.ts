import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { mockTarget } from '../../conformance/mock-target';
import { openSession } from '../../conformance/session';
import { plans } from '../../conformance/plans';
import { executePlan } from '../../conformance/plans/plan';
import { checks } from '../../conformance/rules';
import { evaluate, type Check, type CheckResult, type Slot } from '../../conformance/rules/define';
import type { Recorded } from '../../conformance/exchange';

/**
 * Every check can fail. A check that exercises server rules must fail against the mock started
 * with those rules switched off (faults); one mock per fault set, only the plan the check belongs to.
 */
const byFault = new Map<string, Check[]>();
for (const c of checks) {
  if (c.rules.length === 0) continue;
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
      const slots = await executePlan(plan, await openSession(mockTarget(bank)), mine);
      for (const c of mine) results.set(c.id, evaluate(c, slots));
    }
  }, 60_000);
  afterAll(() => bank?.close());

  test.each(group.map((c) => [c.id, c] as const))('%s fails', (_id, check) => {
    const r = results.get(check.id)!;
    expect({ id: r.id, outcome: r.outcome }).toEqual({ id: check.id, outcome: check.severity === 'MUST' ? 'fail' : 'warn' });
  });
});

/** Checks with no server rule to switch off (positive and discovery checks) fail on a broken exchange. */
describe('checks without a server rule fail on a broken answer', () => {
  const broken = (name: string): Recorded => ({
    name,
    request: { method: 'GET', url: 'https://bank.example.com/x', headers: {} },
    status: 500,
    headers: { 'content-type': 'text/html' },
    text: '<html>Internal Server Error</html>',
    json: undefined,
    ms: 1,
    sent: { claims: { token_endpoint_auth_method: 'tls_client_auth' } },
  });
  const ruleless = checks.filter((c) => c.rules.length === 0);
  test.each(ruleless.map((c) => [c.id, c] as const))('%s', (_id, check) => {
    const slots = new Map<string, Slot>(check.exchanges.map((n) => [n, broken(n)]));
    expect(evaluate(check, slots).outcome).toBe(check.severity === 'MUST' ? 'fail' : 'warn');
  });
});
