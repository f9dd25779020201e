import type { RequestHandler, Response } from 'express';
import { isRuleId, rules, type RuleId } from '../../catalogue/rules';
import { OAuthError } from '../errors';
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import type { AppliedFault } from './journal-extras';

/**
 * Runtime fault injection for test teams, like WireMock's: POST /__admin/faults adds one,
 * GET lists them with their remaining counts, DELETE clears them (see routes/admin-ui.ts).
 *
 * - delay:  wait `ms` (at most 30 s) before a matching request is handled;
 * - status: answer the next `times` matching requests with `status` and a body, unhandled;
 * - drop:   destroy the connection of the next `times` matching requests, unanswered;
 * - rule:   switch a rule off (`enabled: false`, as MOCK_FAULTS does at start-up) or on again.
 *
 * A rule fault changes the app's live `skip` set (deps.skip), which every check consults at
 * request time; clearing the faults gives it back its start-up contents (the profile's deferred
 * rules plus MOCK_FAULTS). Route faults never touch /__admin. Each fault that shaped an exchange
 * is named in its journal entry (`faults: [{ id, kind }]`).
 */

export const MAX_DELAY_MS = 30_000;
export const MAX_FAULTS = 100;
export const MAX_TIMES = 10_000;
const MAX_BODY_CHARS = 16 * 1024;
const MAX_PATH_CHARS = 512;
const METHODS = ['*', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer']);

/**
 * Rules read once, when the mock starts (middleware built with them, or profile data taken away):
 * switching them at run time would not take effect, so it is refused. Use MOCK_FAULTS for these.
 */
export const STARTUP_ONLY_RULES: readonly RuleId[] = ['TLS-CERT-REQUIRED', 'DISC-PUBLIC', 'HTTP-CONTENT-TYPE-JWT', 'REQ-PRIVATE-KEY-JWT'];

export type FaultKind = 'delay' | 'status' | 'drop' | 'rule';

interface FaultBase {
  id: string;
  kind: FaultKind;
  created: string;
  /** Requests it has affected so far. */
  hits: number;
}

interface RouteFaultBase extends FaultBase {
  method: (typeof METHODS)[number];
  /** The path pattern: `*` matches within one segment, `**` across segments. */
  path: string;
  /** How many matching requests it affects; null: every one until removed. */
  times: number | null;
  remaining: number | null;
}

export interface DelayFault extends RouteFaultBase {
  kind: 'delay';
  ms: number;
}

export interface StatusFault extends RouteFaultBase {
  kind: 'status';
  status: number;
  /** JSON answer; a string is sent as text; null sends no body; absent: an OAuth error naming the fault. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface DropFault extends RouteFaultBase {
  kind: 'drop';
}

export interface RuleFault extends FaultBase {
  kind: 'rule';
  rule: RuleId;
  /** false: the rule is not enforced (or its behaviour is broken); true: enforced again. */
  enabled: boolean;
  /** The rule's catalogue title, in listings. */
  title?: string;
}

export type Fault = DelayFault | StatusFault | DropFault | RuleFault;
type RouteFault = DelayFault | StatusFault | DropFault;

/** A refused fault definition: 400 invalid_request with the reason. */
export class FaultInputError extends OAuthError {
  constructor(message: string) {
    super('invalid_request', 400, message);
  }
}

const FIELDS: Record<FaultKind, readonly string[]> = {
  delay: ['kind', 'method', 'path', 'ms', 'times'],
  status: ['kind', 'method', 'path', 'status', 'body', 'headers', 'times'],
  drop: ['kind', 'method', 'path', 'times'],
  rule: ['kind', 'rule', 'enabled'],
};

function wholeNumber(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FaultInputError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v) ?? String(v)})`);
  }
  return v;
}

/** `*` matches within a path segment, `**` across segments; everything else literally. */
export function compilePathPattern(pattern: string): RegExp {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

interface Compiled {
  fault: RouteFault;
  pattern: RegExp;
}

function quote(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Validates one fault definition from the admin API: every problem is a FaultInputError. */
function parseFault(input: unknown, id: string, now: string): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultInputError('a fault is a JSON object with a "kind"');
  const o = input as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    throw new FaultInputError(`kind must be one of ${Object.keys(FIELDS).join(', ')} (got ${quote(kind)})`);
  }
  const k = kind as FaultKind;
  const unknown = Object.keys(o).filter((f) => !FIELDS[k].includes(f));
  if (unknown.length) throw new FaultInputError(`unknown field ${quote(unknown[0])} for a ${k} fault (fields: ${FIELDS[k].join(', ')})`);
  const base = { id, created: now, hits: 0 };

  if (k === 'rule') {
    if (typeof o.rule !== 'string' || !isRuleId(o.rule)) throw new FaultInputError(`rule must be a rule id of the catalogue (GET /__admin/rules), got ${quote(o.rule)}`);
    if (STARTUP_ONLY_RULES.includes(o.rule)) {
      throw new FaultInputError(`${o.rule} is applied when the mock starts and cannot be switched while it runs: set it with MOCK_FAULTS=${o.rule}`);
    }
    if (o.enabled !== undefined && typeof o.enabled !== 'boolean') throw new FaultInputError(`enabled must be true or false (got ${quote(o.enabled)})`);
    return { ...base, kind: 'rule', rule: o.rule, enabled: o.enabled === true };
  }

  const method = o.method === undefined ? '*' : typeof o.method === 'string' ? o.method.toUpperCase() : o.method;
  if (!METHODS.includes(method as (typeof METHODS)[number])) throw new FaultInputError(`method must be one of ${METHODS.join(', ')} (got ${quote(o.method)})`);
  if (typeof o.path !== 'string' || !o.path.startsWith('/') || o.path.length > MAX_PATH_CHARS || /[\s?#]/.test(o.path)) {
    throw new FaultInputError(`path must be a path pattern starting with "/", without query or spaces, at most ${MAX_PATH_CHARS} characters (* matches within a segment, ** across): got ${quote(o.path)}`);
  }
  const defaultTimes = k === 'delay' ? null : 1;
  const times = o.times === undefined || o.times === null ? defaultTimes : wholeNumber(o.times, 'times', 1, MAX_TIMES);
  if (times === null && k !== 'delay') throw new FaultInputError(`times is required for a ${k} fault`);
  const route = { ...base, method: method as (typeof METHODS)[number], path: o.path, times, remaining: times };

  if (k === 'delay') return { ...route, kind: 'delay', ms: wholeNumber(o.ms, 'ms', 0, MAX_DELAY_MS) };
  if (k === 'drop') return { ...route, kind: 'drop' };

  const status = wholeNumber(o.status, 'status', 200, 599);
  const fault: StatusFault = { ...route, kind: 'status', status };
  if (o.body !== undefined) {
    const text = JSON.stringify(o.body);
    if (text.length > MAX_BODY_CHARS) throw new FaultInputError(`body must be at most ${MAX_BODY_CHARS} characters of JSON (got ${text.length})`);
    fault.body = o.body;
  }
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers)) throw new FaultInputError('headers must be an object of header names to string values');
    const entries = Object.entries(o.headers as Record<string, unknown>);
    if (entries.length > 20) throw new FaultInputError('headers: at most 20');
    const headers: Record<string, string> = {};
    for (const [name, value] of entries) {
      if (!HEADER_NAME.test(name) || FORBIDDEN_HEADERS.has(name.toLowerCase())) throw new FaultInputError(`headers: ${quote(name)} is not a header name a fault may set`);
      if (typeof value !== 'string' || value.length > 1024 || /[\r\n\0]/.test(value)) throw new FaultInputError(`headers: the value of ${name} must be a single-line string of at most 1024 characters`);
      headers[name.toLowerCase()] = value;
    }
    fault.headers = headers;
  }
  return fault;
}

/** The OAuth error a status fault answers with when it names no body. */
function defaultBody(fault: StatusFault): Record<string, string> | undefined {
  if (fault.status < 400) return undefined;
  const error = fault.status === 503 ? 'temporarily_unavailable' : fault.status >= 500 ? 'server_error' : 'invalid_request';
  return { error, error_description: `FAULT ${fault.id}: answered ${fault.status} by a fault injected through POST /__admin/faults` };
}

export class RuntimeFaults {
  private readonly routes: Compiled[] = [];
  private readonly ruleFaults: RuleFault[] = [];
  private readonly base: ReadonlySet<RuleId>;
  private next = 1;

  /** `skip` is the app's live set of rules not enforced; its contents now are the start-up ones. */
  constructor(private readonly skip: Set<RuleId>) {
    this.base = new Set(skip);
  }

  /** Rules skipped at start-up (the profile's deferred rules and MOCK_FAULTS). */
  startupSkipped(): RuleId[] {
    return [...this.base];
  }

  /** Rules not enforced right now. */
  skipped(): RuleId[] {
    return [...this.skip];
  }

  /** Adds one fault, or several (an array, all or none): throws FaultInputError on a bad definition. */
  add(input: unknown): Fault[] {
    const items = Array.isArray(input) ? input : [input];
    if (items.length === 0) throw new FaultInputError('no fault given');
    const now = new Date().toISOString();
    const parsed = items.map((item, i) => {
      try {
        return parseFault(item, `f${this.next + i}`, now);
      } catch (e) {
        if (e instanceof FaultInputError && items.length > 1) throw new FaultInputError(`fault [${i}]: ${e.message}`);
        throw e;
      }
    });
    const newRuleIds = new Set(parsed.filter((f): f is RuleFault => f.kind === 'rule').map((f) => f.rule));
    const kept = this.routes.length + this.ruleFaults.filter((f) => !newRuleIds.has(f.rule)).length;
    if (kept + parsed.length > MAX_FAULTS) throw new FaultInputError(`at most ${MAX_FAULTS} faults at once: DELETE /__admin/faults, or DELETE /__admin/faults/{id}`);
    this.next += parsed.length;
    for (const f of parsed) {
      if (f.kind === 'rule') {
        // A newer switch of the same rule replaces the older one.
        const old = this.ruleFaults.findIndex((r) => r.rule === f.rule);
        if (old >= 0) this.ruleFaults.splice(old, 1);
        this.ruleFaults.push(f);
      } else {
        this.routes.push({ fault: f, pattern: compilePathPattern(f.path) });
      }
    }
    this.applyRules();
    return parsed.map((f) => this.view(f));
  }

  list(): Fault[] {
    return [...this.routes.map((c) => c.fault), ...this.ruleFaults].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1))).map((f) => this.view(f));
  }

  remove(id: string): boolean {
    const r = this.routes.findIndex((c) => c.fault.id === id);
    if (r >= 0) {
      this.routes.splice(r, 1);
      return true;
    }
    const q = this.ruleFaults.findIndex((f) => f.id === id);
    if (q < 0) return false;
    this.ruleFaults.splice(q, 1);
    this.applyRules();
    return true;
  }

  /** Removes every runtime fault: the start-up faults (MOCK_FAULTS) stay. */
  clear(): number {
    const n = this.routes.length + this.ruleFaults.length;
    this.routes.length = 0;
    this.ruleFaults.length = 0;
    this.applyRules();
    return n;
  }

  /** The runtime switch of a rule, when there is one. */
  ruleFault(rule: string): RuleFault | undefined {
    return this.ruleFaults.find((f) => f.rule === rule);
  }

  private view(f: Fault): Fault {
    const copy = structuredClone(f);
    if (copy.kind === 'rule') copy.title = rules[copy.rule].title;
    return copy;
  }

  private applyRules(): void {
    this.skip.clear();
    for (const r of this.base) this.skip.add(r);
    for (const f of this.ruleFaults) {
      if (f.enabled) this.skip.delete(f.rule);
      else this.skip.add(f.rule);
    }
  }

  /** Takes one use of the first fault of the kinds given that matches; removes it when used up. */
  private take(method: string, path: string, kinds: readonly FaultKind[]): RouteFault | undefined {
    const i = this.routes.findIndex(({ fault, pattern }) => kinds.includes(fault.kind) && (fault.method === '*' || fault.method === method) && pattern.test(path));
    if (i < 0) return undefined;
    const fault = this.routes[i]!.fault;
    fault.hits++;
    if (fault.remaining !== null && --fault.remaining <= 0) this.routes.splice(i, 1);
    return fault;
  }

  /**
   * The middleware: mounted right after requestContext, for every path but the admin API's.
   * It applies the first matching delay, then the first matching status or drop fault (the app's
   * res.json keeps the answer for the journal: http/respond.ts).
   */
  middleware(opts: { store: Store; logger: Logger; except: string }): RequestHandler {
    const { store, logger, except } = opts;
    return (req, res, next) => {
      const path = req.path;
      if (path === except || path.startsWith(`${except}/`)) return next();
      if (this.ruleFaults.length) res.locals.ruleFaultOf = (rule) => this.ruleFault(rule);
      if (this.routes.length === 0) return next();
      const method = req.method;
      const applied: AppliedFault[] = res.locals.faultsApplied ?? (res.locals.faultsApplied = []);
      const delay = this.take(method, path, ['delay']) as DelayFault | undefined;
      const act = () => {
        if (res.destroyed) return;
        const answer = this.take(method, path, ['status', 'drop']) as StatusFault | DropFault | undefined;
        if (answer) applied.push({ id: answer.id, kind: answer.kind });
        if (!answer) return next();
        if (answer.kind === 'drop') return drop(req.socket.destroy.bind(req.socket), res, { store, logger, method, path });
        respond(res, answer);
      };
      if (!delay) return act();
      applied.push({ id: delay.id, kind: 'delay', ms: delay.ms });
      setTimeout(act, delay.ms).unref();
    };
  }
}

/** A status fault's answer, without reading the request body. */
function respond(res: Response, fault: StatusFault): void {
  for (const [k, v] of Object.entries(fault.headers ?? {})) res.setHeader(k, v);
  res.status(fault.status);
  const body = fault.body === undefined ? defaultBody(fault) : fault.body;
  if (body === undefined || body === null) {
    res.end();
  } else if (typeof body === 'string') {
    if (!res.getHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.locals.answer = body;
    res.end(body);
  } else {
    res.json(body);
  }
}

/** A drop fault: the connection is destroyed unanswered; the journal entry is written here, as no `finish` comes. */
function drop(destroy: () => void, res: Response, ctx: { store: Store; logger: Logger; method: string; path: string }): void {
  const { interactionId } = res.locals;
  destroy();
  ctx.logger.info('request dropped by fault', { interaction_id: interactionId, method: ctx.method, path: ctx.path });
  ctx.store
    .appendJournal({
      time: new Date().toISOString(),
      interaction_id: interactionId,
      method: ctx.method,
      path: ctx.path,
      status: 0,
      faults: structuredClone(res.locals.faultsApplied ?? []),
    })
    .catch((e: unknown) => ctx.logger.warn('journal append failed', { error: (e as Error)?.message }));
}

