import { RuleViolation } from '../errors';
import type { RuleId } from '../../catalogue/rules';
import { MAX_JSON_DEPTH, jsonDepth } from './preview';

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  compact: string;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodePart(part: string, what: string, rule: RuleId): Record<string, unknown> {
  // Buffer skips characters outside the alphabet, so the input is checked: re-encoding gives it
  // back exactly for every canonical base64url string (about half the cost of the regex on a
  // few KB of claims); the regex judges the rest (non-zero trailing bits).
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part && !B64URL.test(part)) throw new RuleViolation(rule, `${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RuleViolation(rule, `${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RuleViolation(rule, `${what} is not a JSON object`);
  }
  // Everything downstream (error descriptions, the store, the answer) walks claims recursively.
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new RuleViolation(rule, `${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value as Record<string, unknown>;
}

/** Decodes a compact JWS without verifying it. Claims read from it are untrusted until verified. */
export function decodeCompactJws(input: string, rule: RuleId, what: string): DecodedJws {
  const compact = input.trim();
  const parts = compact.split('.');
  if (parts.length !== 3) {
    throw new RuleViolation(rule, `${what} must be a compact JWS of three dot-separated parts, got ${parts.length}`);
  }
  const header = decodePart(parts[0]!, `${what} header`, rule);
  const payload = decodePart(parts[1]!, `${what} payload`, rule);
  if (!B64URL.test(parts[2]!)) throw new RuleViolation(rule, `${what} signature is not base64url`);
  if (typeof header.alg !== 'string') throw new RuleViolation(rule, `${what} header has no "alg"`);
  return { header, payload, compact };
}

/** Explains why an algorithm is refused, naming the dangerous cases. */
export function algRefusal(alg: string, allowed: readonly string[], what: string): string {
  if (alg === 'none') return `${what} uses alg "none" (unsigned); allowed: ${allowed.join(', ')}`;
  if (/^HS/.test(alg)) return `${what} uses symmetric alg "${alg}"; allowed: ${allowed.join(', ')}`;
  return `${what} uses alg "${alg}"; allowed: ${allowed.join(', ')}`;
}
