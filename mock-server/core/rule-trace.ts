import type { RuleId } from '../../catalogue/rules';
import type { Profile } from '../profiles/types';

export type Verdict = 'pass' | 'fail' | 'skipped';

export interface RuleCheck {
  readonly rule: RuleId;
  readonly verdict: Verdict;
}

/**
 * One frozen check per rule and verdict, shared by every trace: a trace holds these, so recording
 * a verdict and listing the trace (once per journal entry) allocate no object per rule.
 */
const CHECKS: Record<Verdict, Map<RuleId, RuleCheck>> = { pass: new Map(), fail: new Map(), skipped: new Map() };
function checkOf(rule: RuleId, verdict: Verdict): RuleCheck {
  const byRule = CHECKS[verdict];
  let c = byRule.get(rule);
  if (!c) byRule.set(rule, (c = Object.freeze({ rule, verdict })));
  return c;
}

/**
 * The rules a request was checked against, in the order they ran, each once with its verdict:
 * a failure wins over an earlier pass of the same rule (SSA-IAT is checked for iat and nbf).
 * The registration verifier records into it when given one; the journal keeps a copy of the list
 * (its items are shared and frozen: a holder that adds to one copies it).
 */
export class RuleTrace {
  private readonly checks: RuleCheck[] = [];

  record(rule: RuleId, verdict: Verdict): void {
    const checks = this.checks;
    // A few dozen rules at most: a scan costs less than a Map per request.
    for (let i = 0; i < checks.length; i++) {
      const before = checks[i]!;
      if (before.rule !== rule) continue;
      if (before.verdict === 'fail' || (before.verdict === 'skipped' && verdict === 'pass')) return;
      checks[i] = checkOf(rule, verdict);
      return;
    }
    checks.push(checkOf(rule, verdict));
  }

  pass(rule: RuleId): void {
    this.record(rule, 'pass');
  }

  /** `ok` unless skipped: the verdict of a check that ran (or was skipped). */
  check(rule: RuleId, ok: boolean, skipped: boolean): void {
    this.record(rule, skipped ? 'skipped' : ok ? 'pass' : 'fail');
  }

  /** How many rules were checked. */
  get size(): number {
    return this.checks.length;
  }

  /** The checks in order: a new array of shared, frozen items. */
  list(): RuleCheck[] {
    return this.checks.slice();
  }
}

/**
 * The trace of a registration (POST, or PUT on {register}/{ClientId}) that reached the verifier,
 * kept in res.locals for the journal: it starts with the transport and HTTP rules it passed on
 * the way there (in register.ts's middleware order).
 */
export function registrationTrace(locals: { trace?: RuleTrace }, reg: Profile['registration'], skip: ReadonlySet<RuleId>, put: boolean): RuleTrace {
  const t = new RuleTrace();
  locals.trace = t;
  const tls = () => {
    if (!reg.mtls) return;
    const off = skip.has('TLS-CERT-REQUIRED');
    t.check('TLS-CERT-REQUIRED', true, off);
    t.check('TLS-CERT-TRUSTED', true, off);
  };
  const headers = () => {
    if (reg.requiredHeaders.length) t.pass('HTTP-REQUIRED-HEADERS');
  };
  if (put) {
    t.pass('MGT-METHOD-ALLOWED');
    headers();
    tls();
    for (const r of ['MGT-BEARER-REQUIRED', 'MGT-TOKEN-VALID', 'MGT-CLIENT-MATCH'] as const) t.check(r, true, skip.has(r));
  } else {
    tls();
    headers();
    if (reg.requireAccessToken) t.pass('REG-ACCESS-TOKEN');
  }
  for (const r of ['HTTP-CONTENT-TYPE', 'HTTP-BODY-SIZE', 'HTTP-BODY-PRESENT'] as const) t.pass(r);
  return t;
}

/** The token endpoint's rules in the order core/token.ts checks them; the method's own between client authentication and the grant. */
const TOKEN_HEAD: readonly RuleId[] = ['TOKEN-REQUEST-FORMAT', 'TOKEN-GRANT-TYPE', 'TOKEN-CLIENT-AUTH'];
const TOKEN_METHOD: Readonly<Record<string, readonly RuleId[]>> = {
  tls_client_auth: ['TLS-CERT-REQUIRED', 'TLS-CERT-TRUSTED', 'TOKEN-TLS-DN'],
  private_key_jwt: ['TOKEN-ASSERTION-ALG', 'TOKEN-ASSERTION-SIGNATURE', 'TOKEN-ASSERTION-CLAIMS', 'TOKEN-ASSERTION-REPLAY'],
  client_secret_basic: ['TOKEN-SECRET'],
  client_secret_post: ['TOKEN-SECRET'],
};
const TOKEN_TAIL: readonly RuleId[] = ['TOKEN-GRANT-REGISTERED', 'TOKEN-SCOPE', 'TOKEN-CERT-BOUND'];

/**
 * The trace of a token request: every rule up to the failing one passed (they run in order), the
 * failing one failed; a granted request passed them all. `method` is the client's auth method when
 * known (a failure before client authentication leaves it unknown, and the method's rules out).
 */
export function tokenTrace(method: string | undefined, failed: RuleId | undefined, skip: ReadonlySet<RuleId>): RuleTrace {
  const t = new RuleTrace();
  const order = [...TOKEN_HEAD, ...(method ? TOKEN_METHOD[method] ?? [] : []), ...TOKEN_TAIL];
  for (const rule of order) {
    if (rule === failed) break;
    t.check(rule, true, skip.has(rule));
  }
  if (failed) t.record(failed, 'fail');
  return t;
}
