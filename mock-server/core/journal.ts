/**
 * What the admin journal keeps of an exchange, redacted by structure before it leaves the process
 * (written to Redis redacted; in memory, made when the journal is first read: http/middleware.ts,
 * store/memory.ts appendJournalLater): every object, array and string of the request
 * and the answer is walked, and what is removed is named in the entry's `redacted` list (the
 * dashboard shows it), e.g. `answer.signing_key.d` or `request.jwt.signature`.
 *
 * Removed, wherever it sits (a form field, JSON at any depth, JSON text inside a string, the header
 * or claims of a compact JWS inside any value):
 * - members named like a secret: client_secret, software_secret, passwords, tokens (access_token,
 *   registration_access_token, initial_access_token), cookies...;
 * - the private members of a JWK (d, p, q, dp, dq, qi, oth, k): an object with `kty`, or with
 *   `d` beside the public members of an RSA, EC or OKP key;
 * - the signature of every compact JWS (request objects, client assertions, SSAs): the JWS is kept
 *   as `{ header, claims }`, each redacted the same way;
 * - the credentials of an Authorization value or of any string starting with an auth scheme
 *   (`Bearer ...`, `Basic ...`): the scheme alone is kept.
 */
import { deepFreeze } from '../../common/json';
import { isUnchanging, sizeOnce, sizeOnceDeep } from '../store/bounded';
const SECRET_NAME = /secret|password|assertion_signature|(?:^|_)access_token$|^refresh_token$|^id_token$|^token$|^code$|^code_verifier$|cookie/i;
/** Fields holding a signed credential: kept decoded (header and claims, no signature) when a compact JWS, otherwise redacted. */
const SIGNED_CREDENTIAL = /assertion$|^subject_token$|^actor_token$/i;
/** A member name the journal never keeps the value of as it is (a secret, or a signed credential kept decoded without its signature). */
export const isCredentialName = (name: string): boolean => SECRET_NAME.test(name) || SIGNED_CREDENTIAL.test(name);
/** HTTP authentication schemes (the IANA registry): the only first word of an Authorization value kept. */
const AUTH_SCHEMES = new Map(['Basic', 'Bearer', 'Concealed', 'Digest', 'DPoP', 'GNAP', 'HOBA', 'Mutual', 'Negotiate', 'NTLM', 'OAuth', 'PrivateToken', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'vapid'].map((s) => [s.toLowerCase(), s]));
/** A string that carries credentials after a scheme: `Bearer abc`, `Basic Zm9v`. */
const SCHEME_CREDENTIAL = /^\s*(?:Bearer|Basic|DPoP|Digest|Negotiate|NTLM|GNAP|PrivateToken)\s+\S/i;
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);
/** Public members that, beside `d`, make an object a private key even without `kty`. */
const KEY_SHAPE = ['n', 'e', 'x', 'y', 'crv'];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Deeper than this, a value is dropped (answers and requests the mock reads nest far less). */
const MAX_DEPTH = 16;
/** Paths named in one entry's `redacted` list; past it, a count. */
const MAX_MARKS = 50;
export const REDACTED = '[redacted]';

/** Collects the paths of what was removed. */
export class Redactions {
  readonly paths: string[] = [];
  private more = 0;
  add(path: string): void {
    if (this.paths.length < MAX_MARKS) this.paths.push(path);
    else this.more++;
  }
  list(): string[] {
    return this.more ? [...this.paths, `... and ${this.more} more`] : this.paths;
  }
}

const child = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$#-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.slice(0, 40))}]`);

/** `__proto__` may be a member the client sent: an own property, never the prototype. */
function put(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A compact JWS as { header, claims } (each redacted), its signature dropped; undefined when it is not one. */
function decodeJws(value: string, path: string, marks: Redactions, depth: number): { header: unknown; claims: unknown } | undefined {
  const s = value.trim();
  if (!COMPACT_JWS.test(s)) return undefined;
  const [h, p, sig] = s.split('.');
  const header = decodePart(h!);
  if (typeof header !== 'object' || header === null) return undefined;
  if (sig) marks.add(`${path}.signature`);
  const payload = decodePart(p!);
  return {
    header: walk(header, `${path}.header`, marks, depth + 1),
    claims: payload === undefined ? '(not JSON)' : walk(payload, `${path}.claims`, marks, depth + 1),
  };
}

/**
 * A compact JWS inside a recorded value (an SSA in the request's claims and again in the answer)
 * is the same text request after request: its redacted form and the marks it makes are kept,
 * frozen, in a small bounded cache instead of being decoded and walked each time. Only the
 * redacted form is kept (never the signature), keyed by the text and the depth it sits at.
 */
const NESTED_JWS_CACHE = 256;
const NESTED_JWS_MAX_CHARS = 16_384;
/** A path prefix no recorded path starts with, so that a cached entry's marks can be moved under another path. */
const HERE = '\u0000';
interface NestedJws { depth: number; jws: { header: unknown; claims: unknown } | undefined; marks: string[] }
/** By the text itself (a string keeps its hash: the SSA of a request is one string from the verifier to the answer), then by depth. */
const nestedJws = new Map<string, NestedJws[]>();

/**
 * A redaction made once under HERE, so that its marks can be moved under any path it is later found at;
 * undefined past the list's bound (a count instead of paths), when the marks cannot be moved and nothing is kept.
 */
function redactedHere<T>(redact: (at: string, own: Redactions) => T): { out: T; marks: string[] } | undefined {
  const own = new Redactions();
  const out = redact(HERE, own);
  const moved = own.list();
  return moved.some((m) => !m.startsWith(HERE)) ? undefined : { out, marks: moved.map((m) => m.slice(HERE.length)) };
}

/** decodeJws for a JWS nested in a value: from the cache when the same text was seen at the same depth. */
function nestedJwsOf(value: string, path: string, marks: Redactions, depth: number): { header: unknown; claims: unknown } | undefined {
  if (value.length > NESTED_JWS_MAX_CHARS || !value.includes('.')) return decodeJws(value, path, marks, depth);
  const atDepths = nestedJws.get(value);
  let hit = atDepths?.find((e) => e.depth === depth);
  if (atDepths) {
    // Most recently used last: the oldest is the one forgotten when full.
    nestedJws.delete(value);
    nestedJws.set(value, atDepths);
  }
  if (!hit) {
    const once = redactedHere((at, own) => decodeJws(value, at, own, depth));
    if (!once) return decodeJws(value, path, marks, depth);
    hit = { depth, jws: sizeOnce(deepFreeze(once.out)), marks: once.marks };
    if (atDepths) atDepths.push(hit);
    else nestedJws.set(value, [hit]);
    if (nestedJws.size > NESTED_JWS_CACHE) nestedJws.delete(nestedJws.keys().next().value as string);
  }
  for (const m of hit.marks) marks.add(path + m);
  return hit.jws;
}

/** What decodeJws makes of a compact JWS already decoded: the same marks, in the same order. */
function decodedJws(jws: { header: unknown; payload: unknown; compact: string }, path: string, marks: Redactions): { header: unknown; claims: unknown } {
  if (!jws.compact.endsWith('.')) marks.add(`${path}.signature`);
  return { header: walk(jws.header, `${path}.header`, marks, 1), claims: walk(jws.payload, `${path}.claims`, marks, 1) };
}

function isPrivateKey(o: Record<string, unknown>): boolean {
  return typeof o.kty === 'string' || (('d' in o || 'k' in o) && KEY_SHAPE.some((m) => m in o));
}

/** JSON text inside a string, when it holds something to redact: the redacted value; otherwise the string as it is. */
function jsonText(value: string, path: string, marks: Redactions, depth: number): unknown {
  const s = value.trimStart();
  if (!(s.startsWith('{') || s.startsWith('['))) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    return value;
  }
  const inner = new Redactions();
  const walked = walk(parsed, path, inner, depth + 1);
  if (!inner.paths.length) return value;
  for (const p of inner.list()) marks.add(p);
  return walked;
}

/** A member name as kept: a compact JWS without its signature, a scheme and credential as the scheme alone. */
function memberName(name: string, path: string, marks: Redactions): string {
  if (SCHEME_CREDENTIAL.test(name)) {
    marks.add(`${path} (a member name)`);
    return redactAuthorization(name);
  }
  const s = name.trim();
  if (!COMPACT_JWS.test(s) || s.endsWith('.')) return name;
  marks.add(`${path} (a member name's signature)`);
  return s.slice(0, s.lastIndexOf('.') + 1);
}

interface NameSort { secret: boolean; signed: boolean }
const nameSort = (k: string): NameSort => ({ secret: SECRET_NAME.test(k), signed: SIGNED_CREDENTIAL.test(k) });

/**
 * Member names that are no credential themselves (memberName keeps them as they are, marking
 * nothing), with their sort and their path suffix: the same few dozen names (the claims, the
 * metadata) in every entry, each judged by four patterns. Bounded: past it, judged each time.
 */
const plainNames = new Map<string, NameSort & { suffix: string }>();
const PLAIN_NAMES_MAX = 2000;
const PLAIN_NAME_MAX_CHARS = 64;

function learnName(name: string): void {
  if (plainNames.size >= PLAIN_NAMES_MAX || name.length > PLAIN_NAME_MAX_CHARS) return;
  const probe = new Redactions();
  if (memberName(name, '', probe) !== name || probe.paths.length) return;
  plainNames.set(name, { ...nameSort(name), suffix: child('', name) });
}

/**
 * A value that never changes (deeply frozen and marked so: store/bounded.ts sizeOnceDeep), such
 * as the claims of a decoded SSA that a registration's answer copies (org_contacts, the roles, the
 * redirect URIs), is walked once per depth: its redacted form, frozen, and the marks it makes are
 * kept beside it (weakly: they go when it goes) and moved under the path where it sits, as for a
 * nested JWS. The redacted form is a new value (never the value itself), so nothing but its
 * redaction is ever kept.
 */
interface Walked { depth: number; out: unknown; marks: string[] }
const walkedUnchanging = new WeakMap<object, Walked[]>();

function walkUnchanging(value: object, path: string, marks: Redactions, depth: number): unknown {
  const atDepths = walkedUnchanging.get(value);
  let hit = atDepths?.find((e) => e.depth === depth);
  if (!hit) {
    const once = redactedHere((at, own) => walkObject(value, at, own, depth));
    if (!once) return walkObject(value, path, marks, depth);
    hit = { depth, out: sizeOnceDeep(deepFreeze(once.out)), marks: once.marks };
    if (atDepths) atDepths.push(hit);
    else walkedUnchanging.set(value, [hit]);
  }
  for (const m of hit.marks) marks.add(path + m);
  return hit.out;
}

/** The value with every secret, private key member, signature and credential removed; each removal named in `marks`. */
export function walk(value: unknown, path: string, marks: Redactions, depth = 0): unknown {
  if (depth > MAX_DEPTH) {
    marks.add(`${path} (nested too deep)`);
    return REDACTED;
  }
  if (typeof value === 'string') {
    if (SCHEME_CREDENTIAL.test(value)) {
      marks.add(path);
      return redactAuthorization(value);
    }
    return nestedJwsOf(value, path, marks, depth) ?? jsonText(value, path, marks, depth);
  }
  if (typeof value !== 'object' || value === null) return value;
  return isUnchanging(value) ? walkUnchanging(value, path, marks, depth) : walkObject(value, path, marks, depth);
}

/** walk for an object or array (depth already checked). */
function walkObject(value: object, path: string, marks: Redactions, depth: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => walk(v, child(path, i), marks, depth + 1));
  const o = value as Record<string, unknown>;
  const key = isPrivateKey(o);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(o)) {
    const v = o[name];
    const known = plainNames.get(name);
    // A member name can be a credential too: a JWS sent as a form body parses as one field name.
    const k = known ? name : memberName(name, path, marks);
    const sort = known ?? nameSort(k);
    const at = known ? path + known.suffix : child(path, k);
    if (sort.secret || (key && PRIVATE_JWK_MEMBERS.has(k))) {
      marks.add(at);
      put(out, k, REDACTED);
    } else if (sort.signed) {
      const jws = typeof v === 'string' ? nestedJwsOf(v, at, marks, depth) : undefined;
      if (!jws) marks.add(at);
      put(out, k, jws ?? REDACTED);
    } else {
      put(out, k, walk(v, at, marks, depth + 1));
    }
    if (!known) learnName(name);
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
 * What the journal keeps of a request: the Authorization scheme alone; a compact JWS body decoded
 * as `{ header, claims }` without its signature; any other text body not at all; a form or JSON
 * body redacted (see above). Cookies and other headers are not kept.
 */
export function journalRequest(body: unknown, authorization: string | undefined, marks: Redactions, decoded?: { header: unknown; payload: unknown; compact: string }): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (authorization) {
    out.authorization = redactAuthorization(authorization);
    marks.add('request.authorization');
  }
  if (typeof body === 'string' && body.trim() !== '') {
    // The body as the verifier decoded it (a stricter decoding than decodeJws's, of the same text): not decoded again.
    const jws = decoded && decoded.compact === body.trim() ? decodedJws(decoded, 'request.jwt', marks) : decodeJws(body, 'request.jwt', marks, 0);
    if (jws) out.jwt = jws;
    else out.body = `(not a compact JWS: ${Buffer.byteLength(body.trim())} bytes, not kept)`;
  } else if (body && typeof body === 'object' && Object.keys(body).length) out.form = walk(body, 'request.form', marks);
  return Object.keys(out).length ? out : undefined;
}

/**
 * The journal's request as the admin API shows it. Entries written before the JWS was decoded at
 * write (on a shared Redis store, by an older instance) hold it as `header.payload.`: decoded here.
 */
export function readableRequest(request: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!request || typeof request.jwt !== 'string') return request;
  return { ...request, jwt: decodeJws(request.jwt, 'request.jwt', new Redactions(), 0) ?? '(not a compact JWS)' };
}
