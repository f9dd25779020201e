import type { RuleId } from '../../catalogue/rules';
import type { SpecRef } from '../../catalogue/references';
import { body, header, type Recorded } from '../exchange';
import { defineCheck, evidenceOf, fail, pass, type Check, type Severity, type Verdict } from './define';

/** RFC 7591 3.2.2 error codes for a refused registration. */
export const REGISTRATION_ERRORS = ['invalid_redirect_uri', 'invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement'] as const;

/**
 * RFC 7591 3.2.2: "the authorization server responds with an HTTP 400 status code ... with
 * the following parameters: error ... error_description". Checks the status, the code among
 * those allowed, and the body shape (JSON, description 1..500 characters).
 */
export function expectRefusal(r: Recorded, errors: readonly string[], statuses: readonly number[] = [400]): Verdict {
  const b = body(r);
  const expected = { status: statuses.join(' or '), error: errors.join(' or ') };
  const actual = { status: r.status, error: b.error, error_description: b.error_description };
  if (r.status === 0 && statuses.includes(0)) return pass(evidenceOf(r, { expected, actual: r.transportError }), 'refused at the TLS layer');
  if (!statuses.includes(r.status)) return fail(`expected ${expected.status}, got ${r.status || r.transportError}`, evidenceOf(r, { expected, actual }));
  if (!/^application\/json/.test(header(r, 'content-type') ?? '')) return fail('the error body is not application/json', evidenceOf(r, { expected, actual }));
  // Another legitimate code is a refusal all the same: RFC 7591 3.2.2 names four, OAuth's invalid_request is common.
  const legitimate = typeof b.error === 'string' && (errors.includes(b.error) || (REGISTRATION_ERRORS as readonly string[]).includes(b.error) || b.error === 'invalid_request');
  if (!legitimate) return fail(`RFC 7591 3.2.2: the error response carries an "error" code; expected ${expected.error}, got ${JSON.stringify(b.error)}`, evidenceOf(r, { expected, actual }));
  const d = b.error_description;
  if (d !== undefined && (typeof d !== 'string' || d.length < 1 || d.length > 500)) {
    return fail('error_description must be a string of 1 to 500 characters', evidenceOf(r, { expected, actual }));
  }
  const note = errors.includes(b.error as string) ? 'as expected' : `refused with ${String(b.error)} (the spec's code for this is ${expected.error}): accepted as a refusal`;
  return pass(evidenceOf(r, { expected, actual }), note);
}

export interface RefusalInput {
  id: string;
  title: string;
  exchange: string;
  rules: RuleId[];
  spec: SpecRef[];
  errors?: readonly string[];
  /** Accepted statuses; 0 accepts a refusal at the TLS layer. */
  statuses?: readonly number[];
  tags?: string[];
  severity?: Severity;
  /**
   * RFC 7591 2: "the authorization server MAY ... substitute a valid value for any requested parameter
   * of a client's metadata". When set, a 2xx that registered the client with this field holding an
   * acceptable value (not the refused one) passes as a substitution; keeping the refused value fails.
   */
  substitutes?: { field: string; refused: (v: unknown) => boolean };
}

/**
 * A refused registration (expectRefusal), or, when the field may be substituted, a 2xx that
 * registered the client with an acceptable value for it (RFC 7591 2).
 */
export function refusalVerdict(r: Recorded, errors: readonly string[], statuses?: readonly number[], sub?: RefusalInput['substitutes']): Verdict {
  if (sub && r.clientId && r.status >= 200 && r.status < 300) {
    const v = body(r)[sub.field];
    return v !== undefined && !sub.refused(v)
      ? pass(evidenceOf(r, { actual: { [sub.field]: v } }), `accepted with ${sub.field} substituted (${JSON.stringify(v)}), as RFC 7591 2 allows`)
      : fail(`registered with the refused ${sub.field} ${JSON.stringify(v)}: refuse it (RFC 7591 3.2.2) or substitute a supported value and return it (RFC 7591 2)`, evidenceOf(r, { expected: 'a refusal or a substituted value', actual: { [sub.field]: v } }));
  }
  return expectRefusal(r, errors, statuses);
}

/** A registration the bank must refuse with 400 and one of the named RFC 7591 errors. */
export function refusal(input: RefusalInput): Check {
  const errors = input.errors ?? ['invalid_client_metadata'];
  return defineCheck({
    id: input.id,
    title: input.title,
    spec: input.spec,
    severity: input.severity ?? 'MUST',
    tags: ['registration', 'negative', ...(input.tags ?? [])],
    rules: input.rules,
    exchanges: [input.exchange],
    check: (r) => refusalVerdict(r, errors, input.statuses, input.substitutes),
  });
}

/** RFC 6750 3.1: "invalid_token ... The resource SHOULD respond with the HTTP 401 (Unauthorized) status code" and a WWW-Authenticate: Bearer challenge. */
export function bearerUnauthorized(r: Recorded, what: string, requireInvalidToken: boolean): Verdict {
  const challenge = header(r, 'www-authenticate') ?? '';
  if (r.status !== 401) return fail(`${what}: expected 401, got ${r.status || r.transportError}`, evidenceOf(r, { expected: 401 }));
  if (!/^Bearer\b/i.test(challenge)) return fail(`${what}: no WWW-Authenticate: Bearer challenge`, evidenceOf(r, { expected: 'WWW-Authenticate: Bearer ...', actual: challenge }));
  if (requireInvalidToken && !/error="invalid_token"/.test(challenge)) return fail(`${what}: the challenge lacks error="invalid_token"`, evidenceOf(r, { expected: 'error="invalid_token"', actual: challenge }));
  return pass(evidenceOf(r));
}
