import { loadTarget, type Target } from '../target';
import { openSession, ConnectionError } from '../session';
import { matches } from '../rules';
import { evaluate, type Slot } from '../rules/define';
import { appendLine } from '../report/model';
import { explainTransportError } from '../exchange';
import { executePlan, type Plan } from './plan';

let cached: Target | undefined;
function target(): Target {
  cached ??= loadTarget({ ...(process.env.DCR_CONFIG ? { configFile: process.env.DCR_CONFIG } : {}) });
  return cached;
}

/**
 * Registers a plan as Jest tests: the exchanges run once in beforeAll, then each check is a test
 * named `<id> <title>`. DCR_FILTER (id prefix or tag) narrows the checks and the exchanges run;
 * DCR_RESULTS_FILE receives each result for the reports.
 */
export function runPlanInJest(plan: Plan): void {
  const filter = process.env.DCR_FILTER || undefined;
  const sink = process.env.DCR_RESULTS_FILE;
  const mine = plan.checks.filter((c) => matches(c, filter));
  describe(`${plan.id}: ${plan.title}`, () => {
    let slots: Map<string, Slot> = new Map();
    let fatal: Error | undefined;
    beforeAll(async () => {
      if (mine.length === 0) return;
      try {
        const session = await openSession(target());
        slots = await executePlan(plan, session, filter ? mine : undefined);
        const valid = slots.get('register-valid');
        if (valid && !('skipped' in valid) && valid.status === 0) {
          throw new ConnectionError(explainTransportError(valid.transportError ?? '', valid.request.url, true));
        }
      } catch (e) {
        fatal = e as Error;
        appendLine(sink, { fatal: `${(e as Error).name}: ${(e as Error).message}`, plan: plan.id });
      }
    }, 180_000);

    if (mine.length === 0) test.skip(`no check of plan ${plan.id} matches ${filter}`, () => undefined);
    for (const check of mine) {
      test(`${check.id} ${check.title}`, () => {
        if (fatal) throw fatal;
        const r = evaluate(check, slots);
        const durationMs = check.exchanges.reduce((ms, n) => {
          const s = slots.get(n);
          return ms + (s && !('skipped' in s) ? s.ms : 0);
        }, 0);
        appendLine(sink, { result: { ...r, plan: plan.id, durationMs } });
        if (r.outcome === 'fail') throw new Error(`${r.message}\nspec: ${r.links.join(' ')}\nevidence: ${JSON.stringify(r.evidence, null, 2)}`);
        if (r.outcome === 'warn') console.warn(`WARN ${check.id} (SHOULD): ${r.message}`);
        // Jest cannot skip from inside a test; the reports carry the skip, and the log says why.
        if (r.outcome === 'skip') console.info(`SKIP ${check.id}: ${r.message}`);
      });
    }
  });
}
