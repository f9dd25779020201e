import { randomBytes } from 'node:crypto';
import type { RuleId } from '../catalogue/rules';
import type { Profile } from './profiles/types';

/**
 * Test-only behaviour faults. `faults` (MOCK_FAULTS) puts rule ids into `deps.skip`: a refusal
 * rule is then skipped where it is enforced; a behaviour rule (what discovery advertises, what a
 * registration, token or management answer looks like) is broken here, one small function per
 * area, so the conformance pack can show each of its checks failing against the mock.
 * With no faults every function below returns its input unchanged.
 */
export type Faults = ReadonlySet<RuleId>;

export const broken = (faults: Faults, id: RuleId): boolean => faults.has(id);

/** Profile data a fault takes away: application/jwt as a content type, private_key_jwt as an auth method. */
export function faultedProfile(profile: Profile, faults: Faults): Profile {
  const noJwt = broken(faults, 'HTTP-CONTENT-TYPE-JWT');
  const noPkJwt = broken(faults, 'REQ-PRIVATE-KEY-JWT');
  if (!noJwt && !noPkJwt) return profile;
  const reg = profile.registration;
  return {
    ...profile,
    registration: {
      ...reg,
      contentTypes: noJwt ? reg.contentTypes.filter((t) => t !== 'application/jwt') : reg.contentTypes,
      authMethods: noPkJwt ? reg.authMethods.filter((m) => m !== 'private_key_jwt') : reg.authMethods,
    },
  };
}

/** The discovery fields each fault omits. */
const DISCOVERY_FIELDS: Partial<Record<RuleId, readonly string[]>> = {
  'DISC-ISSUER': ['issuer'],
  'DISC-REGISTRATION-ENDPOINT': ['registration_endpoint'],
  'DISC-TOKEN-ENDPOINT': ['token_endpoint'],
  'DISC-AUTH-METHODS': ['token_endpoint_auth_methods_supported'],
  'DISC-ALGS': ['request_object_signing_alg_values_supported', 'id_token_signing_alg_values_supported'],
  'DISC-GRANT-TYPES': ['grant_types_supported'],
  'DISC-RESPONSE-TYPES': ['response_types_supported'],
  'DISC-SCOPES': ['scopes_supported'],
};

export function discoveryDocument(doc: Record<string, unknown>, faults: Faults): Record<string, unknown> {
  const omitted = new Set(Object.entries(DISCOVERY_FIELDS).flatMap(([id, fields]) => (broken(faults, id as RuleId) ? fields : [])));
  return omitted.size ? Object.fromEntries(Object.entries(doc).filter(([k]) => !omitted.has(k))) : doc;
}

/** The fields a registration answer keeps under RES-METADATA: the credentials, none of the registered metadata. */
const CREDENTIALS = ['client_id', 'client_id_issued_at', 'client_secret', 'client_secret_expires_at'];

/** The registration answer: its status, its body and whether it goes out as JSON. */
export function registrationAnswer(status: number, client: Record<string, unknown>, faults: Faults): { status: number; body: Record<string, unknown>; json: boolean } {
  let body = client;
  if (broken(faults, 'RES-METADATA')) body = Object.fromEntries(Object.entries(body).filter(([k]) => CREDENTIALS.includes(k)));
  if (broken(faults, 'RES-SECRET')) {
    const { client_secret_expires_at: _dropped, ...rest } = body;
    body = { ...rest, client_secret: body.client_secret ?? randomBytes(32).toString('base64url') };
  }
  return { status: broken(faults, 'RES-CREATED-201') && status === 201 ? 200 : status, body, json: !broken(faults, 'RES-CLIENT-JSON') };
}

/** RES-CLIENT-JSON: the client as an unsigned compact JWS (application/jwt), as banks that sign their answer send it. */
export function asJws(body: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(body)}.`;
}

/** TOKEN-RESPONSE: the token answer without token_type. */
export function tokenAnswer<T extends { token_type: string }>(response: T, faults: Faults): Omit<T, 'token_type'> | T {
  if (!broken(faults, 'TOKEN-RESPONSE')) return response;
  const { token_type: _dropped, ...rest } = response;
  return rest;
}
