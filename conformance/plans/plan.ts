import type { Check } from '../rules/define';
import { isRecorded, type Blocked, type Slot } from '../rules/define';
import type { Recorded } from '../exchange';
import type { Session } from '../session';
import { summarize, hintFor } from '../diagnose';
import { pool } from '../pool';

/** What an exchange is, for the hint when the bank does not accept it. */
export type ExchangeKind = 'registration' | 'token' | 'management' | 'ssa';

export interface ExchangeStep {
  name: string;
  /**
   * The exchanges this one builds on: its positive controls (the same request without this step's
   * one change) and prerequisites (a live client, its token). Each must have been accepted (see
   * `accepted`), otherwise this step is not performed and is blocked, naming the first refused one.
   */
  needs?: string[];
  /**
   * Which of `needs` this target's run requires, when that depends on the target (e.g. the control
   * registered with the auth method the probe uses); all of `needs` by default.
   */
  needsFor?: (s: Session) => string[];
  /**
   * For a step others need: undefined when the bank accepted it as the next steps require, else
   * why not. Steps without it are accepted when they were answered at all.
   */
  accepted?: (r: Recorded, s: Session) => string | undefined;
  /** What the step is, for the hint printed when it is not accepted. */
  kind?: ExchangeKind;
  /** A declared reason not to perform it against this target (capabilities, given SSA ...), or undefined. */
  skipIf?: (s: Session) => string | undefined;
  run: (s: Session, prior: ReadonlyMap<string, Recorded>) => Promise<Recorded>;
  /**
   * May be in flight beside the plan's other concurrent steps: it reads only what it needs (waited
   * for) and changes nothing another step reads (a refusal probe, a client of its own). A step
   * without it is a barrier: it starts once every step before it has finished, and the steps after
   * it wait for it.
   */
  concurrent?: boolean | ((s: Session) => boolean);
}

export interface Plan {
  id: string;
  title: string;
  steps: ExchangeStep[];
  checks: readonly Check[];
}

export function definePlan(plan: Plan): Plan {
  const names = new Set(plan.steps.map((s) => s.name).concat('discovery'));
  for (const c of plan.checks) {
    const missing = c.exchanges.find((e) => !names.has(e));
    if (missing) throw new Error(`plan ${plan.id}: check ${c.id} reads exchange ${missing}, which the plan does not perform`);
  }
  const seen = new Set<string>();
  for (const step of plan.steps) {
    const later = (step.needs ?? []).find((n) => !seen.has(n));
    if (later) throw new Error(`plan ${plan.id}: step ${step.name} needs ${later}, which does not come before it`);
    seen.add(step.name);
  }
  return plan;
}

/** The steps needed for the given exchanges, with what they need, in plan order. */
function closure(plan: Plan, wanted: ReadonlySet<string>): Set<string> {
  const out = new Set(wanted);
  for (const step of [...plan.steps].reverse()) if (out.has(step.name)) for (const n of step.needs ?? []) out.add(n);
  return out;
}

/** Accepted = a 2xx answer, unless the step says more precisely what it needs. */
const answered2xx = (r: Recorded): string | undefined => (r.status >= 200 && r.status < 300 ? undefined : `answered ${summarize(r)}`);

/**
 * Why a step cannot be performed: a declared skip, or blocked because what it needs was not
 * accepted (the root cause is carried along a chain of blocked steps), or the bank stopped answering.
 */
function precondition(plan: Plan, step: ExchangeStep, slots: ReadonlyMap<string, Slot>, session: Session): Slot | undefined {
  if (session.unresponsive) return { blocked: session.unresponsive, root: 'bank-unresponsive', summary: 'no answer', hint: 'the bank stopped answering; the run was ended' };
  const declared = step.skipIf?.(session);
  if (declared) return { skipped: declared };
  for (const name of step.needsFor?.(session) ?? step.needs ?? []) {
    const slot = slots.get(name);
    if (!slot) return { skipped: `needs ${name}, not performed` };
    if ('skipped' in slot) return { skipped: slot.skipped };
    if ('blocked' in slot) return { ...slot, blocked: slot.blocked };
    const needed = plan.steps.find((s) => s.name === name)!;
    const why = (needed.accepted ?? answered2xx)(slot, session);
    if (why) {
      const kind = needed.kind ?? 'registration';
      const hint = hintFor(slot, kind);
      return { blocked: `blocked: its control ${name} was not accepted (${why})`, root: name, summary: summarize(slot), ...(hint ? { hint } : {}) } satisfies Blocked;
    }
  }
  return undefined;
}

export interface PlanProgress {
  /** Called after each step with its slot, for progress output (concurrent steps in the order they finish). */
  onStep?: (name: string, slot: Slot) => void;
  /** Independent exchanges in flight at once; default the target's `concurrency`, else STEP_CONCURRENCY. */
  concurrency?: number;
}

/** Independent exchanges a plan has in flight at once when the target does not say (`concurrency`). */
export const STEP_CONCURRENCY = 4;

/**
 * Performs the plan's exchanges once (or only those the given checks read): a step whose controls
 * were not accepted is blocked, not sent. Barrier steps run alone, in plan order; a run of
 * consecutive `concurrent` steps is sent side by side, at most the target's `concurrency` (default
 * STEP_CONCURRENCY) at a time, each once the steps it needs have finished. Returns the record;
 * then deletes what the run created, when the bank allows it.
 */
export async function executePlan(plan: Plan, session: Session, only?: readonly Check[], progress: PlanProgress = {}): Promise<Map<string, Slot>> {
  const slots = new Map<string, Slot>([['discovery', session.discovery]]);
  const wanted = only ? closure(plan, new Set(only.flatMap((c) => c.exchanges))) : undefined;
  const done = new Map<string, Recorded>();
  const limit = Math.max(1, progress.concurrency ?? session.target.concurrency ?? STEP_CONCURRENCY);
  const limited = pool(limit);
  const inFlight = new Map<string, Promise<void>>();
  const perform = async (step: ExchangeStep): Promise<void> => {
    const not = precondition(plan, step, slots, session);
    if (not) {
      slots.set(step.name, not);
      progress.onStep?.(step.name, not);
      return;
    }
    let r: Recorded;
    try {
      r = await step.run(session, done);
    } catch (e) {
      // The pack could not build this request for this target (e.g. its key cannot sign it): not judged, and said so.
      const blocked: Blocked = { blocked: `blocked: the pack could not build ${step.name}: ${(e as Error).message}`, root: step.name, summary: `not sent: ${(e as Error).message}`, hint: 'the pack could not build this request with the configured keys and certificates' };
      slots.set(step.name, blocked);
      progress.onStep?.(step.name, blocked);
      return;
    }
    done.set(step.name, r);
    slots.set(step.name, r);
    progress.onStep?.(step.name, r);
  };
  try {
    for (const step of plan.steps) {
      if (wanted && !wanted.has(step.name)) continue;
      if (!(typeof step.concurrent === 'function' ? step.concurrent(session) : step.concurrent)) {
        await Promise.all(inFlight.values());
        inFlight.clear();
        await perform(step);
        continue;
      }
      const needs = [...new Set([...(step.needs ?? []), ...(step.needsFor?.(session) ?? [])])];
      const before = needs.map((n) => inFlight.get(n)).filter((p): p is Promise<void> => !!p);
      inFlight.set(step.name, Promise.all(before).then(() => limited(() => perform(step))));
    }
    await Promise.all(inFlight.values());
  } finally {
    // A step still in flight when another threw must not outlive the run's cleanup.
    await Promise.allSettled(inFlight.values());
    if (!session.unresponsive) await session.cleanup(limit).catch(() => undefined);
  }
  return slots;
}

export { isRecorded };
