import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { RuleId } from '../../catalogue/rules';
import { OAuthError, RuleViolation } from '../errors';
import type { Profile } from '../profiles/types';
import type { ClientRecord, TokenRecord } from '../store/types';
import { dnEquals } from '../../common/dn';
import { algRefusal, decodeCompactJws } from './jws';
import { candidateKeys } from './trust';
import { verifiesWithAny } from './verify-key';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What the transport says about the client certificate, if one was presented. */
export interface PresentedCert {
  subjectDn: string;
  /** x5t#S256 */
  thumbprint: string;
  authorized: boolean;
}

export interface TokenRequest {
  /** The parsed form: a parameter given twice arrives as an array. */
  form: Record<string, unknown>;
  authorization: string | undefined;
  cert: PresentedCert | undefined;
}

export interface TokenContext {
  profile: Profile;
  getClient: (clientId: string) => Promise<ClientRecord | undefined>;
  fetchJwks: (url: string) => Promise<JSONWebKeySet>;
  claimJti: (key: string, expiresAt: number) => Promise<boolean>;
  /** Seconds since the epoch. */
  now: number;
  clockSkewSeconds: number;
  /** Accepted client assertion aud values: the token endpoint and the issuer. */
  audiences: readonly string[];
  /**
   * The token_endpoint_auth_methods a client may use here (the profile's, narrowed by AUTH_METHODS;
   * the developer-portal application its own): for an unknown client, every one the bank offers.
   */
  offeredMethods: (client: ClientRecord | undefined) => readonly string[];
  skip: ReadonlySet<RuleId>;
}

export interface IssuedToken {
  /** The response body (RFC 6749 5.1). */
  response: { access_token: string; token_type: 'Bearer'; expires_in: number; scope: string };
  record: TokenRecord;
  /** The client it was issued to, as authenticated. */
  client: ClientRecord;
}

type Form = Record<string, string | undefined>;
type Refuse = (rule: RuleId, detail: string) => never;

/** The store key of an access token: the token itself is never kept. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Constant-time comparison of two secrets of any length (hashes first, so lengths do not leak). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** RFC 6749 3.2: "Request and response parameters MUST NOT be included more than once." */
export function singleValuedForm(form: Record<string, unknown>): Form {
  const out: Form = {};
  for (const [k, v] of Object.entries(form)) {
    if (typeof v !== 'string') throw new RuleViolation('TOKEN-REQUEST-FORMAT', `parameter ${JSON.stringify(k)} is given more than once`);
    out[k] = v;
  }
  return out;
}

function parseBasic(authorization: string | undefined): { id: string; secret: string } | 'absent' | 'malformed' {
  if (!authorization || !/^basic /i.test(authorization)) return 'absent';
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    // RFC 6749 2.3.1: client id and secret are form-urlencoded before base64.
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

function usedMethods(form: Form, basic: ReturnType<typeof parseBasic>): string[] {
  const used: string[] = [];
  if (basic !== 'absent') used.push('client_secret_basic');
  if (form.client_secret !== undefined) used.push('client_secret_post');
  if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) used.push('private_key_jwt');
  if (used.length === 0 && form.client_id !== undefined) used.push('tls_client_auth');
  return used;
}

async function checkAssertion(form: Form, client: ClientRecord, ctx: TokenContext, refuse: Refuse): Promise<void> {
  const skip = ctx.skip;
  if (form.client_assertion_type !== JWT_BEARER_ASSERTION || !form.client_assertion) {
    refuse('TOKEN-CLIENT-AUTH', `private_key_jwt needs client_assertion_type ${JWT_BEARER_ASSERTION} and a client_assertion`);
  }
  const assertion = decodeCompactJws(form.client_assertion!, 'TOKEN-ASSERTION-SIGNATURE', 'client_assertion');
  const { header, payload } = assertion;
  const alg = header.alg as string;
  const registered = client.metadata.token_endpoint_auth_signing_alg;
  const allowed = registered ? [registered] : ctx.profile.registration.authSigningAlgs;
  if (!skip.has('TOKEN-ASSERTION-ALG') && !allowed.includes(alg)) refuse('TOKEN-ASSERTION-ALG', algRefusal(alg, allowed, 'client_assertion'));

  if (!skip.has('TOKEN-ASSERTION-SIGNATURE')) {
    // The assertion may have no kid: candidateKeys then offers every signing key for alg.
    // A client that registered its keys by value (rfc7591 jwks) is verified with them; otherwise its key set is fetched.
    const jwks = client.jwks ? (client.jwks as JSONWebKeySet) : await ctx.fetchJwks(client.software_jwks_endpoint);
    const keys = candidateKeys(jwks, header.kid, alg);
    if (!(await verifiesWithAny(assertion, keys, alg))) {
      refuse('TOKEN-ASSERTION-SIGNATURE', `client_assertion does not verify against the software JWKS of client ${client.client_id}`);
    }
  }

  const { iss, sub, aud, exp, iat, jti } = payload;
  const now = ctx.now;
  const skew = ctx.clockSkewSeconds;
  const auds = Array.isArray(aud) ? aud : [aud];
  const maxLife = ctx.profile.token.maxAssertionLifetimeSeconds;
  const problem =
    iss !== client.client_id || sub !== client.client_id ? `iss and sub must both equal the client_id ${client.client_id}`
    : !auds.some((a) => typeof a === 'string' && ctx.audiences.includes(a)) ? `aud ${JSON.stringify(aud)} names neither the token endpoint nor the issuer (${ctx.audiences.join(', ')})`
    : typeof exp !== 'number' || !Number.isInteger(exp) ? 'exp is required as an integer'
    : exp + skew <= now ? `the assertion expired at ${exp} (now ${now})`
    : exp - now > maxLife + skew ? `exp is ${exp - now}s away; at most ${maxLife}s is accepted`
    : iat !== undefined && (typeof iat !== 'number' || iat > now + skew) ? `iat ${JSON.stringify(iat)} is not a time in the past`
    : typeof jti !== 'string' || jti === '' ? 'jti is required as a non-empty string'
    : undefined;
  if (problem && !skip.has('TOKEN-ASSERTION-CLAIMS')) refuse('TOKEN-ASSERTION-CLAIMS', `client_assertion: ${problem}`);

  if (!skip.has('TOKEN-ASSERTION-REPLAY') && typeof jti === 'string') {
    const expiresAt = (typeof exp === 'number' ? exp : now + maxLife) + skew;
    if (!(await ctx.claimJti(`client_assertion:${client.client_id}:${jti}`, expiresAt))) {
      refuse('TOKEN-ASSERTION-REPLAY', `client_assertion jti ${JSON.stringify(jti)} was already used`);
    }
  }
}

function checkTlsClientAuth(client: ClientRecord, cert: PresentedCert | undefined, skip: ReadonlySet<RuleId>, refuse: Refuse): void {
  if (!cert) {
    if (!skip.has('TLS-CERT-REQUIRED')) refuse('TLS-CERT-REQUIRED', 'tls_client_auth needs a client certificate; none was presented');
    return;
  }
  if (!cert.authorized && !skip.has('TLS-CERT-TRUSTED')) refuse('TLS-CERT-TRUSTED', 'the client certificate does not chain to a trusted CA');
  const registered = client.metadata.tls_client_auth_subject_dn ?? '';
  let same = false;
  try {
    same = dnEquals(registered, cert.subjectDn);
  } catch {
    same = false;
  }
  if (!same && !skip.has('TOKEN-TLS-DN')) {
    refuse('TOKEN-TLS-DN', `certificate subject ${JSON.stringify(cert.subjectDn)} does not match the registered ${JSON.stringify(registered)}`);
  }
}

/**
 * RFC 7235 3.1: a 401 "MUST send a WWW-Authenticate header field containing at least one challenge".
 * RFC 6749 5.2: a client that authenticated with the Authorization header gets its scheme, Basic.
 * Otherwise the challenges name what the client could use: Basic for client_secret_basic, and for
 * the methods without an HTTP authentication scheme (tls_client_auth, private_key_jwt,
 * client_secret_post: they travel in TLS or the form) a challenge whose scheme is the method name.
 */
export function tokenChallenge(methods: readonly string[]): string {
  const list = methods.length ? methods : ['client_secret_basic'];
  return list.map((m) => (m === 'client_secret_basic' ? BASIC_CHALLENGE : `${m} realm="token"`)).join(', ');
}

const BASIC_CHALLENGE = 'Basic realm="token"';

/** The client id a request claims to be, before any proof. */
function claimedClientId(form: Form, basic: ReturnType<typeof parseBasic>, method: string, refuse: Refuse): string {
  if (method === 'client_secret_basic') {
    if (typeof basic !== 'object') refuse('TOKEN-CLIENT-AUTH', 'the Authorization: Basic header is not base64 of client_id:client_secret');
    if (form.client_id !== undefined && form.client_id !== basic.id) refuse('TOKEN-CLIENT-AUTH', 'client_id in the body differs from the Basic credentials');
    return basic.id;
  }
  if (method === 'private_key_jwt' && form.client_id === undefined && form.client_assertion) {
    const { payload } = decodeCompactJws(form.client_assertion, 'TOKEN-ASSERTION-SIGNATURE', 'client_assertion');
    if (typeof payload.iss === 'string') return payload.iss;
  }
  if (!form.client_id) refuse('TOKEN-CLIENT-AUTH', 'client_id is required');
  return form.client_id!;
}

/**
 * RFC 6749 2.3: authenticates the client with the one method it registered:
 * tls_client_auth (RFC 8705 2), private_key_jwt (RFC 7523 3), client_secret_basic or _post.
 */
export async function authenticateClient(req: TokenRequest, form: Form, ctx: TokenContext): Promise<ClientRecord> {
  const basic = parseBasic(req.authorization);
  let known: ClientRecord | undefined;
  const challenge = () => {
    if (basic !== 'absent') return BASIC_CHALLENGE;
    const offered = ctx.offeredMethods(known);
    const own = known?.metadata.token_endpoint_auth_method;
    return tokenChallenge(own !== undefined && offered.includes(own) ? [own] : offered);
  };
  try {
    return await authenticate(req, form, ctx, basic, (c) => (known = c));
  } catch (e) {
    // Every 401 of the token endpoint carries a challenge, whichever check threw it.
    if (e instanceof OAuthError && e.status === 401 && e.headers['www-authenticate'] === undefined) e.headers['www-authenticate'] = challenge();
    throw e;
  }
}

async function authenticate(req: TokenRequest, form: Form, ctx: TokenContext, basic: ReturnType<typeof parseBasic>, found: (c: ClientRecord) => void): Promise<ClientRecord> {
  const refuse: Refuse = (rule, detail) => {
    throw new RuleViolation(rule, detail);
  };
  const used = usedMethods(form, basic);
  if (used.length > 1) refuse('TOKEN-CLIENT-AUTH', `use exactly one client authentication method; got ${used.join(', ')}`);
  if (used.length === 0) refuse('TOKEN-CLIENT-AUTH', 'no client authentication: send client_id with a certificate, Basic credentials, client_secret or a client_assertion');
  const method = used[0]!;

  const clientId = claimedClientId(form, basic, method, refuse);
  const client = await ctx.getClient(clientId);
  if (!client) refuse('TOKEN-CLIENT-AUTH', `unknown client_id ${JSON.stringify(clientId)}`);
  found(client!);
  const registered = client!.metadata.token_endpoint_auth_method;
  const offered = ctx.offeredMethods(client);
  // AUTH_METHODS: a method the bank does not offer is refused, whatever the client registered.
  if (!offered.includes(method) && !ctx.skip.has('TOKEN-CLIENT-AUTH')) {
    refuse('TOKEN-CLIENT-AUTH', `${method} is not offered by this bank (offered: ${offered.join(', ')})`);
  }
  // Fault (test-only): the token endpoint implements none of the methods the bank advertises and registers.
  if (ctx.skip.has('TOKEN-AUTH-METHODS')) refuse('TOKEN-AUTH-METHODS', `fault: ${method} is advertised and registered, but this token endpoint does not implement it`);
  if (registered !== method && !ctx.skip.has('TOKEN-CLIENT-AUTH')) {
    refuse('TOKEN-CLIENT-AUTH', `the client registered ${registered} but authenticated with ${method}`);
  }

  switch (method) {
    case 'tls_client_auth':
      checkTlsClientAuth(client!, req.cert, ctx.skip, refuse);
      break;
    case 'private_key_jwt':
      await checkAssertion(form, client!, ctx, refuse);
      break;
    default: {
      const given = method === 'client_secret_basic' ? (basic as { secret: string }).secret : form.client_secret!;
      const ok = client!.client_secret !== undefined && secretEquals(given, client!.client_secret);
      if (!ok && !ctx.skip.has('TOKEN-SECRET')) refuse('TOKEN-SECRET', `the client secret of ${client!.client_id} does not match`);
    }
  }
  return client!;
}

/** RFC 6749 3.3: an absent or empty scope grants the registered scopes; otherwise a subset of them. */
export function grantedScope(requested: string | undefined, client: ClientRecord, skip: ReadonlySet<RuleId>, extra: readonly string[] = []): string {
  const registered = client.metadata.scope.split(/\s+/).filter(Boolean);
  const grantable = [...registered, ...extra];
  const asked = (requested ?? '').split(/\s+/).filter(Boolean);
  if (asked.length === 0) return registered.join(' ');
  const unknown = asked.filter((s) => !grantable.includes(s));
  if (unknown.length && !skip.has('TOKEN-SCOPE')) {
    throw new RuleViolation('TOKEN-SCOPE', `scope ${unknown.join(' ')} was not registered (registered: ${registered.join(' ')})`);
  }
  return asked.join(' ');
}

/** The whole client_credentials exchange: grant type, client authentication, scope, a new token. */
export async function clientCredentialsGrant(req: TokenRequest, ctx: TokenContext): Promise<IssuedToken> {
  const form = singleValuedForm(req.form);
  const grant = form.grant_type;
  if (grant === undefined) throw new RuleViolation('TOKEN-REQUEST-FORMAT', 'grant_type is required');
  const served: readonly string[] = ctx.profile.token.grantTypes;
  if ((grant !== 'client_credentials' || !served.includes(grant)) && !ctx.skip.has('TOKEN-GRANT-TYPE')) {
    throw new RuleViolation('TOKEN-GRANT-TYPE', `grant_type ${JSON.stringify(grant)} is not supported here; use ${served.join(', ')}`);
  }
  const client = await authenticateClient(req, form, ctx);
  if (!client.metadata.grant_types.includes('client_credentials') && !ctx.skip.has('TOKEN-GRANT-REGISTERED')) {
    throw new RuleViolation('TOKEN-GRANT-REGISTERED', `client ${client.client_id} did not register the client_credentials grant`);
  }
  const scope = grantedScope(form.scope, client, ctx.skip, ctx.profile.token.extraScopes);
  const lifetime = ctx.profile.token.accessTokenLifetimeSeconds;
  const accessToken = randomBytes(32).toString('base64url');
  const record: TokenRecord = {
    token_hash: tokenHash(accessToken),
    client_id: client.client_id,
    scope,
    issued_at: ctx.now,
    expires_at: ctx.now + lifetime,
    ...(req.cert && !ctx.skip.has('TOKEN-CERT-BOUND') ? { cnf: { 'x5t#S256': req.cert.thumbprint } } : {}),
  };
  return { response: { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope }, record, client };
}
