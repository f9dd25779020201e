import type { Check } from '../rules/define';
import type { Slot } from '../rules/define';
import type { Recorded } from '../exchange';
import type { Session } from '../session';

export interface ExchangeStep {
  name: string;
  /** Earlier exchanges this one builds on (their responses are passed in). */
  needs?: string[];
  /** A declared reason not to perform it against this target (capabilities, given SSA ...), or undefined. */
  skipIf?: (s: Session) => string | undefined;
  run: (s: Session, prior: ReadonlyMap<string, Recorded>) => Promise<Recorded>;
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
  return plan;
}

/** The steps needed for the given exchanges, with what they need, in plan order. */
function closure(plan: Plan, wanted: ReadonlySet<string>): Set<string> {
  const out = new Set(wanted);
  for (const step of [...plan.steps].reverse()) if (out.has(step.name)) for (const n of step.needs ?? []) out.add(n);
  return out;
}

/**
 * Performs the plan's exchanges once, in order (or only those the given checks read), and
 * returns the record; then deletes what the run created, when the bank allows it.
 */
export async function executePlan(plan: Plan, session: Session, only?: readonly Check[]): Promise<Map<string, Slot>> {
  const slots = new Map<string, Slot>([['discovery', session.discovery]]);
  const wanted = only ? closure(plan, new Set(only.flatMap((c) => c.exchanges))) : undefined;
  const done = new Map<string, Recorded>();
  try {
    for (const step of plan.steps) {
      if (wanted && !wanted.has(step.name)) continue;
      const reason = step.skipIf?.(session) ?? (step.needs ?? []).map((n) => {
        const slot = slots.get(n);
        return !slot ? `needs ${n}, not performed` : 'skipped' in slot ? slot.skipped : undefined;
      }).find(Boolean);
      if (reason) {
        slots.set(step.name, { skipped: reason });
        continue;
      }
      const r = await step.run(session, done);
      done.set(step.name, r);
      slots.set(step.name, r);
    }
  } finally {
    await session.cleanup().catch(() => undefined);
  }
  return slots;
}
