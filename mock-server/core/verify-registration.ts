import type { JSONWebKeySet } from 'jose';
import { OAuthError, RuleViolation, throwAll } from '../errors';
import type { RuleId } from '../../catalogue/rules';
import type { Profile } from '../profiles/types';
import { algRefusal, decodeCompactJws, type DecodedJws } from './jws';
import { candidateKeys, type TrustStore } from './trust';
import { verifiesWithAny } from './verify-key';
import { verifySsa, type VerifiedSsa } from './verify-ssa';
import { claimViolations, normaliseMetadata, type ClientMetadata } from './claims';
import type { RuleTrace } from './rule-trace';

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
  /** Check every rule and throw the first failure carrying all of them (`related`), instead of stopping at the first. */
  collect?: boolean;
  /** Records every rule checked, with its verdict (for the admin journal). */
  trace?: RuleTrace;
  /** Given the request JWS once decoded (not yet verified): the journal keeps it without decoding it again. */
  onDecoded?: (jws: DecodedJws) => void;
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
  ctx.onDecoded?.(request);
  const { header, payload } = request;
  const skip = ctx.skip;
  const trace = ctx.trace;
  trace?.pass('JWS-FORMAT');
  const violations: RuleViolation[] = [];
  const fail = (rule: RuleId, detail: string) => {
    const v = new RuleViolation(rule, detail);
    if (!ctx.collect) throw v;
    violations.push(v);
  };

  if (typeof payload.software_statement !== 'string' || payload.software_statement === '') {
    trace?.check('SSA-PRESENT', false, skip.has('SSA-PRESENT'));
    // Fault SSA-PRESENT (test-only): without the presence check the verifier trips on the missing statement, as an unguarded bank does.
    if (skip.has('SSA-PRESENT')) throw new OAuthError('server_error', 500, 'An unexpected error occurred.');
    throw new RuleViolation('SSA-PRESENT', `software_statement is required as a string (got ${typeof payload.software_statement})`);
  }
  trace?.pass('SSA-PRESENT');
  const ssa = await verifySsa(payload.software_statement, {
    trust: ctx.trust,
    ssaAlgs: ctx.profile.registration.ssaAlgs,
    now: ctx.now,
    clockSkewSeconds: ctx.clockSkewSeconds,
    skip,
    ...(ctx.collect ? { violations } : {}),
    ...(trace ? { trace } : {}),
  });

  const alg = header.alg as string;
  trace?.check('JWS-ALG', ctx.profile.registration.requestAlgs.includes(alg), skip.has('JWS-ALG'));
  if (!skip.has('JWS-ALG') && !ctx.profile.registration.requestAlgs.includes(alg)) {
    fail('JWS-ALG', algRefusal(alg, ctx.profile.registration.requestAlgs, 'registration request'));
  }
  const present = FORBIDDEN_HEADERS.filter((h) => header[h] !== undefined);
  trace?.check('JWS-NO-X5', present.length === 0, skip.has('JWS-NO-X5'));
  if (!skip.has('JWS-NO-X5') && present.length) {
    fail('JWS-NO-X5', `registration request header carries ${present.join(', ')}; keys come only from the SSA software_jwks_endpoint`);
  }

  if (!skip.has('JWS-SIGNATURE') && (violations.length === 0 || ssa.jwksEndpoint !== '')) {
    await verifyRequestSignature(request, alg, ssa, ctx, fail);
  } else if (skip.has('JWS-SIGNATURE')) trace?.record('JWS-SIGNATURE', 'skipped');

  const claimsCtx = {
    profile: ctx.profile,
    ssa,
    now: ctx.now,
    clockSkewSeconds: ctx.clockSkewSeconds,
    audiences: ctx.audiences,
    certificateDn: ctx.certificateDn,
    ...(ctx.clientIdInPath !== undefined ? { clientIdInPath: ctx.clientIdInPath } : {}),
  };
  const claimFailures = claimViolations(payload, claimsCtx, skip, trace);
  if (!ctx.collect && claimFailures.length) throw claimFailures[0];
  violations.push(...claimFailures);

  if (skip.has('REQ-JTI-REPLAY')) trace?.record('REQ-JTI-REPLAY', 'skipped');
  else if (typeof payload.jti === 'string' && violations.length === 0) {
    const expiresAt = typeof payload.exp === 'number' ? payload.exp + ctx.clockSkewSeconds : ctx.now + ctx.profile.registration.maxRequestLifetimeSeconds;
    const fresh = await ctx.claimJti(`${String(payload.iss)}:${payload.jti}`, expiresAt);
    trace?.check('REQ-JTI-REPLAY', fresh, false);
    if (!fresh) fail('REQ-JTI-REPLAY', `jti ${JSON.stringify(payload.jti)} was already used`);
  }
  throwAll(violations);

  return { header, claims: payload, ssa, metadata: normaliseMetadata(payload, claimsCtx, skip) };
}

/** The request JWS verifies against the software JWKS named in the SSA. */
async function verifyRequestSignature(
  request: DecodedJws,
  alg: string,
  ssa: VerifiedSsa,
  ctx: RegistrationContext,
  fail: (rule: RuleId, detail: string) => void,
): Promise<void> {
  let jwks: JSONWebKeySet;
  try {
    jwks = await ctx.fetchJwks(ssa.jwksEndpoint);
  } catch (e) {
    if (e instanceof RuleViolation) ctx.trace?.record(e.rule, 'fail');
    if (!ctx.collect || !(e instanceof RuleViolation)) throw e;
    return fail(e.rule, e.description.replace(/^[A-Z0-9-]+: /, ''));
  }
  // Under the JWS-KID fault (test-only) the kid is ignored and every key is tried, as the classic bug does.
  ctx.trace?.pass('JWKS-FETCH');
  const { header } = request;
  const keys = candidateKeys(jwks, ctx.skip.has('JWS-KID') ? undefined : header.kid, alg);
  ctx.trace?.check('JWS-KID', keys.length > 0, ctx.skip.has('JWS-KID'));
  if (!ctx.skip.has('JWS-KID') && keys.length === 0) {
    return fail('JWS-KID', `registration request kid ${JSON.stringify(header.kid)} is not in the software JWKS at ${ssa.jwksEndpoint}`);
  }
  const verified = await verifiesWithAny(request, keys, alg);
  ctx.trace?.check('JWS-SIGNATURE', verified, false);
  if (!verified) fail('JWS-SIGNATURE', `registration request signature does not verify against the software JWKS at ${ssa.jwksEndpoint}`);
}
