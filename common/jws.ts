/**
 * Compact JWS decoding (RFC 7515 7.1) without verification, shared by mock-server/ and
 * conformance/: claims read from it are untrusted until a signature is verified. A malformed
 * input throws JwsFormatError, whose message names `what` was being decoded; callers turn it into
 * their own error (the mock: a RuleViolation of the rule it is checking).
 */
import { MAX_JSON_DEPTH, jsonDepth } from './json';

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  compact: string;
}

export class JwsFormatError extends Error {}

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodePart(part: string, what: string): Record<string, unknown> {
  // Buffer skips characters outside the alphabet, so the input is checked: re-encoding gives it
  // back exactly for every canonical base64url string (about half the cost of the regex on a
  // few KB of claims); the regex judges the rest (non-zero trailing bits).
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part && !B64URL.test(part)) throw new JwsFormatError(`${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new JwsFormatError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwsFormatError(`${what} is not a JSON object`);
  }
  // Everything downstream (error descriptions, the store, the answer) walks claims recursively.
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new JwsFormatError(`${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value as Record<string, unknown>;
}

/** Decodes a compact JWS without verifying it: three base64url parts, a JSON object header with "alg", a JSON object payload. */
export function decodeJws(input: string, what: string): DecodedJws {
  const compact = input.trim();
  const parts = compact.split('.');
  if (parts.length !== 3) {
    throw new JwsFormatError(`${what} must be a compact JWS of three dot-separated parts, got ${parts.length}`);
  }
  const header = decodePart(parts[0]!, `${what} header`);
  const payload = decodePart(parts[1]!, `${what} payload`);
  if (!B64URL.test(parts[2]!)) throw new JwsFormatError(`${what} signature is not base64url`);
  if (typeof header.alg !== 'string') throw new JwsFormatError(`${what} header has no "alg"`);
  return { header, payload, compact };
}
