import type { RuleId } from '../../catalogue/rules';
import type { SpecRef } from '../../catalogue/references';
import type { Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { ExchangeKind, ExchangeStep } from '../plans/plan';
import { defineCheck, evidenceOf, fail, pass, type Check, type CheckDefinition, type Severity, type Verdict } from '../rules/define';
import type { Quote } from '../rules/quotes';
import type { Dialect } from '../dialects';

/**
 * The one-change sweep, as data. Each table belongs to one exchange the pack makes succeed (its
 * positive control: a registration, a token request, a GET/PUT/DELETE, an SSA); each row changes
 * exactly one element of that accepted request (a JOSE header parameter, a claim, a credential, an
 * identifier, the TLS identity, a metadata field) and says what the spec makes of the result: refused,
 * or accepted. Everything else stays as in the control, so a refusal can only be for that element.
 * A row becomes one step (needing the control: a refused control blocks it, never passes it) and one
 * check, grouped in reports by exchange and element.
 */
export type Expect = 'refuse' | 'accept';

export interface SweepRow<R> {
  /** The stable check id. */
  id: string;
  /** The step's name; default: the id in lower case. */
  exchange?: string;
  /** What is changed: `header.alg`, `claim.aud`, `tls.certificate`, `path.client_id` ... */
  element: string;
  /** How, in a few words: `none`, `absent`, `a number`, `host extended` ... */
  change: string;
  title: string;
  /** What the spec makes of the changed request: refuse (default) or accept. */
  expect?: Expect;
  severity?: Severity;
  /** The server rules of the mock (catalogue/rules.ts) that, switched off, let the change through. */
  rules: RuleId[];
  spec: SpecRef[];
  /** The spec sentences the verdict rests on (the first is quoted with a failure); rows migrated from hand-written checks keep theirs in rules/quotes.ts. */
  quotes?: readonly Quote[];
  /** With refuse: the error codes the spec names (any RFC 7591 code is accepted as a refusal all the same). */
  errors?: readonly string[];
  statuses?: readonly number[];
  /** RFC 7591 2: a 2xx that substituted a valid value for the field passes. */
  substitutes?: { field: string; refused: (v: unknown) => boolean };
  tags?: string[];
  skipIf?: (s: Session) => string | undefined;
  /** The control this row changes, when not the table's (e.g. the registration with the row's auth method). */
  control?: string | ((s: Session) => string);
  /**
   * In a concurrent table, a row sent alone (a barrier): its verdict reads something another row
   * could disturb at the same moment (e.g. what reached the pack's own host while it ran).
   */
  alone?: boolean | ((s: Session) => boolean);
  /** Further steps the row needs beside its control (e.g. a second client). */
  needs?: string[];
  /** One change to the control's request. */
  mutate: (req: R, s: Session, prior: ReadonlyMap<string, Recorded>) => R | Promise<R>;
  /** A verdict of its own, when neither the table's refusal nor its acceptance says it. */
  check?: CheckDefinition['check'];
}

export interface SweepTable<R> {
  /** The exchange, as reports name it: `POST /register`, `POST /token (private_key_jwt)` ... */
  exchange: string;
  kind: ExchangeKind;
  /** The accepted exchange every row changes (a step of the plan, performed before the rows). */
  control: string;
  /** Controls a row may name instead (e.g. each auth method's registration); the steps need them all, the run only the row's. */
  controls?: readonly string[];
  tags: readonly string[];
  /** The control's request, rebuilt for each row (fresh jti, iat ...). */
  build: (s: Session, prior: ReadonlyMap<string, Recorded>, row: SweepRow<R>) => Promise<R>;
  send: (s: Session, name: string, req: R, prior: ReadonlyMap<string, Recorded>) => Promise<Recorded>;
  refused: (r: Recorded, row: SweepRow<R>) => Verdict;
  accepted: (r: Recorded, row: SweepRow<R>) => Verdict;
  /**
   * The rows may be sent side by side (ExchangeStep.concurrent): each reads only its control and
   * changes nothing another row reads. Not for rows sharing a client one of them could delete.
   */
  concurrent?: boolean;
  /** The dialects its rows apply to (default obie): against a target of another, each row is n/a. */
  dialects?: readonly Dialect[];
  /** A skip of the whole table (the exchange is not declared by the target). */
  skipIf?: (s: Session) => string | undefined;
  rows: readonly SweepRow<R>[];
}

/** A copy of `record` with the overrides: a member set, or deleted where the override is undefined. What a row changing claims or metadata does. */
export function withOverrides(record: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...record };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** A table's `accepted` where the control answers exactly this status (201 for a registration, 200 for a GET or PUT). */
export const acceptedWith = (status: number) => (r: Recorded): Verdict => (r.status === status ? pass(evidenceOf(r)) : fail(`refused: ${summarize(r)}`, evidenceOf(r)));

/** A registration table's `accepted`: a 2xx with a client_id. */
export const registered = (r: Recorded): Verdict =>
  r.status >= 200 && r.status < 300 && r.clientId
    ? pass(evidenceOf(r), 'accepted, as the spec requires')
    : fail(`the spec lets this request through, but the server answered ${summarize(r)}`, evidenceOf(r, { expected: '201 with a client_id' }));

export const stepName = (row: Pick<SweepRow<never>, 'id' | 'exchange'>) => row.exchange ?? row.id.toLowerCase();

const controlOf = <R>(table: SweepTable<R>, row: SweepRow<R>, s: Session) =>
  typeof row.control === 'function' ? row.control(s) : (row.control ?? table.control);

/** The rows' steps: each the control's request with the row's one change, sent once its control was accepted. */
export function sweepSteps<R>(table: SweepTable<R>): ExchangeStep[] {
  return table.rows.map((row) => {
    const statics = typeof row.control === 'string' ? [row.control] : typeof row.control === 'function' ? [table.control, ...(table.controls ?? [])] : [table.control];
    const skips = [table.skipIf, row.skipIf].filter((f): f is (s: Session) => string | undefined => !!f);
    const name = stepName(row);
    return {
      name,
      kind: table.kind,
      needs: [...new Set([...statics, ...(row.needs ?? [])])],
      needsFor: (s: Session) => [controlOf(table, row, s), ...(row.needs ?? [])],
      ...(table.concurrent && row.alone !== true ? { concurrent: typeof row.alone === 'function' ? (s: Session) => !(row.alone as (s: Session) => boolean)(s) : true } : {}),
      ...(skips.length ? { skipIf: (s: Session) => skips.map((f) => f(s)).find(Boolean) } : {}),
      run: async (s, prior) => {
        const req = await row.mutate(await table.build(s, prior, row), s, prior);
        const r = await table.send(s, name, req, prior);
        return { ...r, sent: { ...r.sent, sweep: { element: row.element, change: row.change } } };
      },
    } satisfies ExchangeStep;
  });
}

const made = new WeakMap<object, Check[]>();

/** The rows' checks: refused or accepted as the row expects, with the row's sentence and severity. Made once per table (the catalogue and the plan hold the same objects). */
export function sweepChecks<R>(table: SweepTable<R>): Check[] {
  let out = made.get(table);
  if (!out) made.set(table, (out = makeChecks(table)));
  return out;
}

function makeChecks<R>(table: SweepTable<R>): Check[] {
  return table.rows.map((row) =>
    defineCheck({
      id: row.id,
      title: row.title,
      spec: row.spec,
      severity: row.severity ?? 'MUST',
      tags: [...table.tags, row.expect === 'accept' ? 'tolerance' : 'negative', 'sweep', ...(row.tags ?? [])],
      rules: row.rules,
      exchanges: [stepName(row)],
      ...(row.quotes ? { quotes: row.quotes } : {}),
      sweep: { exchange: table.exchange, element: row.element, change: row.change },
      ...(table.dialects ? { dialects: table.dialects } : {}),
      check: row.check ?? ((r) => (row.expect === 'accept' ? table.accepted(r, row) : table.refused(r, row))),
    }),
  );
}
