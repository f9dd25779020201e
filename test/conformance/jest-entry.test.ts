import { runPlanInJest } from '../../conformance/jest';
import { registrationPlan } from '../../conformance/plans/registration.plan';

/**
 * The Jest entry's layout, read from the describe/test calls it makes (fake globals, nothing run):
 * one describe per plan, its checks of no table directly in it, and the one-change sweep's rows
 * under `sweep of <exchange>` › <element>, as the reports group them.
 */
test('the sweep rows are grouped by accepted exchange and element; every check of the plan is a test exactly once', () => {
  const names: string[] = [];
  const path: string[] = [];
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { describe: g.describe, test: g.test, beforeAll: g.beforeAll };
  const fakeTest = Object.assign((name: string) => void names.push([...path, name].join(' › ')), { skip: (name: string) => void names.push(`SKIP ${name}`) });
  Object.assign(g, {
    describe: (name: string, fn: () => void) => {
      path.push(name);
      fn();
      path.pop();
    },
    test: fakeTest,
    beforeAll: () => undefined,
  });
  try {
    runPlanInJest(registrationPlan, { target: () => Promise.reject(new Error('not run')) });
  } finally {
    Object.assign(g, saved);
  }
  const plan = `${registrationPlan.id}: ${registrationPlan.title}`;
  expect(names).toHaveLength(registrationPlan.checks.length);
  expect(names).toContain(`${plan} › DCR-002-REGISTER-201 ${registrationPlan.checks.find((c) => c.id === 'DCR-002-REGISTER-201')!.title}`);
  const alg = registrationPlan.checks.find((c) => c.id === 'JWS-ALG-NONE')!;
  expect(names).toContain(`${plan} › sweep of POST /register › header.alg › JWS-ALG-NONE ${alg.title}`);
  // No sweep row outside its group, no check of no table inside one.
  for (const c of registrationPlan.checks) {
    const name = names.find((n) => n.endsWith(` › ${c.id} ${c.title}`))!;
    expect(name.includes(' › sweep of ')).toBe(!!c.sweep);
  }
});
