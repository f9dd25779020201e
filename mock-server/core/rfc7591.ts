/**
 * The rfc7591 dialect, pure: plain RFC 7591 client metadata in, the registered client out; the
 * RFC 7592 rules of a PUT; the authorization of a registration access token. No HTTP below here.
 */
import type { RuleId } from '../../catalogue/rules';
import { RuleViolation } from '../errors';
import type { Profile } from '../profiles/types';
import type { ClientRecord } from '../store/types';
import { dnEquals, dnProblem } from '../../common/dn';
import type { ClientMetadata } from './claims';
import { needsSecret } from './claims';
import { randomIds, type IdSource } from './ids';
import { preview } from './preview';
import type { RuleTrace } from './rule-trace';
import { secretEquals, tokenHash } from './token';
import type { TrustStore } from './trust';
import { verifySsa, type VerifiedSsa } from './verify-ssa';

export interface Rfc7591Context {
  profile: Profile;
  trust: TrustStore;
  /** Seconds since the epoch. */
  now: number;
  clockSkewSeconds: number;
  /** Subject DN of the presented transport certificate, when there is one. */
  certificateDn: string | undefined;
  /** The presented transport certificate (DER), for the dialects that read its attributes (obf). */
  certificate?: Buffer;
  skip: ReadonlySet<RuleId>;
  trace?: RuleTrace;
}

export interface Rfc7591Registration {
  /** The registered metadata as answered: understood fields, the software statement's claims over the request's, the defaults applied. */
  registered: Record<string, unknown>;
  /** The normalised view the token endpoint reads. */
  metadata: ClientMetadata;
  ssa: VerifiedSsa | undefined;
  jwks: { keys: Array<Record<string, unknown>> } | undefined;
}

type Json = Record<string, unknown>;

/** RFC 7591 2 (and RFC 8705 2.1.2, RFC 7591 2 for signing): the metadata this server understands, by type. */
const STRINGS = ['token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'scope', 'software_id', 'software_version', 'tls_client_auth_subject_dn'] as const;
const URLS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'jwks_uri'] as const;
/** RFC 7591 2.2: human-readable fields that may carry a language tag, `client_name#fr`. */
const LOCALIZED = new Set(['client_name', 'client_uri', 'logo_uri', 'tos_uri', 'policy_uri']);
const STRING_ARRAYS = ['redirect_uris', 'grant_types', 'response_types', 'contacts'] as const;
const KNOWN: ReadonlySet<string> = new Set([...STRINGS, ...URLS, ...STRING_ARRAYS, 'client_name', 'jwks']);
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,7}$/;

/** Bounds of one value: the body is bounded (MAX_BODY_BYTES), these keep a stored client small and its checks cheap. */
const MAX_STRING = 2048;
const MAX_ITEMS = 64;
const MAX_KEYS = 16;
/** JWK members that hold private or symmetric key material: never registered. */
const PRIVATE_JWK = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const json = (v: unknown) => preview(v);

/** The understood member name of `name`, with its language tag if it has one; undefined when not understood. */
function understood(name: string): string | undefined {
  if (KNOWN.has(name)) return name;
  const hash = name.indexOf('#');
  if (hash < 0) return undefined;
  const base = name.slice(0, hash);
  return LOCALIZED.has(base) && LANGUAGE_TAG.test(name.slice(hash + 1)) ? name : undefined;
}

/**
 * RFC 7591 2: "The authorization server MUST ignore any client metadata sent by the client that
 * it does not understand": only understood members are kept (own data properties, never `__proto__`).
 */
export function understoodMetadata(input: Json): Json {
  const out: Json = {};
  for (const name of Object.keys(input)) if (understood(name) && name !== '__proto__') out[name] = input[name];
  return out;
}

/**
 * RFC 7591 3.1.1: "If the same client metadata name is present in both locations and the software
 * statement is trusted by the authorization server, the value of a claim in the software statement
 * MUST take precedence." The statement's software_id (OBIE SSAs always carry one) is the client's.
 */
export function withStatement(request: Json, ssa: VerifiedSsa | undefined): Json {
  if (!ssa) return request;
  const merged = { ...request, ...understoodMetadata(ssa.payload) };
  if (ssa.softwareId) merged.software_id = ssa.softwareId;
  return merged;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const stringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const absoluteUrl = (v: string) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);

/** What is wrong with the type of one understood member, or undefined. */
function formatProblem(name: string, v: unknown): string | undefined {
  const base = name.split('#')[0]!;
  if ((STRING_ARRAYS as readonly string[]).includes(base)) {
    if (!stringArray(v)) return `${name} must be an array of strings (got ${json(v)})`;
    if (v.length > MAX_ITEMS) return `${name} has ${v.length} entries, more than ${MAX_ITEMS}`;
    const long = v.find((s) => s.length > MAX_STRING);
    return long === undefined ? undefined : `${name} has an entry of ${long.length} characters, more than ${MAX_STRING}`;
  }
  if (base === 'jwks') return jwksProblem(v);
  if (!isString(v)) return `${name} must be a string (got ${json(v)})`;
  if (v.length > MAX_STRING) return `${name} is ${v.length} characters, more than ${MAX_STRING}`;
  if ((URLS as readonly string[]).includes(base) && !absoluteUrl(v)) return `${name} ${json(v)} is not an absolute http(s) URL`;
  if (base === 'jwks_uri' && new URL(v).protocol !== 'https:') return `jwks_uri ${json(v)} is not an https URL`;
  return undefined;
}

/** RFC 7591 2: jwks is "Client's JSON Web Key Set [RFC7517] document value, which contains the client's public keys". */
function jwksProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `jwks must be a JWK Set object (got ${json(v)})`;
  const keys = (v as Json).keys;
  if (!Array.isArray(keys) || keys.length === 0) return 'jwks must have a non-empty keys array';
  if (keys.length > MAX_KEYS) return `jwks has ${keys.length} keys, more than ${MAX_KEYS}`;
  for (const [i, k] of keys.entries()) {
    if (typeof k !== 'object' || k === null || Array.isArray(k) || typeof (k as Json).kty !== 'string') return `jwks.keys[${i}] is not a JWK with kty`;
    const members = Object.entries(k as Json);
    if (members.some(([, m]) => !(isString(m) || (stringArray(m) && m.length <= MAX_ITEMS)))) return `jwks.keys[${i}] has a member that is neither a string nor an array of strings`;
    const priv = PRIVATE_JWK.find((m) => m in (k as Json));
    if (priv) return `jwks.keys[${i}] holds private key material (${priv}): register public keys only`;
  }
  return undefined;
}

/** The metadata with the server's defaults applied, as the rules after the format check read it. */
interface Effective {
  raw: Json;
  method: string;
  grantTypes: string[];
  responseTypes: string[];
  redirectUris: string[] | undefined;
  scopes: string[] | undefined;
  /** Keys to verify the client's assertions with: jwks, jwks_uri or the software statement's key set. */
  keys: boolean;
}

/**
 * RFC 7591 2 defaults: grant_types "If omitted, the default behavior is that the client will use
 * only the authorization_code Grant Type"; response_types "If omitted, the default is that the
 * client will use only the code response type". A client whose grant_types need no authorization
 * endpoint (client_credentials alone) is given no response type by default, so that the defaults
 * never make it inconsistent (RFC 7591 2.1).
 */
function effective(m: Json, profile: Profile, statementKeys: boolean): Effective {
  const grantTypes = stringArray(m.grant_types) ? m.grant_types : ['authorization_code'];
  const redirectBased = grantTypes.includes('authorization_code') || grantTypes.includes('implicit');
  const responseTypes = stringArray(m.response_types) ? m.response_types : redirectBased ? [...profile.registration.defaultResponseTypes] : [];
  return {
    raw: m,
    method: isString(m.token_endpoint_auth_method) ? m.token_endpoint_auth_method : profile.registration.defaultAuthMethod ?? profile.registration.authMethods[0]!,
    grantTypes,
    responseTypes,
    redirectUris: stringArray(m.redirect_uris) ? m.redirect_uris : undefined,
    scopes: isString(m.scope) ? m.scope.split(' ').filter(Boolean) : undefined,
    keys: m.jwks !== undefined || m.jwks_uri !== undefined || statementKeys,
  };
}

/** RFC 7591 2.1 and OIDC Registration 2: the grant types each response type implies. */
function grantsOfResponseType(responseType: string): string[] {
  const parts = responseType.split(' ');
  return [...(parts.includes('code') ? ['authorization_code'] : []), ...(parts.some((p) => p === 'token' || p === 'id_token') ? ['implicit'] : [])];
}

type Check = (m: Effective, ctx: Rfc7591Context) => string | undefined;

/** The metadata rules, in the order they are checked; each answers undefined or what was wrong. */
export const metadataRules: ReadonlyArray<readonly [RuleId, Check]> = [
  /** RFC 7591 3.2.2 invalid_client_metadata: "The value of one of the client metadata fields is invalid". */
  ['RFC-METADATA-FORMAT', (m) => {
    for (const [name, v] of Object.entries(m.raw)) {
      const problem = formatProblem(name, v);
      if (problem) return problem;
    }
    return undefined;
  }],
  /** RFC 7591 2 redirect_uris: "Clients using flows with redirection MUST register their redirection URI values." */
  ['RFC-REDIRECT-REQUIRED', (m) => {
    const redirected = m.grantTypes.filter((g) => g === 'authorization_code' || g === 'implicit');
    return redirected.length && !m.redirectUris?.length ? `redirect_uris is required with ${redirected.join(' and ')}${m.raw.grant_types === undefined ? ' (the default grant type)' : ''}` : undefined;
  }],
  /** RFC 6749 3.1.2: "The redirection endpoint URI MUST be an absolute URI ... The endpoint URI MUST NOT include a fragment component." */
  ['RFC-REDIRECT-URI', (m) => {
    const bad = (m.redirectUris ?? []).find((u) => !URL.canParse(u) || u.includes('#'));
    return bad === undefined ? undefined : `redirect_uri ${json(bad)} is ${URL.canParse(bad) ? 'an absolute URI with a fragment' : 'not an absolute URI'}`;
  }],
  ['REQ-AUTH-METHOD', (m, ctx) => {
    const allowed: readonly string[] = ctx.profile.registration.authMethods;
    return allowed.includes(m.method) ? undefined : `token_endpoint_auth_method ${json(m.method)} is not supported (supported: ${allowed.join(', ')})`;
  }],
  ['RFC-METADATA-VALUES', (m, ctx) => {
    const reg = ctx.profile.registration;
    const grant = m.grantTypes.find((g) => !reg.grantTypes.includes(g));
    if (grant !== undefined) return `grant_type ${json(grant)} is not supported (supported: ${reg.grantTypes.join(', ')})`;
    const response = m.responseTypes.find((r) => !reg.responseTypes.includes(r));
    if (response !== undefined) return `response_type ${json(response)} is not supported (supported: ${reg.responseTypes.map(json).join(', ')})`;
    const scope = m.scopes?.find((s) => !reg.scopes.includes(s));
    if (scope !== undefined) return `scope ${json(scope)} is not supported (supported: ${reg.scopes.join(' ')})`;
    const alg = m.raw.token_endpoint_auth_signing_alg;
    if (alg !== undefined && !reg.authSigningAlgs.includes(alg as string)) return `token_endpoint_auth_signing_alg ${json(alg)} is not supported (supported: ${reg.authSigningAlgs.join(', ')})`;
    // The token endpoint verifies private_key_jwt assertions with the client's keys.
    if (m.method === 'private_key_jwt' && !m.keys) return 'private_key_jwt needs jwks or jwks_uri (or a software_statement naming software_jwks_endpoint)';
    return undefined;
  }],
  /**
   * RFC 7591 2.1: "a server supporting these fields SHOULD take steps to ensure that a client
   * cannot register itself into an inconsistent state, for example, by returning an
   * invalid_client_metadata error response to an inconsistent registration request."
   */
  ['RFC-GRANT-RESPONSE', (m) => {
    for (const r of m.responseTypes) {
      const missing = grantsOfResponseType(r).find((g) => !m.grantTypes.includes(g));
      if (missing) return `response_type ${json(r)} needs the ${missing} grant type in grant_types (got ${json(m.grantTypes)})`;
    }
    if (m.grantTypes.includes('authorization_code') && !m.responseTypes.some((r) => r.split(' ').includes('code'))) {
      return `grant_type authorization_code needs a response_type with code (got ${json(m.responseTypes)})`;
    }
    if (m.grantTypes.includes('implicit') && !m.responseTypes.some((r) => grantsOfResponseType(r).includes('implicit'))) {
      return `grant_type implicit needs a response_type with token or id_token (got ${json(m.responseTypes)})`;
    }
    return undefined;
  }],
  /** RFC 7591 2: "The jwks_uri and jwks parameters MUST NOT both be present in the same request or response." */
  ['REQ-JWKS-EXCLUSIVE', (m) => (m.raw.jwks !== undefined && m.raw.jwks_uri !== undefined ? 'jwks and jwks_uri must not both be given' : undefined)],
  /** RFC 8705 2.1.2: "A client using the tls_client_auth authentication method MUST use exactly one of the below metadata parameters"; this server matches the subject DN. */
  ['REQ-TLS-DN-PRESENCE', (m) => {
    const dn = m.raw.tls_client_auth_subject_dn;
    if (m.method === 'tls_client_auth' && (!isString(dn) || dn.trim() === '')) return 'tls_client_auth_subject_dn is required with tls_client_auth';
    if (m.method !== 'tls_client_auth' && dn !== undefined) return `tls_client_auth_subject_dn must not be sent with ${json(m.method)}`;
    return undefined;
  }],
  ['REQ-TLS-DN-MATCH', (m, ctx) => {
    const dn = m.raw.tls_client_auth_subject_dn;
    if (m.method !== 'tls_client_auth' || !isString(dn)) return undefined;
    if (ctx.certificateDn === undefined) return `tls_client_auth_subject_dn ${json(dn)} cannot be matched: no transport certificate was presented`;
    const unreadable = dnProblem(dn);
    if (unreadable) return `tls_client_auth_subject_dn ${json(dn)} is not a distinguished name (${unreadable})`;
    return dnEquals(dn, ctx.certificateDn) ? undefined : `tls_client_auth_subject_dn ${json(dn)} does not match the transport certificate subject ${json(ctx.certificateDn)}`;
  }],
];

/** Runs the rules not in `skip`, recording each verdict; throws the first failure. */
function enforce(m: Effective, ctx: Rfc7591Context): void {
  for (const [id, check] of metadataRules) {
    if (ctx.skip.has(id)) {
      ctx.trace?.record(id, 'skipped');
      continue;
    }
    const detail = check(m, ctx);
    ctx.trace?.check(id, detail === undefined, false);
    if (detail !== undefined) throw new RuleViolation(id, detail);
  }
}

/**
 * Verifies a registration request's client metadata (POST, or the body of a PUT without the
 * RFC 7592 fields): the software statement when sent (RFC 7591 2.3, verified as every profile
 * verifies an SSA), then the metadata rules. Answers what is registered.
 */
export async function verifyClientMetadata(body: Json, ctx: Rfc7591Context): Promise<Rfc7591Registration> {
  const skip = ctx.skip;
  let ssa: VerifiedSsa | undefined;
  const statement = body.software_statement;
  if (statement === undefined) {
    if (ctx.profile.registration.requireSoftwareStatement) {
      ctx.trace?.check('SSA-PRESENT', false, skip.has('SSA-PRESENT'));
      if (!skip.has('SSA-PRESENT')) throw new RuleViolation('SSA-PRESENT', 'software_statement is required by this server');
    }
  } else {
    ctx.trace?.pass('SSA-PRESENT');
    if (!isString(statement) || statement === '') throw new RuleViolation('SSA-FORMAT', `software_statement must be a compact JWS string (got ${json(statement)})`);
    ssa = await verifySsa(statement, {
      trust: ctx.trust,
      ssaAlgs: ctx.profile.registration.ssaAlgs,
      now: ctx.now,
      clockSkewSeconds: ctx.clockSkewSeconds,
      skip,
      ...(ctx.trace ? { trace: ctx.trace } : {}),
    });
  }
  const m = withStatement(understoodMetadata(body), ssa);
  // private_key_jwt may verify with the statement's key set (an OBIE SSA's software_jwks_endpoint).
  const eff = effective(m, ctx.profile, Boolean(ssa?.jwksEndpoint));
  enforce(eff, ctx);

  // RFC 7591 3.2.1: "the authorization server MUST return all registered metadata about the client, including any fields provisioned by the authorization server itself".
  const registered: Json = {
    ...m,
    token_endpoint_auth_method: eff.method,
    grant_types: eff.grantTypes,
    response_types: eff.responseTypes,
    scope: eff.scopes?.join(' ') ?? ctx.profile.registration.scopes.join(' '),
  };
  // RFC 7591 3.2.1: "If a software statement was used as part of the registration, its value MUST be returned unmodified in the response".
  if (ssa) registered.software_statement = ssa.compact;
  const metadata: ClientMetadata = {
    redirect_uris: eff.redirectUris ?? [],
    token_endpoint_auth_method: eff.method,
    grant_types: eff.grantTypes,
    response_types: eff.responseTypes,
    scope: registered.scope as string,
    application_type: 'web',
    software_id: isString(m.software_id) ? m.software_id : '',
    software_statement: ssa?.compact ?? '',
  };
  if (isString(m.token_endpoint_auth_signing_alg)) metadata.token_endpoint_auth_signing_alg = m.token_endpoint_auth_signing_alg;
  if (eff.method === 'tls_client_auth' && isString(m.tls_client_auth_subject_dn)) metadata.tls_client_auth_subject_dn = m.tls_client_auth_subject_dn;
  return { registered, metadata, ssa, jwks: m.jwks as Rfc7591Registration['jwks'] };
}

/** A new registration access token and the hash that is stored in its place. */
export function newRegistrationAccessToken(ids: IdSource = randomIds): { token: string; hash: string } {
  const token = ids.secret(32);
  return { token, hash: tokenHash(token) };
}

/** The client record of a new registration (`rat`: the hash of its registration access token). */
export function newRfc7591Client(reg: Rfc7591Registration, profile: Profile, now: number, ratHash: string, ids: IdSource = randomIds): ClientRecord {
  return withCredentials({
    client_id: ids.uuid(),
    client_id_issued_at: now,
    ...fromRegistration(reg, profile.name),
    registration_access_token_hash: ratHash,
  }, undefined, profile, ids);
}

/**
 * RFC 7592 2.2: "the values of client metadata fields in this request MUST replace, not augment,
 * the values previously associated with this client. Omitted fields MUST be treated as null or
 * empty values by the server". The client id, its issue time and secret (while the method needs
 * one) are kept.
 */
export function replacedRfc7591Client(existing: ClientRecord, reg: Rfc7591Registration, profile: Profile, ratHash: string, ids: IdSource = randomIds): ClientRecord {
  const { client_secret: _s, client_secret_expires_at: _e, jwks: _j, ...kept } = existing;
  return withCredentials({ ...kept, ...fromRegistration(reg, profile.name), registration_access_token_hash: ratHash }, existing, profile, ids);
}

function fromRegistration(reg: Rfc7591Registration, profile: string) {
  const jwksUri = reg.registered.jwks_uri;
  return {
    metadata: reg.metadata,
    registered: reg.registered,
    ssa: reg.ssa?.payload ?? {},
    software_jwks_endpoint: isString(jwksUri) ? jwksUri : reg.ssa?.jwksEndpoint ?? '',
    profile,
    ...(reg.jwks ? { jwks: reg.jwks } : {}),
  };
}

/** RFC 7591 3.2.1: client_secret where the auth method uses one, with client_secret_expires_at (0: it never expires). */
function withCredentials(record: ClientRecord, existing: ClientRecord | undefined, profile: Profile, ids: IdSource): ClientRecord {
  if (needsSecret(record.metadata.token_endpoint_auth_method) || profile.registration.alwaysIssueSecret) {
    record.client_secret = existing?.client_secret ?? ids.secret(27);
    record.client_secret_expires_at = existing?.client_secret_expires_at ?? 0;
  }
  return record;
}

/**
 * The client information response (RFC 7591 3.2.1, RFC 7592 3): client_id, the secret with its
 * expiry, client_id_issued_at, the registration access token and registration_client_uri, then
 * every registered metadata field.
 */
export function clientInformation(record: ClientRecord, registrationClientUri: string, registrationAccessToken: string): Json {
  const out: Json = { client_id: record.client_id };
  if (record.client_secret !== undefined) out.client_secret = record.client_secret;
  out.client_id_issued_at = record.client_id_issued_at;
  if (record.client_secret !== undefined) out.client_secret_expires_at = record.client_secret_expires_at ?? 0;
  out.registration_access_token = registrationAccessToken;
  out.registration_client_uri = registrationClientUri;
  for (const [k, v] of Object.entries(record.registered ?? {})) if (!(k in out)) out[k] = v;
  return out;
}

/** RFC 7592 2.2: "The client MUST NOT include the registration_access_token, registration_client_uri, client_secret_expires_at, or client_id_issued_at fields". */
const READ_ONLY = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const;

/**
 * The RFC 7592 2.2 rules of a PUT body, before its metadata is verified; answers the body without
 * client_id and client_secret (they are not metadata).
 */
export function updateRequest(body: Json, client: ClientRecord, skip: ReadonlySet<RuleId>, trace?: RuleTrace): Json {
  const check = (rule: RuleId, detail: string | undefined) => {
    trace?.check(rule, detail === undefined, skip.has(rule));
    if (detail !== undefined && !skip.has(rule)) throw new RuleViolation(rule, detail);
  };
  // "The client MUST include its client_id field in the request, and it MUST be the same as its currently issued client identifier."
  check('RFC-PUT-CLIENT-ID', body.client_id === undefined ? 'client_id is required in the body of a PUT'
    : body.client_id !== client.client_id ? `client_id ${json(body.client_id)} is not the client of this registration_client_uri` : undefined);
  const present = READ_ONLY.filter((f) => body[f] !== undefined);
  check('RFC-PUT-READ-ONLY', present.length ? `a PUT must not carry ${present.join(', ')}` : undefined);
  // "If the client includes the client_secret field in the request, the value of this field MUST match the currently issued client secret for that client."
  const secret = body.client_secret;
  check('RFC-PUT-SECRET', secret === undefined ? undefined
    : !isString(secret) || client.client_secret === undefined || !secretEquals(secret, client.client_secret) ? 'client_secret does not match the issued one (a client cannot choose its secret)' : undefined);
  const { client_id: _id, client_secret: _secret, ...metadata } = body;
  return metadata;
}

/** RFC 6750 3.1: no error code when the request carried no token; invalid_token otherwise. */
const NO_TOKEN = { 'www-authenticate': 'Bearer' };
const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' };
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i;

/** The token of an `Authorization: Bearer` value, '' when there is none, undefined when it is malformed. */
function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return '';
  return BEARER.exec(authorization)?.[1];
}

/**
 * RFC 7591 3: "The client registration endpoint MAY be an OAuth 2.0 protected resource and accept
 * an initial access token"; this server's is a static Bearer value (compared in constant time).
 */
export function checkInitialAccessToken(authorization: string | undefined, expected: string | undefined, skip: ReadonlySet<RuleId>, trace?: RuleTrace): void {
  if (expected === undefined) return;
  if (skip.has('RFC-INITIAL-TOKEN')) return trace?.record('RFC-INITIAL-TOKEN', 'skipped');
  const token = bearerToken(authorization);
  const ok = token !== undefined && token !== '' && secretEquals(token, expected);
  trace?.check('RFC-INITIAL-TOKEN', ok, false);
  if (ok) return;
  if (token === '') throw new RuleViolation('RFC-INITIAL-TOKEN', 'Authorization: Bearer <initial access token> is required to register', { headers: NO_TOKEN });
  throw new RuleViolation('RFC-INITIAL-TOKEN', token === undefined ? 'the Authorization header is not "Bearer <token>"' : 'the initial access token is not valid', { headers: INVALID_TOKEN });
}

export interface RegistrationAccessRequest {
  authorization: string | undefined;
  clientIdInPath: string;
}

/**
 * RFC 7592 2: the client configuration endpoint is authorized by the registration access token
 * issued to that client alone. RFC 7592 2.1: "If the client does not exist on this server, the
 * server MUST respond with HTTP 401 Unauthorized". A client_credentials access token, another
 * client's token or a rotated one is refused the same way. Answers the client and the token.
 */
export async function authorizeRegistrationAccess(
  req: RegistrationAccessRequest,
  ctx: { getClient: (id: string) => Promise<ClientRecord | undefined>; skip: ReadonlySet<RuleId>; trace?: RuleTrace },
): Promise<{ client: ClientRecord; token: string }> {
  const { skip, trace } = ctx;
  const token = bearerToken(req.authorization);
  const client = await ctx.getClient(req.clientIdInPath);
  if (!token) {
    trace?.check('MGT-BEARER-REQUIRED', false, skip.has('MGT-BEARER-REQUIRED'));
    // Fault (test-only): no token required; the request acts as the client in the path.
    if (skip.has('MGT-BEARER-REQUIRED') && client) return { client, token: '' };
    throw new RuleViolation('MGT-BEARER-REQUIRED', token === '' ? 'Authorization: Bearer <registration access token> is required' : 'the Authorization header is not "Bearer <token>"', { headers: NO_TOKEN });
  }
  trace?.pass('MGT-BEARER-REQUIRED');
  const stored = client?.registration_access_token_hash;
  const ok = stored !== undefined && secretEquals(tokenHash(token), stored);
  trace?.check('RFC-RAT', ok, skip.has('RFC-RAT'));
  // Fault RFC-RAT (test-only): any bearer token manages any existing client.
  if (client && (ok || skip.has('RFC-RAT'))) return { client, token };
  throw new RuleViolation('RFC-RAT', client ? 'the registration access token is not this client\'s (unknown, rotated or another kind of token)' : `no client ${json(req.clientIdInPath)}`, { headers: INVALID_TOKEN });
}
