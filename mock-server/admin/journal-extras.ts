import type { Locals } from 'express';
import type { RuleTrace } from '../core/rule-trace';
import type { JournalEntry } from '../store/types';
import { walk, type Redactions } from '../core/journal';

/** A runtime fault that shaped an exchange, as its journal entry names it. */
export interface AppliedFault {
  id: string;
  kind: string;
  ms?: number;
  rule?: string;
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** The rules a registration request was checked against (core/rule-trace.ts). */
    trace?: RuleTrace;
    /** The JSON answer, kept for the journal by the app's res.json (http/respond.ts; redacted when its entry is made). */
    answer?: unknown;
    /** The answer's JSON text as sent, when answered through the app's res.json (http/respond.ts), for a journal entry made later. */
    answerText?: string;
    /** The error_description of a refusal, set by errorHandler: the journal keeps it when the profile's envelope does not. */
    refusal?: string;
    /** Runtime faults applied to this request (admin/runtime-faults.ts). */
    faultsApplied?: AppliedFault[];
    /** The runtime switch of a rule, while any rule is switched. */
    ruleFaultOf?: (rule: string) => { id: string; enabled: boolean; hits: number } | undefined;
  }
}

/**
 * What the dashboard shows beside a journal entry's request: every rule it was checked against
 * with its verdict (the failing `rule` among them), the answer redacted like the request
 * (core/journal.ts: what it removed is added to `marks`), and the
 * runtime faults that shaped it (a switched rule counts where it changed a verdict).
 */
type Extras = Pick<JournalEntry, 'rules' | 'answer' | 'error_description' | 'faults'>;

/** What journalExtras reads of res.locals: kept by the journal until its entry is made. */
export type JournalLocals = Pick<Locals, 'trace' | 'answer' | 'refusal' | 'faultsApplied' | 'ruleFaultOf'>;

export function journalExtras(locals: JournalLocals, rule: string | undefined, marks: Redactions): Extras {
  const out: Extras = {};
  const checks: NonNullable<JournalEntry['rules']> = locals.trace?.list() ?? [];
  if (rule && !checks.some((c) => c.rule === rule && c.verdict === 'fail')) checks.push({ rule, verdict: 'fail' });
  const faults = [...(locals.faultsApplied ?? [])];
  if (locals.ruleFaultOf) {
    for (const [i, c] of checks.entries()) {
      const f = locals.ruleFaultOf(c.rule);
      if (f && (c.verdict === 'skipped') === !f.enabled) {
        // The trace's items are shared and frozen: the entry gets its own.
        checks[i] = { ...c, fault: f.id };
        f.hits++;
        faults.push({ id: f.id, kind: 'rule', rule: c.rule });
      }
    }
  }
  if (checks.length) out.rules = checks;
  if (locals.answer !== undefined) out.answer = walk(locals.answer, 'answer', marks);
  if (locals.refusal !== undefined) out.error_description = locals.refusal;
  if (faults.length) out.faults = faults;
  return out;
}
