import { randomIds, type IdSource } from './ids';

/** 27 random bytes (216 bits) as base64url: 36 characters, the OBIE data dictionary's Max36Text for client_secret. */
const newSecret = (ids: IdSource) => ids.secret(27);
import type { ClientRecord } from '../store/types';
import type { VerifiedRegistration } from './verify-registration';
import { needsSecret } from './claims';
import type { Profile } from '../profiles/types';

/** JWT claims of the request that describe the request, not the client. */
const REQUEST_ONLY = ['iss', 'iat', 'exp', 'aud', 'jti', 'nbf'] as const;
const REQUEST_ONLY_SET: ReadonlySet<string> = new Set(REQUEST_ONLY);

function requestClaims(reg: VerifiedRegistration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of REQUEST_ONLY) if (reg.claims[k] !== undefined) out[k] = reg.claims[k];
  return out;
}

function wantsSecret(method: string, profile: Profile): boolean {
  return needsSecret(method) || profile.registration.alwaysIssueSecret;
}

/** `ids`: where the client id and secret come from (seeded only when SEED is set: see ids.ts). */
export function newClientRecord(reg: VerifiedRegistration, profile: Profile, now: number, ids: IdSource = randomIds): ClientRecord {
  const record: ClientRecord = {
    client_id: ids.uuid(),
    client_id_issued_at: now,
    metadata: reg.metadata,
    ssa: reg.ssa.payload,
    software_jwks_endpoint: reg.ssa.jwksEndpoint,
    request_claims: requestClaims(reg),
    profile: profile.name,
  };
  if (wantsSecret(reg.metadata.token_endpoint_auth_method, profile)) {
    record.client_secret = newSecret(ids);
    record.client_secret_expires_at = 0;
  }
  return record;
}

/** A PUT keeps the client id, issue time and secret (when the method still needs one). */
export function updatedClientRecord(existing: ClientRecord, reg: VerifiedRegistration, profile: Profile, ids: IdSource = randomIds): ClientRecord {
  const record: ClientRecord = {
    ...existing,
    metadata: reg.metadata,
    ssa: reg.ssa.payload,
    software_jwks_endpoint: reg.ssa.jwksEndpoint,
    request_claims: requestClaims(reg),
  };
  if (wantsSecret(reg.metadata.token_endpoint_auth_method, profile)) {
    record.client_secret = existing.client_secret ?? newSecret(ids);
    record.client_secret_expires_at = existing.client_secret_expires_at ?? 0;
  } else {
    delete record.client_secret;
    delete record.client_secret_expires_at;
  }
  return record;
}

/** Sets an own data property, "__proto__" included (claims are untrusted JSON): never the prototype. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * The full OBIE registration response (RFC 7591 3.2.1): the SSA claims, overridden by the
 * registered metadata, plus client_id, client_id_issued_at and, when issued, the secret.
 */
function fullResponse(record: ClientRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { client_id: record.client_id, client_id_issued_at: record.client_id_issued_at };
  for (const k of Object.keys(record.ssa)) if (!REQUEST_ONLY_SET.has(k)) put(out, k, record.ssa[k]);
  const metadata = record.metadata as unknown as Record<string, unknown>;
  for (const k of Object.keys(metadata)) put(out, k, metadata[k]);
  if (record.client_secret !== undefined) {
    out.client_secret = record.client_secret;
    out.client_secret_expires_at = record.client_secret_expires_at ?? 0;
  }
  return out;
}

/** A field source of the profile's response shape: request.<claim>, ssa.<claim> or a field of the full response. */
function resolve(source: string, record: ClientRecord, full: Record<string, unknown>): unknown {
  const [scope, ...rest] = source.split('.');
  const claim = rest.join('.');
  if (scope === 'request' && claim) return record.request_claims?.[claim];
  if (scope === 'ssa' && claim) return record.ssa[claim];
  return full[source];
}

/**
 * The client as the profile answers it (POST, GET and PUT): the full OBIE response, or exactly
 * the profile's fields; then the profile's renames and the types of scope and client_id_issued_at.
 */
export function clientResponse(record: ClientRecord, profile: Profile): Record<string, unknown> {
  const shape = profile.response;
  const full = fullResponse(record);
  let out: Record<string, unknown>;
  if (shape.fields) {
    out = {};
    for (const [name, source] of Object.entries(shape.fields)) {
      const value = resolve(source, record, full);
      if (value !== undefined) out[name] = value;
    }
  } else if (shape.rename) {
    out = {};
    for (const k of Object.keys(full)) put(out, shape.rename[k] ?? k, full[k]);
  } else {
    out = full;
  }
  if (typeof out.scope === 'string' && shape.scopeAs === 'array') out.scope = out.scope.split(' ').filter(Boolean);
  if (out.client_id_issued_at !== undefined && shape.idIssuedAtAs === 'string') out.client_id_issued_at = String(out.client_id_issued_at);
  return out;
}
