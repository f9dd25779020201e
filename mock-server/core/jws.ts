import { RuleViolation } from '../errors';
import type { RuleId } from '../../catalogue/rules';
import { decodeJws, JwsFormatError, type DecodedJws } from '../../common/jws';

export type { DecodedJws };

/** Decodes a compact JWS without verifying it; a malformed one is a violation of `rule`. Claims read from it are untrusted until verified. */
export function decodeCompactJws(input: string, rule: RuleId, what: string): DecodedJws {
  try {
    return decodeJws(input, what);
  } catch (e) {
    if (e instanceof JwsFormatError) throw new RuleViolation(rule, e.message);
    throw e;
  }
}

/** Explains why an algorithm is refused, naming the dangerous cases. */
export function algRefusal(alg: string, allowed: readonly string[], what: string): string {
  if (alg === 'none') return `${what} uses alg "none" (unsigned); allowed: ${allowed.join(', ')}`;
  if (/^HS/.test(alg)) return `${what} uses symmetric alg "${alg}"; allowed: ${allowed.join(', ')}`;
  return `${what} uses alg "${alg}"; allowed: ${allowed.join(', ')}`;
}
