import { openSession, ConnectionError, type Session, type SessionOptions } from './session';
import { plans as allPlans } from './plans';
import { executePlan, type Plan } from './plans/plan';
import { evaluate, isRecorded, notApplicable, notApplicableTo, type Slot } from './rules/define';
import { checkById, matches } from './rules';
import { body, explainTransportError, type Recorded } from './exchange';
import { summarize, hintFor } from './diagnose';
import type { ReportedCheck, RootCause } from './report/model';
import { dialectOf, type Target } from './target';

/**
 * The pack's one runner: a pre-flight that proves the transport, then each plan's exchanges once
 * and its checks over them, then the root causes. The CLI, the Jest entry and the project's own
 * tests all run the pack through here.
 */

/** The transport does not work at all: a run error (exit 2), with what to do about it. */
export class PreflightError extends ConnectionError {
  override name = 'PreflightError';
}

export interface RunOptions {
  filter?: string;
  plans?: readonly Plan[];
  /** After each plan: its results, in catalogue order. */
  onPlan?: (plan: Plan, results: ReportedCheck[]) => void;
  /** Before each plan's results, for progress output (plans may already be running side by side). */
  onPlanStart?: (plan: Plan, checks: number) => void;
  /** How many plans run side by side, and exchanges each plan has in flight; default the target's `concurrency`, else all plans and STEP_CONCURRENCY exchanges. 1: one exchange after another. */
  concurrency?: number;
}

export interface PackRun {
  results: ReportedCheck[];
  rootCauses: RootCause[];
  /** Why the run ended early (the bank stopped answering), when it did. */
  aborted?: string;
  preflight: string[];
}

/**
 * Proves the transport before any plan: the bank answers a POST to the registration endpoint made
 * with the transport certificate (an empty body, which a bank refuses with 400 once it has accepted
 * the certificate). Refused at the TLS layer, or 401 invalid_client: the bank does not trust the
 * certificate, and nothing else could be judged.
 */
export async function preflight(session: Session): Promise<string[]> {
  const notes: string[] = [];
  const d = session.discovery;
  if (isRecorded(d)) notes.push(`discovery: ${summarize(d)}`);
  const r = await session.post('preflight', '');
  if (r.status === 0) {
    if (r.timedOut) {
      // Discovery answered, then nothing: the run goes on only to write reports in which every check is blocked (exit 2).
      session.stopAnswering(`the bank stopped answering: the pre-flight POST ${session.registrationEndpoint} got no answer within ${session.target.timeoutMs} ms`);
      notes.push(`transport: POST ${session.registrationEndpoint} got no answer within ${session.target.timeoutMs} ms`);
      return notes;
    }
    const why = explainTransportError(r.transportError ?? '', session.registrationEndpoint, true);
    throw new PreflightError(`the bank does not trust your transport certificate, or cannot be reached: ${why}`);
  }
  if (r.status === 401 && body(r).error === 'invalid_client') {
    throw new PreflightError(`the bank does not trust your transport certificate: POST ${session.registrationEndpoint} with it answered ${summarize(r)}`);
  }
  notes.push(`transport: POST ${session.registrationEndpoint} ${session.target.transport ? 'with the transport certificate' : 'without a client certificate'} and an empty body answered ${summarize(r)}`);
  return notes;
}

/**
 * Runs one plan over a session: its exchanges once, then every check of it the filter keeps. A
 * check that does not apply to the target's dialect is n/a, with the reason: not run, and its
 * exchanges not sent (a plan none of whose checks apply sends nothing).
 */
export async function runPlan(plan: Plan, session: Session, filter?: string, concurrency?: number): Promise<{ results: ReportedCheck[]; slots: Map<string, Slot> }> {
  const mine = plan.checks.filter((c) => matches(c, filter));
  if (mine.length === 0) return { results: [], slots: new Map() };
  const dialect = dialectOf(session.target);
  const applicable = mine.filter((c) => !notApplicableTo(c, dialect));
  const slots = applicable.length === 0
    ? new Map<string, Slot>()
    : await executePlan(plan, session, filter || applicable.length < mine.length ? applicable : undefined, concurrency !== undefined ? { concurrency } : {});
  const results = mine.map((check) => {
    const na = notApplicableTo(check, dialect);
    if (na) return { ...notApplicable(check, na), plan: plan.id, durationMs: 0 };
    const r = evaluate(check, slots);
    const durationMs = check.exchanges.reduce((ms, n) => {
      const s = slots.get(n);
      return ms + (isRecorded(s) ? s.ms : 0);
    }, 0);
    return { ...r, plan: plan.id, durationMs };
  });
  return { results, slots };
}

/** Opens the session (discovery, keys, SSA) and proves the transport; throws ConnectionError / PreflightError. */
export async function openCheckedSession(target: Target, options: SessionOptions = {}): Promise<{ session: Session; notes: string[] }> {
  const session = await openSession(target, options);
  try {
    return { session, notes: await preflight(session) };
  } catch (e) {
    session.close();
    throw e;
  }
}

export async function runPack(target: Target, opts: RunOptions & SessionOptions = {}): Promise<PackRun> {
  const { session, notes } = await openCheckedSession(target, opts);
  return runWithSession(session, notes, opts);
}

/**
 * Runs the plans over the session, then ends its connections. Plans are independent (each reads
 * only its own exchanges and discovery, and registers its own clients), so they run side by side,
 * each on its own view of the session (`forPlan`: its cleanup deletes only its clients), up to
 * `concurrency` at a time. Progress and results are reported in catalogue order all the same.
 */
export async function runWithSession(session: Session, notes: string[], opts: RunOptions = {}): Promise<PackRun> {
  const results: ReportedCheck[] = [];
  const slotsByPlan = new Map<string, Map<string, Slot>>();
  const selected = (opts.plans ?? allPlans)
    .map((plan) => ({ plan, count: plan.checks.filter((c) => matches(c, opts.filter)).length }))
    .filter((p) => p.count > 0);
  const limit = Math.max(1, opts.concurrency ?? session.target.concurrency ?? selected.length);
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const runs = selected.map(async ({ plan }) => {
    await slot();
    try {
      return await runPlan(plan, session.forPlan(plan.id), opts.filter, opts.concurrency);
    } finally {
      running--;
      waiting.shift()?.();
    }
  });
  for (const r of runs) r.catch(() => undefined);
  try {
    for (const [i, { plan, count }] of selected.entries()) {
      opts.onPlanStart?.(plan, count);
      const run = await runs[i]!;
      slotsByPlan.set(plan.id, run.slots);
      results.push(...run.results);
      opts.onPlan?.(plan, run.results);
    }
  } finally {
    await Promise.allSettled(runs);
    session.close();
  }
  return { results, rootCauses: rootCauses(results, slotsByPlan, opts.plans ?? allPlans), ...(session.unresponsive ? { aborted: session.unresponsive } : {}), preflight: notes };
}

/**
 * Each exchange whose refusal blocked other checks: what the bank answered, a hint, the checks
 * that judged it directly and failed, and the blocked ones. Most blocking first.
 */
export function rootCauses(results: readonly ReportedCheck[], slotsByPlan: ReadonlyMap<string, ReadonlyMap<string, Slot>>, plans: readonly Plan[] = allPlans): RootCause[] {
  const byRoot = new Map<string, ReportedCheck[]>();
  for (const r of results) if (r.outcome === 'blocked' && r.blockedBy) byRoot.set(r.blockedBy, [...(byRoot.get(r.blockedBy) ?? []), r]);
  const causes: RootCause[] = [];
  for (const [exchange, blocked] of byRoot) {
    const plan = plans.find((p) => p.steps.some((s) => s.name === exchange));
    const step = plan?.steps.find((s) => s.name === exchange);
    const slot = plan ? slotsByPlan.get(plan.id)?.get(exchange) : undefined;
    const recorded: Recorded | undefined = isRecorded(slot) ? slot : undefined;
    const answer = recorded ? summarize(recorded) : exchange === 'bank-unresponsive' ? 'no answer' : 'not performed';
    const hint = recorded ? hintFor(recorded, step?.kind ?? 'registration') : exchange === 'bank-unresponsive' ? 'the bank stopped answering; the run was ended' : undefined;
    const failing = results
      .filter((r) => (r.outcome === 'fail' || r.outcome === 'warn') && checkById(r.id)?.exchanges.includes(exchange))
      .map((r) => r.id);
    causes.push({
      exchange,
      ...(plan ? { plan: plan.id } : {}),
      ...(recorded ? { request: `${recorded.request.method} ${recorded.request.url}` } : {}),
      answer,
      ...(hint ? { hint } : {}),
      failing,
      blocks: blocked.map((b) => b.id),
    });
  }
  return causes.sort((a, b) => b.blocks.length - a.blocks.length || a.exchange.localeCompare(b.exchange));
}
