import type { OAuthError } from '../errors';
import { RuleViolation } from '../errors';
import type { Profile } from '../profiles/types';

export interface RenderedError {
  status: number;
  /** undefined: no body at all. */
  body: unknown;
  headers: Record<string, string>;
}

/** The header naming the failed rule: set on every refusal, the only trace of it when the envelope is empty. */
export const RULE_HEADER = 'x-dcr-rule';

/**
 * Writes a refusal in the profile's envelope:
 * - oauth: RFC 7591 3.2.2 `{ error, error_description }` with the rule's status;
 * - tppMessages: `{ tppMessages: [{ category, code, text }] }`, one entry per failed rule, each
 *   rule mapped to its class (category and status) by the profile; an unknown path gets `notFound`;
 * - empty: the status alone, no body ("This operation returns no content").
 */
export function renderError(e: OAuthError, errors: Profile['errors']): RenderedError {
  const headers: Record<string, string> = { ...e.headers, ...(e.rule ? { [RULE_HEADER]: e.rule } : {}) };
  if (errors.envelope === 'empty') return { status: e.status, body: undefined, headers };
  if (errors.envelope === 'oauth') return { status: e.status, body: { error: e.code, error_description: e.description }, headers };

  if (!e.rule && e.code === 'not_found' && errors.notFound) {
    const { category, code, text } = errors.notFound;
    return { status: code, body: { tppMessages: [{ category, code, text }] }, headers };
  }
  const all = e instanceof RuleViolation && e.related.length ? e.related : [e];
  const messages = all.map((v) => {
    // A refusal by rule takes the rule's class; anything else (a 500, an unreadable body) keeps its own code and status.
    const cls = v.rule ? errors.classes?.[v.rule] ?? errors.defaultClass : undefined;
    return { category: cls?.category ?? v.code, code: cls?.code ?? v.status, text: v.description };
  });
  return { status: messages[0]!.code, body: { tppMessages: messages }, headers };
}
