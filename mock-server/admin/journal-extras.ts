import type { Locals, Response } from 'express';
import type { RuleTrace } from '../core/rule-trace';
import type { JournalEntry } from '../store/types';

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
    /** The JSON answer, kept for the journal (redacted when written). */
    answer?: unknown;
    /** The error_description of a refusal, set by errorHandler: the journal keeps it when the profile's envelope does not. */
    refusal?: string;
    /** Runtime faults applied to this request (admin/runtime-faults.ts). */
    faultsApplied?: AppliedFault[];
    /** The runtime switch of a rule, while any rule is switched. */
    ruleFaultOf?: (rule: string) => { id: string; enabled: boolean; hits: number } | undefined;
  }
}

/** Names of answer members never kept: secrets and tokens (core/journal.ts redacts requests the same way). */
const SECRET = /secret|password|assertion|^access_token$|^refresh_token$|^token$|^id_token$/i;

/**
 * The answer with its secrets replaced, cheaply (on the hot path: no JWT decoding, which the
 * request's read path does). Depth and size stay those of an answer the mock built itself.
 */
export function redactAnswer(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[redacted]';
  if (Array.isArray(value)) return value.map((v) => redactAnswer(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = SECRET.test(k) ? '[redacted]' : redactAnswer((value as Record<string, unknown>)[k], depth + 1);
    // "__proto__" may be a claim the client sent back: an own property, never the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** Keeps what the request is answered with through res.json, for the journal. */
export function captureAnswer(res: Response): void {
  const json = res.json;
  res.json = function (this: Response, body: unknown) {
    res.locals.answer = body;
    return json.call(this, body);
  } as Response['json'];
}

/**
 * What the dashboard shows beside a journal entry's request: every rule it was checked against
 * with its verdict (the failing `rule` among them), the answer with its secrets removed, and the
 * runtime faults that shaped it (a switched rule counts where it changed a verdict).
 */
type Extras = Pick<JournalEntry, 'rules' | 'answer' | 'error_description' | 'faults'>;

export function journalExtras(locals: Locals, rule: string | undefined): Extras {
  const out: Extras = {};
  const checks: NonNullable<JournalEntry['rules']> = locals.trace?.list() ?? [];
  if (rule && !checks.some((c) => c.rule === rule && c.verdict === 'fail')) checks.push({ rule, verdict: 'fail' });
  const faults = [...(locals.faultsApplied ?? [])];
  if (locals.ruleFaultOf) {
    for (const c of checks) {
      const f = locals.ruleFaultOf(c.rule);
      if (f && (c.verdict === 'skipped') === !f.enabled) {
        c.fault = f.id;
        f.hits++;
        faults.push({ id: f.id, kind: 'rule', rule: c.rule });
      }
    }
  }
  if (checks.length) out.rules = checks;
  if (locals.answer !== undefined) out.answer = redactAnswer(locals.answer);
  if (locals.refusal !== undefined) out.error_description = locals.refusal;
  if (faults.length) out.faults = faults;
  return out;
}
