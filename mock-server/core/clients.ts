import { randomBytes, randomUUID } from 'node:crypto';
import type { ClientRecord } from '../store/types';
import type { VerifiedRegistration } from './verify-registration';
import { needsSecret } from './claims';
import type { Profile } from '../profiles/types';

/** JWT claims of the request that describe the request, not the client. */
const REQUEST_ONLY = new Set(['iss', 'iat', 'exp', 'aud', 'jti', 'nbf']);

export function newClientRecord(reg: VerifiedRegistration, profile: Profile, now: number): ClientRecord {
  const record: ClientRecord = {
    client_id: randomUUID(),
    client_id_issued_at: now,
    metadata: reg.metadata,
    ssa: reg.ssa.payload,
    software_jwks_endpoint: reg.ssa.jwksEndpoint,
    profile: profile.name,
  };
  if (needsSecret(reg.metadata.token_endpoint_auth_method)) {
    record.client_secret = randomBytes(32).toString('base64url');
    record.client_secret_expires_at = 0;
  }
  return record;
}

/** A PUT keeps the client id, issue time and secret (when the method still needs one). */
export function updatedClientRecord(existing: ClientRecord, reg: VerifiedRegistration): ClientRecord {
  const record: ClientRecord = { ...existing, metadata: reg.metadata, ssa: reg.ssa.payload, software_jwks_endpoint: reg.ssa.jwksEndpoint };
  if (needsSecret(reg.metadata.token_endpoint_auth_method)) {
    record.client_secret = existing.client_secret ?? randomBytes(32).toString('base64url');
    record.client_secret_expires_at = existing.client_secret_expires_at ?? 0;
  } else {
    delete record.client_secret;
    delete record.client_secret_expires_at;
  }
  return record;
}

/**
 * The registration response (RFC 7591 3.2.1): the SSA claims, overridden by the registered
 * metadata, plus client_id, client_id_issued_at and, for secret-based methods, the secret.
 */
export function clientResponse(record: ClientRecord): Record<string, unknown> {
  const ssaClaims = Object.fromEntries(Object.entries(record.ssa).filter(([k]) => !REQUEST_ONLY.has(k)));
  return {
    client_id: record.client_id,
    client_id_issued_at: record.client_id_issued_at,
    ...ssaClaims,
    ...record.metadata,
    ...(record.client_secret !== undefined
      ? { client_secret: record.client_secret, client_secret_expires_at: record.client_secret_expires_at ?? 0 }
      : {}),
  };
}
