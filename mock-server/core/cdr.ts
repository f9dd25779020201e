import type { JSONWebKeySet } from 'jose';
import { OAuthError } from '../errors';
import type { OAuthErrorCode } from '../../catalogue/rules';
import type { Profile } from '../profiles/types';
import type { ClientMetadata } from './claims';
import type { ClientRecord, TokenRecord } from '../store/types';
import { candidateKeys } from './trust';
import { verifiesWithAny } from './verify-key';
import { decodeJws, JwsFormatError, type DecodedJws } from '../../common/jws';
import { tokenHash } from './token';
import { CDR_REGISTER_ISSUER } from '../directory/cdr-register';

/**
 * The Australia CDR data holder's registration, pure (no Express): the Consumer Data Standards'
 * ClientRegistration JWT validated in the order of the CDR error catalogue, the first failing step
 * answering `{error, error_description}` with its ERR-DCR / ERR-GEN code first. The claim checks of
 * one step are collected into one error. Signatures are verified with the OBIE core's key lookup
 * (candidateKeys, verifiesWithAny) before any claim is trusted; alg none never verifies.
 */
export type CdrCode = 'ERR-DCR-001' | 'ERR-DCR-002' | 'ERR-DCR-003' | 'ERR-DCR-004' | 'ERR-DCR-005' | 'ERR-DCR-006' | 'ERR-DCR-007' | 'ERR-GEN-020' | 'ERR-GEN-021' | 'ERR-GEN-022';

/** Each code, its OAuth error and its description; `{0}` is the detail. */
export const CDR_ERRORS: Readonly<Record<CdrCode, { error: OAuthErrorCode; text: string }>> = {
  'ERR-DCR-001': { error: 'invalid_client_metadata', text: 'Duplicate registrations for a given software_id are not valid.' },
  'ERR-DCR-002': { error: 'invalid_client_metadata', text: 'Registration request is empty' },
  'ERR-DCR-003': { error: 'invalid_redirect_uri', text: "The redirect_uri '{0}' is not valid as it is not included in the software_statement" },
  'ERR-DCR-004': { error: 'invalid_client_metadata', text: 'Client Registration Request validation failed. {0}' },
  'ERR-DCR-005': { error: 'invalid_software_statement', text: 'Software Statement Assertion validation failed. {0}' },
  'ERR-DCR-006': { error: 'invalid_software_statement', text: 'The software_statement is empty or invalid' },
  'ERR-DCR-007': { error: 'invalid_client_metadata', text: 'Invalid sector_identifier_uri: {0}' },
  'ERR-GEN-020': { error: 'invalid_software_statement', text: 'The jwks_uri of the software_statement is not valid: {0}' },
  'ERR-GEN-021': { error: 'invalid_software_statement', text: 'Unable to load the JWKS of the Data Recipient: {0}' },
  'ERR-GEN-022': { error: 'invalid_software_statement', text: 'Unable to load the JWKS of the CDR Register' },
};

export class CdrError extends OAuthError {
  constructor(readonly cdrCode: CdrCode, detail = '', status = 400) {
    const e = CDR_ERRORS[cdrCode];
    super(e.error, status, `${cdrCode}: ${e.text.replace('{0}', detail)}`.trim());
  }
}

const refuse = (code: CdrCode, detail = ''): never => {
  throw new CdrError(code, detail);
};

export interface CdrContext {
  profile: Profile;
  /** The data holder's issuer: the aud a registration JWT must name. */
  issuer: string;
  /** Seconds since the epoch. */
  now: number;
  clockSkewSeconds: number;
  /** The CDR Register's public JWKS. */
  registerJwks: () => Promise<JSONWebKeySet> | JSONWebKeySet;
  /** A software product's JWKS by its jwks_uri (bounded, cached, host-pinned: the bank's fetcher). */
  fetchJwks: (url: string) => Promise<JSONWebKeySet>;
  /** Whether the sector_identifier_uri answers 2xx. */
  sectorReachable: (url: string) => Promise<boolean>;
  /** Whether another client is registered for this software_id (a PUT names its own client as `self`). */
  registered: (softwareId: string) => Promise<boolean>;
  /** PUT: the client being updated (no duplicate check; its software_id must stay). */
  self?: ClientRecord;
}

export interface CdrRegistration {
  claims: Record<string, unknown>;
  ssa: Record<string, unknown>;
  softwareId: string;
  jwksUri: string;
}

type Json = Record<string, unknown>;

/**
 * Decodes a compact JWS (the shared decoder: base64url parts, bounded JSON objects, a string alg,
 * a base64url signature); undefined when it is not one, which the caller answers with its step's code.
 */
function decode(compact: string): DecodedJws | undefined {
  try {
    return decodeJws(compact, 'the JWT');
  } catch (e) {
    if (e instanceof JwsFormatError) return undefined;
    throw e;
  }
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const httpsUri = (v: unknown): v is string => typeof v === 'string' && v.length <= 2048 && URL.canParse(v) && new URL(v).protocol === 'https:';

/** Verifies a compact JWS with one of the keys of the set (by kid, else all) under an allowed alg. */
async function signedBy(jws: DecodedJws, jwks: JSONWebKeySet, algs: readonly string[]): Promise<boolean> {
  const { header } = jws;
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === 'none' || !algs.includes(alg)) return false;
  const keys = candidateKeys(jwks, header.kid, alg);
  return keys.length > 0 && verifiesWithAny(jws, keys, alg);
}

/** The claim checks of the request, collected ("The 'jti' claim is missing." ...). */
function claimProblems(c: Json, profile: Profile): string[] {
  const reg = profile.registration;
  const out: string[] = [];
  for (const k of ['iss', 'iat', 'exp', 'jti', 'aud', 'redirect_uris', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'grant_types', 'response_types', 'id_token_signed_response_alg', 'request_object_signing_alg']) {
    if (c[k] === undefined) out.push(`The '${k}' claim is missing.`);
  }
  const one = (k: string, allowed: readonly string[]) => {
    if (c[k] !== undefined && (typeof c[k] !== 'string' || !allowed.includes(c[k] as string))) out.push(`The '${k}' claim value must be one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  };
  one('token_endpoint_auth_method', reg.authMethods);
  one('token_endpoint_auth_signing_alg', reg.authSigningAlgs);
  one('application_type', reg.applicationTypes);
  one('id_token_signed_response_alg', reg.idTokenAlgs);
  one('request_object_signing_alg', reg.requestObjectAlgs);
  const grants = c.grant_types === undefined ? undefined : strings(c.grant_types);
  if (c.grant_types !== undefined && (!grants || grants.some((g) => !reg.grantTypes.includes(g)))) out.push(`The 'grant_types' claim value must be among ${reg.grantTypes.join(', ')}.`);
  const responses = c.response_types === undefined ? undefined : strings(c.response_types);
  if (c.response_types !== undefined && (!responses || responses.length === 0 || responses.some((r) => !reg.responseTypes.includes(r)))) out.push(`The 'response_types' claim value must be among ${reg.responseTypes.join(', ')}.`);
  // The authorization code flow: grant authorization_code; JARM (authorization_signed_response_alg) where code is registered.
  if (responses?.includes('code') && grants && !grants.includes('authorization_code')) out.push("The 'grant_types' claim value must contain 'authorization_code'.");
  if (responses?.includes('code') && c.authorization_signed_response_alg === undefined) out.push("The 'authorization_signed_response_alg' claim is missing.");
  one('authorization_signed_response_alg', reg.idTokenAlgs);
  if (responses?.includes('code id_token') && (c.id_token_encrypted_response_alg === undefined || c.id_token_encrypted_response_enc === undefined)) out.push("The 'id_token_encrypted_response_alg' and 'id_token_encrypted_response_enc' claims are required for the hybrid flow.");
  if (c.redirect_uris !== undefined && !strings(c.redirect_uris)?.length) out.push("The 'redirect_uris' claim value must be a non-empty array of strings.");
  return out;
}

/** Validates a CDR registration (or update) JWT; the first failing step throws its CdrError. */
export async function verifyCdrRegistration(body: string, ctx: CdrContext): Promise<CdrRegistration> {
  const reg = ctx.profile.registration;
  // 1. The request is there and is a JWT.
  if (body.trim() === '') refuse('ERR-DCR-002');
  const request = decode(body.trim());
  if (!request) return refuse('ERR-DCR-004', 'The registration request is not a signed JWT.');
  // 2. The SSA is there.
  const statement = request.payload.software_statement;
  const ssaJws = typeof statement === 'string' ? decode(statement) : undefined;
  if (!ssaJws || typeof statement !== 'string') return refuse('ERR-DCR-006');
  // 3. The Register's keys, then the SSA: signature (PS256), iss, lifetime.
  let registerKeys: JSONWebKeySet;
  try {
    registerKeys = await ctx.registerJwks();
  } catch {
    return refuse('ERR-GEN-022');
  }
  if (!(await signedBy(ssaJws, registerKeys, reg.ssaAlgs))) refuse('ERR-DCR-005', 'The signature is not valid for the CDR Register JWKS.');
  const ssa = ssaJws.payload;
  if (ssa.iss !== CDR_REGISTER_ISSUER) refuse('ERR-DCR-005', `The 'iss' claim must be '${CDR_REGISTER_ISSUER}'.`);
  if (!isInt(ssa.exp) || ssa.exp + ctx.clockSkewSeconds <= ctx.now) refuse('ERR-DCR-005', 'The software_statement has expired.');
  if (isInt(ssa.iat) && ssa.iat - ctx.clockSkewSeconds > ctx.now) refuse('ERR-DCR-005', "The 'iat' claim is in the future.");
  if (typeof ssa.software_id !== 'string' || ssa.software_id === '') refuse('ERR-DCR-005', "The 'software_id' claim is missing.");
  const softwareId = ssa.software_id as string;
  // 4. The software product's keys.
  if (!httpsUri(ssa.jwks_uri)) refuse('ERR-GEN-020', 'it must be an https URI');
  const jwksUri = ssa.jwks_uri as string;
  let productKeys: JSONWebKeySet;
  try {
    productKeys = await ctx.fetchJwks(jwksUri);
  } catch (e) {
    return refuse('ERR-GEN-021', e instanceof OAuthError ? e.description.replace(/^[A-Z0-9-]+: /, '').slice(0, 200) : 'fetch failed');
  }
  // 5. The request JWT: signed by the product, alive, for this data holder, from the product.
  if (!(await signedBy(request, productKeys, reg.requestAlgs))) refuse('ERR-DCR-004', "The signature is not valid for the software product's jwks_uri.");
  const c = request.payload;
  if (!isInt(c.exp) || c.exp + ctx.clockSkewSeconds <= ctx.now) refuse('ERR-DCR-004', 'The registration request has expired.');
  if (isInt(c.iat) && (c.iat - ctx.clockSkewSeconds > ctx.now || (isInt(c.exp) && c.exp - c.iat > reg.maxRequestLifetimeSeconds))) refuse('ERR-DCR-004', "The 'iat' claim is in the future or the lifetime too long.");
  const aud = typeof c.aud === 'string' ? [c.aud] : strings(c.aud) ?? [];
  if (!aud.includes(ctx.issuer)) refuse('ERR-DCR-004', `The 'aud' claim must be the issuer '${ctx.issuer}'.`);
  if (c.iss !== softwareId) refuse('ERR-DCR-004', "The 'iss' claim must be the software_id of the software_statement.");
  // 6. The claims, collected into one error.
  const problems = claimProblems(c, ctx.profile);
  if (problems.length) refuse('ERR-DCR-004', problems.join(' '));
  // 7. The sector identifier (the SSA's), reachable.
  const sector = ssa.sector_identifier_uri;
  if (sector !== undefined && (!httpsUri(sector) || !(await ctx.sectorReachable(sector)))) refuse('ERR-DCR-007', typeof sector === 'string' ? sector.slice(0, 200) : 'not a URI');
  // 8. The redirect URIs, a subset of the SSA's.
  const listed = strings(ssa.redirect_uris) ?? [];
  const outside = (strings(c.redirect_uris) ?? []).find((u) => !listed.includes(u));
  if (outside !== undefined) refuse('ERR-DCR-003', outside.slice(0, 200));
  // 9. One client per software_id.
  if (ctx.self) {
    if (ctx.self.metadata.software_id !== softwareId) refuse('ERR-DCR-004', "The software_statement is for another software_id than the client's.");
  } else if (await ctx.registered(softwareId)) refuse('ERR-DCR-001');
  return { claims: c, ssa, softwareId, jwksUri };
}

/** The client record of a verified registration (PUT: the same client_id and issue time). */
export function cdrClientRecord(r: CdrRegistration, profileName: string, now: number, clientId: string, self?: ClientRecord): ClientRecord {
  const c = r.claims;
  const metadata: ClientMetadata = {
    redirect_uris: strings(c.redirect_uris) ?? [],
    token_endpoint_auth_method: String(c.token_endpoint_auth_method),
    token_endpoint_auth_signing_alg: String(c.token_endpoint_auth_signing_alg),
    grant_types: strings(c.grant_types) ?? [],
    response_types: strings(c.response_types) ?? [],
    // The scope is the Register's: what the software product is accredited for.
    scope: typeof r.ssa.scope === 'string' ? r.ssa.scope : '',
    application_type: typeof c.application_type === 'string' ? c.application_type : 'web',
    id_token_signed_response_alg: String(c.id_token_signed_response_alg),
    request_object_signing_alg: String(c.request_object_signing_alg),
    software_id: r.softwareId,
    software_statement: String(c.software_statement),
  };
  return {
    client_id: clientId,
    client_id_issued_at: self?.client_id_issued_at ?? now,
    metadata,
    ssa: r.ssa,
    software_jwks_endpoint: r.jwksUri,
    request_claims: c,
    profile: profileName,
  };
}

const SSA_FIELDS = ['client_name', 'client_description', 'client_uri', 'legal_entity_id', 'legal_entity_name', 'org_id', 'org_name', 'sector_identifier_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'jwks_uri', 'revocation_uri', 'recipient_base_uri', 'software_roles'];
const REQUEST_FIELDS = ['id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', 'authorization_signed_response_alg', 'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc'];

/** The CDS RegistrationProperties of a client: its metadata, the SSA's software product fields, the JARM / id_token encryption it asked for. */
export function cdrClientResponse(record: ClientRecord): Record<string, unknown> {
  const m = record.metadata;
  const pick = (from: Json, keys: string[]) => Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
  return {
    client_id: record.client_id,
    client_id_issued_at: record.client_id_issued_at,
    ...pick(record.ssa, SSA_FIELDS),
    redirect_uris: m.redirect_uris,
    token_endpoint_auth_method: m.token_endpoint_auth_method,
    token_endpoint_auth_signing_alg: m.token_endpoint_auth_signing_alg,
    grant_types: m.grant_types,
    response_types: m.response_types,
    application_type: m.application_type,
    id_token_signed_response_alg: m.id_token_signed_response_alg,
    ...pick(record.request_claims ?? {}, REQUEST_FIELDS),
    request_object_signing_alg: m.request_object_signing_alg,
    software_statement: m.software_statement,
    software_id: m.software_id,
    scope: m.scope,
  };
}

/** CDS: an unknown (or another data recipient's) client is 401 with this challenge. */
export const CDR_UNKNOWN_CLIENT = 'Bearer error="invalid_request", error_description="The client is unknown"';
export const CDR_MANAGEMENT_SCOPE = 'cdr:registration';

export interface CdrAccess {
  authorization: string | undefined;
  certThumbprint: string | undefined;
  clientIdInPath: string;
}

/**
 * GET / PUT / DELETE /register/{clientId}: a live access token presented with the certificate it
 * is bound to, of scope cdr:registration, issued to the client in the path (else the client is
 * unknown: 401 with CDR_UNKNOWN_CLIENT; the token is not revoked).
 */
export async function authorizeCdrManagement(req: CdrAccess, ctx: { getToken: (hash: string) => Promise<TokenRecord | undefined>; getClient: (id: string) => Promise<ClientRecord | undefined> }): Promise<ClientRecord> {
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(req.authorization ?? '');
  if (!m) throw new OAuthError('invalid_token', 401, 'Authorization: Bearer <access token> is required', { headers: { 'www-authenticate': 'Bearer' } });
  const token = await ctx.getToken(tokenHash(m[1]!));
  const invalid = { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  if (!token) throw new OAuthError('invalid_token', 401, 'the access token is unknown, expired or revoked', invalid);
  const bound = token.cnf?.['x5t#S256'];
  if (bound === undefined || bound !== req.certThumbprint) throw new OAuthError('invalid_token', 401, 'the access token is bound to another client certificate (or none)', invalid);
  if (!token.scope.split(/\s+/).includes(CDR_MANAGEMENT_SCOPE)) throw new OAuthError('insufficient_scope', 403, `the access token lacks the ${CDR_MANAGEMENT_SCOPE} scope`, { headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${CDR_MANAGEMENT_SCOPE}"` } });
  const client = await ctx.getClient(req.clientIdInPath);
  if (!client || client.client_id !== token.client_id) throw new OAuthError('invalid_request', 401, 'The client is unknown', { headers: { 'www-authenticate': CDR_UNKNOWN_CLIENT } });
  return client;
}
