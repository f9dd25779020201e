import type { RuleId } from '../../catalogue/rules';
import { specUrl, type SpecRef } from '../../catalogue/references';
import type { Recorded } from '../exchange';
import { quotesOf, type Quote } from './quotes';
import { dialectsOf, type Dialect } from '../dialects';

/** MUST fails the run; SHOULD only warns. */
export type Severity = 'MUST' | 'SHOULD';
/**
 * blocked: the check could not be judged because a positive control (the same request, one change,
 * accepted first) or a prerequisite (a live client, a token) was not accepted. Never a pass.
 */
export type Outcome = 'pass' | 'fail' | 'warn' | 'skip' | 'blocked' | 'n/a';

/**
 * Every outcome, in report order. n/a: the check does not apply to the target's dialect (it was
 * not run); never a pass, never a failure of the run.
 */
export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'warn', 'skip', 'blocked', 'n/a'];

export interface Evidence {
  status?: number;
  headers?: Record<string, unknown>;
  body?: string;
  expected?: unknown;
  actual?: unknown;
  [key: string]: unknown;
}

/** What a check itself answers; severity turns a fail into a warn for SHOULD checks. */
export interface Verdict {
  outcome: 'pass' | 'fail' | 'skip' | 'blocked';
  message: string;
  evidence: Evidence;
  /** With blocked: the exchange that was not accepted (the root cause). */
  blockedBy?: string;
}

export interface CheckDefinition {
  /** Stable id; the OBIE tool's scenario id (DCR-004 ...) is a prefix or a tag. */
  readonly id: string;
  readonly title: string;
  readonly spec: readonly SpecRef[];
  readonly severity: Severity;
  readonly tags: readonly string[];
  /** The server rules this check exercises: with all of them switched off (mock faults), it must fail. */
  readonly rules: readonly RuleId[];
  /** Names of the recorded exchanges it reads, in the order they are passed to check. */
  readonly exchanges: readonly string[];
  /** Pure: no I/O, no clock. */
  readonly check: (...exchanges: Recorded[]) => Verdict;
  /** The spec sentences the verdict rests on, when the check carries its own (sweep rows); else rules/quotes.ts. */
  readonly quotes?: readonly Quote[];
  /** For a sweep row: the exchange it changes, the element and the change (reports group by them). */
  readonly sweep?: SweepMeta;
  /** The DCR dialects it applies to (conformance/dialects.ts); default obie. Against another dialect it is n/a. */
  readonly dialects?: readonly Dialect[];
}

/** Where a sweep row sits: the accepted exchange, the element changed, and how. */
export interface SweepMeta {
  exchange: string;
  element: string;
  change: string;
}

export interface Check extends CheckDefinition {
  readonly links: readonly string[];
}

export interface CheckResult {
  id: string;
  title: string;
  severity: Severity;
  tags: readonly string[];
  /** Spec reference codes (catalogue/references.ts), in the order of links. */
  spec: readonly string[];
  links: readonly string[];
  outcome: Outcome;
  message: string;
  evidence: Evidence;
  /** With blocked: the exchange whose refusal blocked it (the root cause), e.g. register-valid. */
  blockedBy?: string;
  /** With fail and warn: the spec sentence the verdict relies on (conformance/rules/quotes.ts), and its link. */
  quote?: SpecQuote;
  /** With quote: further sentences the check cites, shown beside it. */
  seeAlso?: SpecQuote[];
  /** For a sweep row: its exchange, element and change. */
  sweep?: SweepMeta;
}

/** A quoted spec sentence as a result carries it: the reference code, the text and the section's URL. */
export interface SpecQuote {
  ref: string;
  text: string;
  link: string;
  /** How the sentence applies, when the check is the pack's reading of it. */
  why?: string;
}

const cite = (q: Quote): SpecQuote => ({ ref: q.ref, text: q.text, link: specUrl(q.ref), ...(q.why ? { why: q.why } : {}) });

/** The sentences a check cites: its own (sweep rows), else those of rules/quotes.ts. */
export const quotesFor = (check: Pick<CheckDefinition, 'id' | 'quotes'>): readonly Quote[] | undefined => check.quotes ?? quotesOf(check.id);

/** The quote fields of a judged failure: the first quote, then the others; none for a check without quotes. */
function quoted(check: Check): Pick<CheckResult, 'quote' | 'seeAlso'> {
  const [first, ...rest] = quotesFor(check) ?? [];
  if (!first) return {};
  return { quote: cite(first), ...(rest.length ? { seeAlso: rest.map(cite) } : {}) };
}

/** One line of a quote for text output: `RFC7591-3.2.2 "..." (why) <link>`. */
export function quoteLine(q: SpecQuote): string {
  return `${q.ref} "${q.text}"${q.why ? ` (${q.why})` : ''} ${q.link}`;
}

export function defineCheck(def: CheckDefinition): Check {
  return Object.freeze({ ...def, links: def.spec.map(specUrl) });
}

export const pass = (evidence: Evidence = {}, message = 'as expected'): Verdict => ({ outcome: 'pass', message, evidence });
export const fail = (message: string, evidence: Evidence = {}): Verdict => ({ outcome: 'fail', message, evidence });
export const skip = (message: string, evidence: Evidence = {}): Verdict => ({ outcome: 'skip', message, evidence });
export const blocked = (by: string, message: string, evidence: Evidence = {}): Verdict => ({ outcome: 'blocked', message, evidence, blockedBy: by });

const SHOWN_HEADERS = ['content-type', 'www-authenticate', 'location', 'x-fapi-interaction-id', 'x-dcr-rule'];

/** Status, the headers that matter and a body excerpt of one exchange. */
export function evidenceOf(r: Recorded, extra: Evidence = {}): Evidence {
  const headers: Record<string, unknown> = {};
  for (const h of SHOWN_HEADERS) if (r.headers[h] !== undefined) headers[h] = r.headers[h];
  return {
    request: `${r.request.method} ${r.request.url}`,
    status: r.status,
    ...(r.transportError ? { transportError: r.transportError } : {}),
    headers,
    body: r.text.length > 500 ? `${r.text.slice(0, 500)}...` : r.text,
    ...extra,
  };
}

/**
 * Why an exchange was not performed because what it builds on was not accepted: `root` names the
 * first exchange in the chain that the bank did not accept, `summary` what it answered, `hint` what
 * that most likely means.
 */
export interface Blocked {
  blocked: string;
  root: string;
  summary: string;
  hint?: string;
}

/** A slot of the plan's record: the exchange, a declared skip, or blocked by a refused control. */
export type Slot = Recorded | { skipped: string } | Blocked;

export const isRecorded = (slot: Slot | undefined): slot is Recorded => !!slot && !('skipped' in slot) && !('blocked' in slot);

/** Why a check does not apply to a target of this dialect, or undefined when it does. */
export function notApplicableTo(check: Pick<CheckDefinition, 'dialects'>, dialect: Dialect): string | undefined {
  const mine = dialectsOf(check);
  return mine.includes(dialect) ? undefined : `not applicable: the check applies to the ${mine.join(', ')} dialect${mine.length > 1 ? 's' : ''}, the target speaks ${dialect}`;
}

/** The result of a check that does not apply to the target's dialect: not run, n/a with the reason. */
export function notApplicable(check: Check, reason: string): CheckResult {
  return { id: check.id, title: check.title, severity: check.severity, tags: check.tags, spec: check.spec, links: check.links, ...(check.sweep ? { sweep: check.sweep } : {}), outcome: 'n/a', message: reason, evidence: {} };
}

/** Evaluates one check over the recorded exchanges: skip or blocked when any is missing, never throws. */
export function evaluate(check: Check, slots: ReadonlyMap<string, Slot>): CheckResult {
  const base = { id: check.id, title: check.title, severity: check.severity, tags: check.tags, spec: check.spec, links: check.links, ...(check.sweep ? { sweep: check.sweep } : {}) };
  const recorded: Recorded[] = [];
  for (const name of check.exchanges) {
    const slot = slots.get(name);
    if (!slot) return { ...base, outcome: 'skip', message: `exchange ${name} was not performed`, evidence: {} };
    if ('skipped' in slot) return { ...base, outcome: 'skip', message: slot.skipped, evidence: {} };
    if ('blocked' in slot) {
      return { ...base, outcome: 'blocked', message: slot.blocked, evidence: { blockedBy: slot.root, rootAnswer: slot.summary, ...(slot.hint ? { hint: slot.hint } : {}) }, blockedBy: slot.root };
    }
    recorded.push(slot);
  }
  let verdict: Verdict;
  let judged = true;
  try {
    verdict = check.check(...recorded);
  } catch (e) {
    judged = false;
    verdict = fail(`the check could not read the exchange: ${(e as Error).message}`, recorded[0] ? evidenceOf(recorded[0]) : {});
  }
  const outcome: Outcome = verdict.outcome === 'fail' && check.severity === 'SHOULD' ? 'warn' : verdict.outcome;
  // A failure cites the spec sentence it relies on; a pass, a skip or a block judged nothing against it, nor did a check that threw.
  const cited = judged && (outcome === 'fail' || outcome === 'warn') ? quoted(check) : {};
  return { ...base, outcome, message: verdict.message, evidence: verdict.evidence, ...(verdict.blockedBy ? { blockedBy: verdict.blockedBy } : {}), ...cited };
}
