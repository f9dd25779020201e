/**
 * What the admin journal keeps of a request: decoded JWT headers and claims, form fields and the
 * Authorization scheme, with every signature, secret, token and private key member removed.
 */
const SECRET_NAME = /secret|password|assertion_signature|^access_token$|^refresh_token$|^token$/i;
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const REDACTED = '[redacted]';

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A compact JWS as { header, claims }, its signature dropped; undefined when it is not one. */
export function decodeJwt(value: string): { header: unknown; claims: unknown } | undefined {
  const s = value.trim();
  if (!COMPACT_JWS.test(s)) return undefined;
  const [h, p] = s.split('.');
  const header = decodePart(h!);
  const claims = decodePart(p!);
  if (typeof header !== 'object' || header === null) return undefined;
  return { header: scrub(header), claims: scrub(claims) };
}

/** Removes secrets and private key members at any depth; decodes nested JWTs (e.g. the SSA). */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (typeof value === 'string') return decodeJwt(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const isJwk = typeof (value as { kty?: unknown }).kty === 'string';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_NAME.test(k) || (isJwk && PRIVATE_JWK_MEMBERS.has(k))) out[k] = REDACTED;
    else out[k] = scrub(v, depth + 1);
  }
  return out;
}

/** The journal view of a request: its body (JWT or form) and the Authorization scheme only. */
export function journalRequest(body: unknown, authorization: string | undefined): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (authorization) out.authorization = `${authorization.trim().split(/\s+/)[0]} ${REDACTED}`;
  if (typeof body === 'string' && body.trim() !== '') out.jwt = decodeJwt(body) ?? '(not a compact JWS)';
  else if (body && typeof body === 'object' && Object.keys(body).length) out.form = scrub(body);
  return Object.keys(out).length ? out : undefined;
}
