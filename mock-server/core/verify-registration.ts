import type { JSONWebKeySet } from 'jose';
import { RuleViolation } from '../errors';
import type { RuleId } from '../../catalogue/rules';
import type { Profile } from '../profiles/types';
import { algRefusal, decodeCompactJws } from './jws';
import { candidateKeys, type TrustStore } from './trust';
import { verifiesWithAny } from './verify-key';
import { verifySsa, type VerifiedSsa } from './verify-ssa';
import { validateClaims, type ClientMetadata } from './claims';

export interface RegistrationContext {
  profile: Profile;
  trust: TrustStore;
  fetchJwks: (url: string) => Promise<JSONWebKeySet>;
  /** Seconds since the epoch. */
  now: number;
  clockSkewSeconds: number;
  audiences: readonly string[];
  certificateDn: string | undefined;
  /** Rules not enforced: the profile's deferred rules plus any test faults. */
  skip: ReadonlySet<RuleId>;
  /** Records a jti; answers false when it was seen before. */
  claimJti: (key: string, expiresAt: number) => Promise<boolean>;
  clientIdInPath?: string;
}

export interface VerifiedRegistration {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  ssa: VerifiedSsa;
  metadata: ClientMetadata;
}

const FORBIDDEN_HEADERS = ['x5c', 'x5u', 'jku', 'jwk'] as const;

/**
 * Verifies a registration request JWS, refusing at the first failure, in this order:
 * the SSA (trusted directory, algorithm, signature, validity), the request JWS (algorithm,
 * headers, signature against the SSA's software_jwks_endpoint), then the claims.
 */
export async function verifyRegistration(jws: string, ctx: RegistrationContext): Promise<VerifiedRegistration> {
  const request = decodeCompactJws(jws, 'JWS-FORMAT', 'registration request');
  const { header, payload } = request;
  const skip = ctx.skip;

  if (typeof payload.software_statement !== 'string' || payload.software_statement === '') {
    throw new RuleViolation('SSA-PRESENT', `software_statement is required as a string (got ${typeof payload.software_statement})`);
  }
  const ssa = await verifySsa(payload.software_statement, {
    trust: ctx.trust,
    ssaAlgs: ctx.profile.registration.ssaAlgs,
    now: ctx.now,
    clockSkewSeconds: ctx.clockSkewSeconds,
    skip,
  });

  const alg = header.alg as string;
  if (!skip.has('JWS-ALG') && !ctx.profile.registration.requestAlgs.includes(alg)) {
    throw new RuleViolation('JWS-ALG', algRefusal(alg, ctx.profile.registration.requestAlgs, 'registration request'));
  }
  const present = FORBIDDEN_HEADERS.filter((h) => header[h] !== undefined);
  if (!skip.has('JWS-NO-X5') && present.length) {
    throw new RuleViolation('JWS-NO-X5', `registration request header carries ${present.join(', ')}; keys come only from the SSA software_jwks_endpoint`);
  }

  if (!skip.has('JWS-SIGNATURE')) {
    const jwks = await ctx.fetchJwks(ssa.jwksEndpoint);
    const keys = candidateKeys(jwks, header.kid, alg);
    if (!skip.has('JWS-KID') && keys.length === 0) {
      throw new RuleViolation('JWS-KID', `registration request kid ${JSON.stringify(header.kid)} is not in the software JWKS at ${ssa.jwksEndpoint}`);
    }
    const verified = await verifiesWithAny(request.compact, keys, alg);
    if (!verified) throw new RuleViolation('JWS-SIGNATURE', `registration request signature does not verify against the software JWKS at ${ssa.jwksEndpoint}`);
  }

  const metadata = validateClaims(
    payload,
    {
      profile: ctx.profile,
      ssa,
      now: ctx.now,
      clockSkewSeconds: ctx.clockSkewSeconds,
      audiences: ctx.audiences,
      certificateDn: ctx.certificateDn,
      ...(ctx.clientIdInPath !== undefined ? { clientIdInPath: ctx.clientIdInPath } : {}),
    },
    skip,
  );

  if (!skip.has('REQ-JTI-REPLAY') && typeof payload.jti === 'string') {
    const expiresAt = typeof payload.exp === 'number' ? payload.exp + ctx.clockSkewSeconds : ctx.now + ctx.profile.registration.maxRequestLifetimeSeconds;
    const fresh = await ctx.claimJti(`${String(payload.iss)}:${payload.jti}`, expiresAt);
    if (!fresh) throw new RuleViolation('REQ-JTI-REPLAY', `jti ${JSON.stringify(payload.jti)} was already used`);
  }

  return { header, claims: payload, ssa, metadata };
}
