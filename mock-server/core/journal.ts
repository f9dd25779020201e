/**
 * What the admin journal keeps of a request: decoded JWT headers and claims, form fields and the
 * Authorization scheme, with every signature, secret, token and private key member removed.
 */
const SECRET_NAME = /secret|password|assertion_signature|^access_token$|^refresh_token$|^token$|^code$|^code_verifier$|cookie/i;
/** Fields holding a signed credential: kept decoded (header and claims, no signature) when a compact JWS, otherwise redacted. */
const SIGNED_CREDENTIAL = /assertion$|^subject_token$|^actor_token$/i;
/** HTTP authentication schemes (the IANA registry): the only first word of an Authorization value kept. */
const AUTH_SCHEMES = new Map(['Basic', 'Bearer', 'Concealed', 'Digest', 'DPoP', 'GNAP', 'HOBA', 'Mutual', 'Negotiate', 'NTLM', 'OAuth', 'PrivateToken', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'vapid'].map((s) => [s.toLowerCase(), s]));
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
    else if (SIGNED_CREDENTIAL.test(k)) out[k] = (typeof v === 'string' && decodeJwt(v)) || REDACTED;
    else out[k] = scrub(v, depth + 1);
  }
  return out;
}

/** What is kept of an Authorization value: its scheme when it is a known one, never the credentials. */
export function redactAuthorization(value: string): string {
  // A bare credential ("Authorization: abc123", no scheme) must not be taken for one.
  const first = /^\s*([A-Za-z][A-Za-z0-9-]*)(?:\s|$)/.exec(value)?.[1];
  const scheme = first ? AUTH_SCHEMES.get(first.toLowerCase()) : undefined;
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/**
 * What the journal keeps of a request, redacted as it is written (the store never holds a
 * credential): the Authorization scheme alone; a compact JWS body without its signature (cut off
 * cheaply, on the hot path; decoding the JWT and its SSA waits for someone to read the journal,
 * readableRequest); any other text body not at all; a form or JSON body scrubbed of secrets
 * (client_secret, passwords, tokens, cookies) with client assertions decoded, signatures dropped.
 * Cookies and other headers are not kept.
 */
export function journalRequest(body: unknown, authorization: string | undefined): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (authorization) out.authorization = redactAuthorization(authorization);
  if (typeof body === 'string' && body.trim() !== '') {
    const text = body.trim();
    if (COMPACT_JWS.test(text)) out.jwt = text.slice(0, text.lastIndexOf('.') + 1);
    else out.body = `(not a compact JWS: ${Buffer.byteLength(text)} bytes, not kept)`;
  } else if (body && typeof body === 'object' && Object.keys(body).length) out.form = scrub(body);
  return Object.keys(out).length ? out : undefined;
}

/** The journal's request as the admin API shows it: the JWT decoded and scrubbed, its signature dropped. */
export function readableRequest(request: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!request || typeof request.jwt !== 'string') return request;
  return { ...request, jwt: decodeJwt(request.jwt) ?? '(not a compact JWS)' };
}
