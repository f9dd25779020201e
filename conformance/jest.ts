/**
 * The Jest entry (`dcr-mockbank/jest`): the conformance pack as tests of a team's own Jest suite,
 * one test per check, named `<id> <title>`. The repository's own plan tests
 * (conformance/plans/*.test.ts) register themselves through this same module.
 *
 *   import { runConformanceInJest } from 'dcr-mockbank/jest';
 *   runConformanceInJest({ target: 'bank.json' });
 *
 * Jest's globals (describe, test, beforeAll) are used as the test file sees them; call these
 * functions at the top level of a test file.
 */
import { loadTarget, type Target } from './target';
import { matches } from './rules';
import { openCheckedSession, runPlan } from './runner';
import { plans as allPlans } from './plans/index';
import type { ReportedCheck } from './report/model';
import type { Plan } from './plans/plan';

export { loadTarget, TargetConfigError, type Target, type Capabilities } from './target';
export type { Plan } from './plans/plan';
export type { ReportedCheck } from './report/model';
export { allPlans as plans };

/**
 * The bank under test: a target configuration file (JSON, as for `dcr-conformance --config`,
 * DCR_* environment variables still win), a resolved Target (e.g. `mockTarget(bank)`, exported
 * beside this module by dcr-mockbank/jest: integration/jest.ts), or a
 * function returning one, called in beforeAll: for a bank started in the suite's own beforeAll.
 */
export type TargetSource = string | Target | (() => Target | Promise<Target>);

export interface ConformanceJestOptions {
  /** Default: the file named by DCR_CONFIG, else the DCR_* environment variables alone. */
  target?: TargetSource;
  /** Only checks whose id starts with, or whose tags include, this. Default: DCR_FILTER. */
  filter?: string;
  /** Timeout of each plan's exchanges (its beforeAll), in milliseconds. Default 180000. */
  timeoutMs?: number;
}

export interface RunConformanceOptions extends ConformanceJestOptions {
  /** Ids of the plans to run (`discovery`, `registration`, `ssa`, `management`, `token`). Default: all. */
  plans?: readonly string[];
}

interface JestGlobals {
  describe(name: string, fn: () => void): void;
  beforeAll(fn: () => Promise<void> | void, timeout?: number): void;
  test: ((name: string, fn: () => void) => void) & { skip(name: string, fn: () => void): void };
}

function jestGlobals(): JestGlobals {
  const g = globalThis as unknown as Partial<JestGlobals>;
  if (typeof g.describe !== 'function' || typeof g.test !== 'function' || typeof g.beforeAll !== 'function') {
    throw new Error('dcr-mockbank/jest: describe, test and beforeAll are not defined; call this from a Jest test file');
  }
  return g as JestGlobals;
}

const envTarget = new Map<string, Target>();

/** Resolves the target once per source (a configuration file is read once per run). */
async function resolveSource(source: TargetSource | undefined): Promise<Target> {
  if (typeof source === 'function') return source();
  if (source !== undefined && typeof source !== 'string') return source;
  const file = source ?? process.env.DCR_CONFIG;
  const key = file ?? '';
  let t = envTarget.get(key);
  if (!t) {
    t = loadTarget({ ...(file ? { configFile: file } : {}) });
    envTarget.set(key, t);
  }
  return t;
}

/**
 * Registers a plan as Jest tests: the pre-flight and the exchanges run once in beforeAll, then each
 * check is a test named `<id> <title>`. A MUST failure and a blocked check fail their test (a
 * blocked check could not be judged: never a pass); a SHOULD failure (WARN), a declared skip and a
 * check of another dialect than the target's (n/a) pass, with a console line saying so.
 */
export function runPlanInJest(plan: Plan, options: ConformanceJestOptions = {}): void {
  const { describe, beforeAll, test } = jestGlobals();
  const filter = options.filter ?? (process.env.DCR_FILTER || undefined);
  const mine = plan.checks.filter((c) => matches(c, filter));
  describe(`${plan.id}: ${plan.title}`, () => {
    const results = new Map<string, ReportedCheck>();
    let fatal: Error | undefined;
    beforeAll(async () => {
      if (mine.length === 0) return;
      try {
        const { session } = await openCheckedSession(await resolveSource(options.target));
        try {
          for (const r of (await runPlan(plan, session, filter)).results) results.set(r.id, r);
        } finally {
          session.close();
        }
      } catch (e) {
        fatal = e as Error;
      }
    }, options.timeoutMs ?? 180_000);

    if (mine.length === 0) test.skip(`no check of plan ${plan.id} matches ${filter}`, () => undefined);
    const judge = (check: (typeof mine)[number]) =>
      test(`${check.id} ${check.title}`, () => {
        if (fatal) throw new Error(`${fatal.name}: ${fatal.message}`);
        const r = results.get(check.id);
        if (!r) throw new Error(`${check.id}: no result (the plan did not run it)`);
        if (r.outcome === 'fail' || r.outcome === 'blocked') {
          const e = new Error(`${r.outcome.toUpperCase()} ${r.id}: ${r.message}\nspec: ${r.links.join(' ')}\nevidence: ${JSON.stringify(r.evidence, null, 2)}`);
          e.stack = e.message;
          throw e;
        }
        if (r.outcome === 'warn') console.warn(`WARN ${check.id} (SHOULD): ${r.message}`);
        // Jest cannot skip from inside a test; the log says why.
        if (r.outcome === 'skip') console.info(`SKIP ${check.id}: ${r.message}`);
        // Not of the target's dialect: not run, neither passed nor failed.
        if (r.outcome === 'n/a') console.info(`N/A ${check.id}: ${r.message}`);
      });
    for (const check of mine) if (!check.sweep) judge(check);
    // The one-change sweep's rows, grouped as the reports group them: by accepted exchange, then element changed.
    const swept = new Map<string, Map<string, typeof mine>>();
    for (const check of mine) {
      if (!check.sweep) continue;
      const byElement = swept.get(check.sweep.exchange) ?? swept.set(check.sweep.exchange, new Map()).get(check.sweep.exchange)!;
      byElement.set(check.sweep.element, [...(byElement.get(check.sweep.element) ?? []), check]);
    }
    for (const [exchange, byElement] of swept) {
      describe(`sweep of ${exchange}`, () => {
        for (const [element, checks] of byElement) describe(element, () => checks.forEach(judge));
      });
    }
  });
}

/**
 * Registers the whole conformance pack (or the plans named) as Jest tests, one describe per plan
 * and one test per check named by its id: see runPlanInJest.
 */
export function runConformanceInJest(options: RunConformanceOptions = {}): void {
  const { plans: only, ...rest } = options;
  const unknown = only?.find((id) => !allPlans.some((p) => p.id === id));
  if (unknown) throw new Error(`dcr-mockbank/jest: unknown plan "${unknown}" (known: ${allPlans.map((p) => p.id).join(', ')})`);
  for (const plan of allPlans) if (!only || only.includes(plan.id)) runPlanInJest(plan, rest);
}
