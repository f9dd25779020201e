/**
 * The bank's rules as pure functions: plain values in (the clock among them), values out or a
 * BankError thrown. No I/O: key sets arrive already resolved.
 */
import { timingSafeEqual } from 'node:crypto';
import type { JWK } from 'jose';
import type { Bugs } from './bugs';
import { badMetadata, badRedirect, badSsa, invalidClient, unapprovedSsa, BankError } from './errors';
import { FAPI_ALGS, KEY_CARRYING_HEADERS, hmacSecret, keyFits, parseCompact, verifyAsymmetric, verifyHs256, type HmacSecretForm, type ParsedJws } from './jws';
import { dnMatches, type Rdn } from './dn';

/** Allowed clock skew for iat/nbf, seconds. exp gets none: "in the future" is taken literally. */
export const SKEW = 60;

export const AUTH_METHODS = ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const;
export const SECRET_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post'];
export const GRANT_TYPES = ['authorization_code', 'client_credentials', 'refresh_token'] as const;
export const RESPONSE_TYPES = ['code id_token', 'code'] as const;
export const SCOPES = ['openid', 'accounts', 'payments', 'fundsconfirmations'] as const;
/** OBIE roles to the scopes they allow. */
export const ROLE_SCOPES: Readonly<Record<string, string>> = { AISP: 'accounts', PISP: 'payments', CBPII: 'fundsconfirmations' };
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function discovery(url: string): Record<string, unknown> {
  return {
    issuer: url,
    registration_endpoint: `${url}/register`,
    token_endpoint: `${url}/token`,
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...FAPI_ALGS],
    request_object_signing_alg_values_supported: [...FAPI_ALGS],
    id_token_signing_alg_values_supported: [...FAPI_ALGS],
    grant_types_supported: [...GRANT_TYPES],
    response_types_supported: [...RESPONSE_TYPES],
    scopes_supported: [...SCOPES],
    tls_client_certificate_bound_access_tokens: true,
  };
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

// ---------------------------------------------------------------------------------------------
// The registration request JWS header and signature

export type KeySource = 'software' | 'jku' | 'x5u' | 'jwk';
export interface SignaturePlan {
  /** The alg the verifier will apply (after any case folding a bug allows). */
  alg: string;
  source: KeySource;
}

const HS_BUGS: ReadonlyArray<readonly [Parameters<Bugs['has']>[0], HmacSecretForm]> = [
  ['hs256-spki-pem-newline', 'spki-pem-newline'],
  ['hs256-spki-pem-no-newline', 'spki-pem-no-newline'],
  ['hs256-pkcs1-pem', 'pkcs1-pem'],
  ['hs256-spki-der', 'spki-der'],
  ['hs256-pkcs1-der', 'pkcs1-der'],
  ['hs256-jwk-json', 'jwk-json'],
];

/**
 * RFC 7515 4.1.11: "If any of the listed extension Header Parameters are not understood and
 * supported by the recipient, then the JWS is invalid." This bank understands no extension.
 * OBIE DCR: keys come from the software_jwks_endpoint of the SSA, so no header may name a key.
 */
export function requestSignaturePlan(header: Record<string, unknown>, bugs: Bugs): SignaturePlan {
  const bad = badMetadata;
  if (header.crit !== undefined && !bugs.has('crit-ignored')) throw bad('the request JWS has a crit header this bank does not understand');
  if (header.x5c !== undefined) throw bad('x5c is not accepted: keys come from the SSA software_jwks_endpoint');
  let source: KeySource = 'software';
  if (header.jwk !== undefined) {
    if (!bugs.has('embedded-jwk-trusted')) throw bad('jwk header is not accepted: keys come from the SSA software_jwks_endpoint');
    source = 'jwk';
  }
  if (header.jku !== undefined) {
    if (!bugs.has('jku-followed')) throw bad('jku header is not accepted: keys come from the SSA software_jwks_endpoint');
    source = 'jku';
  }
  if (header.x5u !== undefined) {
    if (!bugs.has('x5u-followed')) throw bad('x5u header is not accepted: keys come from the SSA software_jwks_endpoint');
    source = 'x5u';
  }
  const alg = header.alg;
  if (!isStr(alg)) throw bad('the request JWS has no alg');
  if (bugs.has('signature-unchecked')) return { alg, source };
  if ((FAPI_ALGS as readonly string[]).includes(alg)) return { alg, source };
  const folded = alg.toUpperCase();
  if (bugs.has('alg-case-insensitive') && (FAPI_ALGS as readonly string[]).includes(folded)) return { alg: folded, source };
  if (alg === 'RS256' && bugs.has('rs256-accepted')) return { alg, source };
  if (alg === 'none' && bugs.has('alg-none-accepted')) return { alg, source };
  if (alg === 'HS256' && HS_BUGS.some(([b]) => bugs.has(b))) return { alg, source };
  throw bad(`request JWS alg ${alg} is not allowed (PS256 or ES256)`);
}

/** Verifies the request signature with the keys of plan.source (already resolved). */
export function verifyRequestSignature(jws: ParsedJws, plan: SignaturePlan, keys: readonly JWK[], bugs: Bugs): void {
  if (bugs.has('signature-unchecked')) return;
  const bad = badMetadata;
  if (plan.alg === 'none') {
    if (jws.signature.length === 0) return;
    throw bad('the request signature is invalid');
  }
  const kid = jws.header.kid;
  let candidates: readonly JWK[];
  if (plan.source === 'jwk') candidates = keys;
  else if (bugs.has('kid-ignored') && plan.source === 'software') candidates = keys.slice(0, 1);
  else if (plan.source !== 'software' && kid === undefined) candidates = keys;
  else {
    if (!isStr(kid)) throw bad('the request JWS has no kid');
    const k = keys.find((key) => key.kid === kid);
    if (!k) throw bad(`no key with kid ${kid} in the software JWKS`);
    candidates = [k];
  }
  const ok = candidates.some((key) => {
    if (plan.alg === 'HS256') {
      return HS_BUGS.some(([b, form]) => {
        if (!bugs.has(b)) return false;
        const secret = hmacSecret(form, key);
        return secret !== undefined && verifyHs256(secret, jws);
      });
    }
    return keyFits(key, plan.alg) && verifyAsymmetric(plan.alg, key, jws);
  });
  if (!ok) throw bad('the request signature is invalid');
}

// ---------------------------------------------------------------------------------------------
// The software statement

export interface Directory {
  issuer: string;
  jwks: { keys: JWK[] };
}

export interface Ssa {
  raw: string;
  software_id: string;
  org_id: string;
  software_roles: string[];
  software_redirect_uris: string[];
  software_jwks_endpoint: string;
}

function numericDate(v: unknown, name: string, bugs: Bugs, err: (d: string) => BankError): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && bugs.has('numeric-string-claims') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw err(`${name} must be a NumericDate (a JSON number)`);
}

/** OBIE DCR: the SSA is a JWS signed PS256 by the directory; iss is the directory; exp/nbf/iat honoured. */
export function verifySsa(text: unknown, directory: Directory, now: number, bugs: Bugs): Ssa {
  if (!isStr(text) || text === '') throw badSsa('software_statement is required');
  const jws = parseCompact(text);
  if (!jws) throw badSsa('software_statement is not a compact JWS');
  const h = jws.header;
  if (!bugs.has('ssa-signature-unchecked')) {
    if (h.crit !== undefined) throw badSsa('the SSA has a crit header this bank does not understand');
    if (KEY_CARRYING_HEADERS.some((k) => h[k] !== undefined)) throw badSsa('the SSA header may not name its own key');
    if (h.alg !== 'PS256') throw badSsa('the SSA must be signed PS256');
    const key = directory.jwks.keys.find((k) => isStr(h.kid) && k.kid === h.kid);
    if (!key) throw badSsa('the SSA kid is not a directory key');
    if (!keyFits(key, 'PS256') || !verifyAsymmetric('PS256', key, jws)) throw badSsa('the SSA signature is invalid');
  }
  const c = jws.payload;
  if (c.iss !== directory.issuer && !bugs.has('ssa-iss-unchecked')) throw unapprovedSsa('the SSA was not issued by a trusted directory');
  // The SSA lifetime is honoured whatever the request-claim switches say.
  const strict = new Set<never>();
  if (c.exp !== undefined && !bugs.has('ssa-exp-unchecked') && numericDate(c.exp, 'SSA exp', strict, badSsa) <= now) throw badSsa('the SSA has expired');
  if (c.nbf !== undefined && numericDate(c.nbf, 'SSA nbf', strict, badSsa) > now + SKEW) throw badSsa('the SSA is not yet valid');
  if (c.iat !== undefined && numericDate(c.iat, 'SSA iat', strict, badSsa) > now + SKEW) throw badSsa('the SSA iat is in the future');
  if (!isStr(c.software_id) || c.software_id === '') throw badSsa('the SSA has no software_id');
  if (!isStr(c.org_id) || c.org_id === '') throw badSsa('the SSA has no org_id');
  const roles = isStr(c.software_roles) ? [c.software_roles] : c.software_roles;
  if (!isStrArray(roles)) throw badSsa('the SSA software_roles must be an array of strings');
  if (!isStrArray(c.software_redirect_uris) || c.software_redirect_uris.length === 0) throw badSsa('the SSA has no software_redirect_uris');
  if (!isStr(c.software_jwks_endpoint)) throw badSsa('the SSA has no software_jwks_endpoint');
  return {
    raw: text,
    software_id: c.software_id,
    org_id: c.org_id,
    software_roles: roles,
    software_redirect_uris: c.software_redirect_uris,
    software_jwks_endpoint: c.software_jwks_endpoint,
  };
}

// ---------------------------------------------------------------------------------------------
// The request claims

export interface RequestClaims {
  jti?: string;
  /** Until when the jti must be remembered. */
  exp: number;
}

function audOk(aud: unknown, issuer: string, substring: boolean): boolean {
  const list = isStr(aud) ? [aud] : isStrArray(aud) ? aud : [];
  return list.some((a) => a === issuer || (substring && a !== '' && (a.includes(issuer) || issuer.includes(a))));
}

/** OBIE DCR v3.3 request claims: iss = software_id, aud = this bank, iat, exp, jti. */
export function checkRequestClaims(c: Record<string, unknown>, ssa: Ssa, issuer: string, now: number, bugs: Bugs): RequestClaims {
  const bad = badMetadata;
  if (!bugs.has('iss-unchecked') && c.iss !== ssa.software_id) throw bad('iss must equal the SSA software_id');
  if (!audOk(c.aud, issuer, bugs.has('aud-substring'))) throw bad('aud must be this bank');
  if (c.iat === undefined) {
    if (!bugs.has('iat-optional')) throw bad('iat is required');
  } else if (numericDate(c.iat, 'iat', bugs, bad) > now + SKEW && !bugs.has('iat-future-accepted')) throw bad('iat is in the future');
  let exp = now + 3600;
  if (c.exp === undefined) {
    if (!bugs.has('exp-optional')) throw bad('exp is required');
  } else {
    exp = numericDate(c.exp, 'exp', bugs, bad);
    if (exp <= now && !bugs.has('exp-unchecked')) throw bad('the request has expired');
  }
  if (c.nbf !== undefined && numericDate(c.nbf, 'nbf', bugs, bad) > now + SKEW) throw bad('the request is not yet valid');
  if (c.jti === undefined && bugs.has('jti-optional')) return { exp };
  if (!isStr(c.jti) || c.jti === '') throw bad('jti is required');
  return { jti: c.jti, exp };
}

// ---------------------------------------------------------------------------------------------
// The client metadata

/** Names this bank knows; anything else is ignored (RFC 7591 2: "MUST ignore any client metadata ... that it does not understand"). */
const KNOWN = new Set([
  'iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'software_statement', 'client_id',
  'redirect_uris', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'tls_client_auth_subject_dn',
  'grant_types', 'response_types', 'scope', 'software_id', 'application_type', 'id_token_signed_response_alg',
  'request_object_signing_alg', 'jwks', 'jwks_uri', 'client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri',
  'contacts', 'software_version',
]);
const STRING_EXTRAS = ['client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'software_version'] as const;

export type Metadata = Record<string, unknown> & {
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  grant_types: string[];
  response_types: string[];
  scope: string;
  application_type: string;
};

function checkRedirect(uri: string, ssa: Ssa, bugs: Bugs): void {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw badRedirect(`${uri} is not a URI`);
  }
  if (uri.length > 256) throw badRedirect('a redirect_uri is longer than 256 characters');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && bugs.has('redirect-http-allowed'))) throw badRedirect(`${uri} is not https`);
  // RFC 6749 3.1.2: "The endpoint URI MUST NOT include a fragment component."
  if (uri.includes('#') && !bugs.has('redirect-fragment-allowed')) throw badRedirect(`${uri} has a fragment`);
  const host = u.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]') throw badRedirect(`${uri} is a loopback address`);
  if (!bugs.has('redirect-not-in-ssa-accepted') && !ssa.software_redirect_uris.includes(uri)) throw badRedirect(`${uri} is not one of the SSA software_redirect_uris`);
}

export interface MetadataContext {
  /** Subject of the presented transport certificate. */
  certSubject?: readonly Rdn[];
}

export function validateMetadata(c: Record<string, unknown>, ssa: Ssa, ctx: MetadataContext, bugs: Bugs): Metadata {
  const bad = badMetadata;
  if (bugs.has('unknown-metadata-refused')) {
    const unknown = Object.keys(c).filter((k) => !KNOWN.has(k));
    if (unknown.length) throw bad(`unknown metadata: ${unknown.join(', ')}`);
  }

  // OBIE v3.3: "If the redirect_uris metadata element is omitted from the request, the entire
  // contents of the software_redirect_uris element in the SSA are considered to be requested".
  const redirects = c.redirect_uris === undefined ? [...ssa.software_redirect_uris] : c.redirect_uris;
  if (!isStrArray(redirects) || redirects.length === 0) throw badRedirect('redirect_uris must be a non-empty array of strings');
  for (const uri of redirects) checkRedirect(uri, ssa, bugs);

  const method = c.token_endpoint_auth_method;
  if (!isStr(method)) throw bad('token_endpoint_auth_method is required');
  if (!(AUTH_METHODS as readonly string[]).includes(method) && !bugs.has('unknown-auth-method-accepted')) throw bad(`token_endpoint_auth_method ${method} is not supported`);
  if (method === 'client_secret_post' && bugs.has('advertised-secret-post-refused')) throw bad('token_endpoint_auth_method client_secret_post is not supported');

  const out: Metadata = {
    redirect_uris: [...redirects],
    token_endpoint_auth_method: method,
    grant_types: [],
    response_types: [],
    scope: '',
    application_type: 'web',
  };

  const signingAlg = c.token_endpoint_auth_signing_alg;
  if (signingAlg !== undefined) {
    if (!isStr(signingAlg) || !(FAPI_ALGS as readonly string[]).includes(signingAlg)) throw bad('token_endpoint_auth_signing_alg must be PS256 or ES256');
    out.token_endpoint_auth_signing_alg = signingAlg;
  } else if (method === 'private_key_jwt' && !bugs.has('signing-alg-optional')) throw bad('token_endpoint_auth_signing_alg is required for private_key_jwt');

  if (method === 'tls_client_auth') {
    const dn = c.tls_client_auth_subject_dn;
    if (!isStr(dn) || dn === '') throw bad('tls_client_auth_subject_dn is required for tls_client_auth');
    if (!bugs.has('registration-dn-mismatch') && !(ctx.certSubject && dnMatches(dn, ctx.certSubject))) {
      throw bad('tls_client_auth_subject_dn does not match the presented certificate');
    }
    out.tls_client_auth_subject_dn = dn;
  }

  // RFC 7591 2: "If omitted, the default behavior is that the client will use only the "authorization_code" Grant Type."
  const grants = c.grant_types === undefined ? ['authorization_code'] : c.grant_types;
  if (!isStrArray(grants) || grants.length === 0) throw bad('grant_types must be a non-empty array of strings');
  if (!bugs.has('grant-types-unchecked')) {
    const unsupported = grants.filter((g) => !(GRANT_TYPES as readonly string[]).includes(g));
    if (unsupported.length) throw bad(`unsupported grant_types: ${unsupported.join(', ')}`);
  }
  if (bugs.has('advertised-refresh-token-refused') && grants.includes('refresh_token')) throw bad('grant type refresh_token is not supported');
  out.grant_types = [...grants];

  const responses = c.response_types === undefined ? ['code id_token'] : c.response_types;
  if (!isStrArray(responses) || responses.length === 0) throw bad('response_types must be a non-empty array of strings');
  if (!bugs.has('response-types-unchecked')) {
    const unsupported = responses.filter((r) => !(RESPONSE_TYPES as readonly string[]).includes(r));
    if (unsupported.length) throw bad(`unsupported response_types: ${unsupported.join(', ')}`);
  }
  out.response_types = [...responses];

  const allowed = new Set(['openid', ...ssa.software_roles.map((r) => ROLE_SCOPES[r]).filter(isStr)]);
  if (c.scope === undefined) out.scope = [...allowed].join(' ');
  else {
    if (!isStr(c.scope) || c.scope.trim() === '') throw bad('scope must be a space-separated string');
    const scopes = c.scope.split(' ').filter((s) => s !== '');
    const beyond = scopes.filter((s) => !allowed.has(s));
    if (beyond.length && !bugs.has('scope-beyond-roles')) throw bad(`scope beyond the SSA software_roles: ${beyond.join(' ')}`);
    out.scope = scopes.join(' ');
  }

  if (c.software_id !== undefined && c.software_id !== ssa.software_id && !bugs.has('software-id-mismatch-accepted')) throw bad('software_id must equal the SSA software_id');

  if (c.application_type !== undefined && c.application_type !== 'web') throw bad('application_type must be web');

  for (const name of ['id_token_signed_response_alg', 'request_object_signing_alg'] as const) {
    const v = c[name];
    if (v === undefined) continue;
    if (!isStr(v) || !(FAPI_ALGS as readonly string[]).includes(v)) throw bad(`${name} must be PS256 or ES256`);
    out[name] = v;
  }

  // RFC 7591 2: "The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response."
  if (c.jwks !== undefined && c.jwks_uri !== undefined && !bugs.has('jwks-and-jwks-uri-accepted')) throw bad('jwks and jwks_uri must not both be present');
  if (c.jwks !== undefined) {
    const j = c.jwks as { keys?: unknown } | null;
    if (j === null || typeof j !== 'object' || !Array.isArray(j.keys)) throw bad('jwks must be a JWK Set');
    out.jwks = c.jwks;
  }
  if (c.jwks_uri !== undefined) {
    if (!isStr(c.jwks_uri) || !c.jwks_uri.startsWith('https://')) throw bad('jwks_uri must be an https URL');
    out.jwks_uri = c.jwks_uri;
  }
  for (const name of STRING_EXTRAS) if (isStr(c[name])) out[name] = c[name];
  if (isStrArray(c.contacts)) out.contacts = [...c.contacts];
  return out;
}

// ---------------------------------------------------------------------------------------------
// The token endpoint

export interface AssertionContext {
  clientId: string;
  alg: string | undefined;
  audiences: readonly string[];
  now: number;
}

/**
 * RFC 7523 3: iss and sub are the client_id, aud identifies the authorization server, exp is
 * required, jti single-use (the caller keeps the seen values). Returns the jti and its expiry.
 */
export function checkClientAssertion(jws: ParsedJws, keys: readonly JWK[], ctx: AssertionContext, bugs: Bugs): { jti: string; exp: number } {
  const fail = (d: string) => invalidClient(d, false);
  const alg = jws.header.alg;
  if (!isStr(alg) || !(FAPI_ALGS as readonly string[]).includes(alg)) throw fail('the client assertion must be signed PS256 or ES256');
  if (alg === 'ES256' && bugs.has('advertised-es256-assertion-refused')) throw fail('ES256 client assertions are not supported');
  if (ctx.alg !== undefined && alg !== ctx.alg) throw fail('the client assertion is not signed with the registered alg');
  if (jws.header.crit !== undefined) throw fail('the client assertion has a crit header this bank does not understand');
  if (KEY_CARRYING_HEADERS.some((k) => jws.header[k] !== undefined)) throw fail('the client assertion header may not name its own key');
  const kid = jws.header.kid;
  const candidates = kid === undefined ? keys : keys.filter((k) => k.kid === kid);
  if (!candidates.some((k) => keyFits(k, alg) && verifyAsymmetric(alg, k, jws))) throw fail('the client assertion signature is invalid');
  const c = jws.payload;
  if (c.iss !== ctx.clientId) throw fail('the client assertion iss must be the client_id');
  if (c.sub !== ctx.clientId && !bugs.has('assertion-sub-unchecked')) throw fail('the client assertion sub must be the client_id');
  if (!bugs.has('assertion-aud-unchecked') && !ctx.audiences.some((a) => audOk(c.aud, a, false))) throw fail('the client assertion aud must be the token endpoint or the issuer');
  const strict = new Set<never>();
  let exp = ctx.now + 3600;
  if (c.exp === undefined) {
    if (!bugs.has('assertion-exp-optional')) throw fail('the client assertion has no exp');
  } else {
    exp = numericDate(c.exp, 'exp', strict, fail);
    if (exp <= ctx.now) throw fail('the client assertion has expired');
  }
  if (c.nbf !== undefined && numericDate(c.nbf, 'nbf', strict, fail) > ctx.now + SKEW) throw fail('the client assertion is not yet valid');
  if (c.iat !== undefined && numericDate(c.iat, 'iat', strict, fail) > ctx.now + SKEW) throw fail('the client assertion iat is in the future');
  if (!isStr(c.jti) || c.jti === '') throw fail('the client assertion has no jti');
  return { jti: c.jti, exp };
}

/** RFC 6749 3.3: an absent or empty scope gets the client's scope; more than the client has is invalid_scope. */
export function grantScope(requested: string | undefined, clientScope: string, bugs: Bugs): string {
  if (requested === undefined || requested.trim() === '') {
    if (requested !== undefined && bugs.has('empty-scope-refused')) throw new BankError(400, 'invalid_request', 'scope must not be empty');
    return clientScope;
  }
  const have = new Set(clientScope.split(' '));
  const want = requested.split(' ').filter((s) => s !== '');
  if (!bugs.has('token-scope-beyond-client')) {
    const beyond = want.filter((s) => !have.has(s));
    if (beyond.length) throw new BankError(400, 'invalid_scope', `scope beyond the client's: ${beyond.join(' ')}`);
  }
  return want.join(' ');
}

/** Constant-time secret comparison (with the prefix bug as the one wrong variant). */
export function secretMatches(presented: string, stored: string, bugs: Bugs): boolean {
  if (bugs.has('secret-prefix-compare')) return presented !== '' && stored.startsWith(presented);
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(stored, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
