import type { RuleId } from '../../catalogue/rules';
import type { Profile } from '../profiles/types';

export type Verdict = 'pass' | 'fail' | 'skipped';

export interface RuleCheck {
  rule: RuleId;
  verdict: Verdict;
}

/**
 * The rules a request was checked against, in the order they ran, each once with its verdict:
 * a failure wins over an earlier pass of the same rule (SSA-IAT is checked for iat and nbf).
 * The registration verifier records into it when given one; the journal keeps a copy.
 */
export class RuleTrace {
  private readonly verdicts = new Map<RuleId, Verdict>();

  record(rule: RuleId, verdict: Verdict): void {
    const before = this.verdicts.get(rule);
    if (before === 'fail' || (before === 'skipped' && verdict === 'pass')) return;
    this.verdicts.set(rule, verdict);
  }

  pass(rule: RuleId): void {
    this.record(rule, 'pass');
  }

  /** `ok` unless skipped: the verdict of a check that ran (or was skipped). */
  check(rule: RuleId, ok: boolean, skipped: boolean): void {
    this.record(rule, skipped ? 'skipped' : ok ? 'pass' : 'fail');
  }

  list(): RuleCheck[] {
    return [...this.verdicts].map(([rule, verdict]) => ({ rule, verdict }));
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
