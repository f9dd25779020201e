import { loadTarget, type Target } from '../target';
import { matches } from '../rules';
import { openCheckedSession, runPlan } from '../runner';
import type { ReportedCheck } from '../report/model';
import type { Plan } from './plan';

let cached: Target | undefined;
function target(): Target {
  cached ??= loadTarget({ ...(process.env.DCR_CONFIG ? { configFile: process.env.DCR_CONFIG } : {}) });
  return cached;
}

/**
 * Registers a plan as Jest tests: the pre-flight and the exchanges run once in beforeAll, then each
 * check is a test named `<id> <title>`. A MUST failure and a blocked check fail their test (a
 * blocked check could not be judged: never a pass). DCR_FILTER (id prefix or tag) narrows the checks.
 */
export function runPlanInJest(plan: Plan, targetOf: () => Target = target): void {
  const filter = process.env.DCR_FILTER || undefined;
  const mine = plan.checks.filter((c) => matches(c, filter));
  describe(`${plan.id}: ${plan.title}`, () => {
    const results = new Map<string, ReportedCheck>();
    let fatal: Error | undefined;
    beforeAll(async () => {
      if (mine.length === 0) return;
      try {
        const { session } = await openCheckedSession(targetOf());
        try {
          for (const r of (await runPlan(plan, session, filter)).results) results.set(r.id, r);
        } finally {
          session.close();
        }
      } catch (e) {
        fatal = e as Error;
      }
    }, 180_000);

    if (mine.length === 0) test.skip(`no check of plan ${plan.id} matches ${filter}`, () => undefined);
    for (const check of mine) {
      test(`${check.id} ${check.title}`, () => {
        if (fatal) throw new Error(`${fatal.name}: ${fatal.message}`);
        const r = results.get(check.id)!;
        if (r.outcome === 'fail' || r.outcome === 'blocked') {
          const e = new Error(`${r.outcome.toUpperCase()} ${r.id}: ${r.message}\nspec: ${r.links.join(' ')}\nevidence: ${JSON.stringify(r.evidence, null, 2)}`);
          e.stack = e.message;
          throw e;
        }
        if (r.outcome === 'warn') console.warn(`WARN ${check.id} (SHOULD): ${r.message}`);
        // Jest cannot skip from inside a test; the log says why.
        if (r.outcome === 'skip') console.info(`SKIP ${check.id}: ${r.message}`);
      });
    }
  });
}
