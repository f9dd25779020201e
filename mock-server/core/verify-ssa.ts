import { deepFreeze } from '../../common/json';
import { sizeOnceDeep } from '../store/bounded';
import { RuleViolation } from '../errors';
import type { RuleId } from '../../catalogue/rules';
import { algRefusal, decodeCompactJws, type DecodedJws } from './jws';
import { candidateKeys, type TrustStore } from './trust';
import { verifiesWithAny } from './verify-key';
import type { RuleTrace } from './rule-trace';

export interface SsaContext {
  trust: TrustStore;
  ssaAlgs: readonly string[];
  /** Current time, seconds since the epoch. */
  now: number;
  clockSkewSeconds: number;
  skip: ReadonlySet<RuleId>;
  /** When given, failures are added here and checking goes on, instead of stopping at the first. */
  violations?: RuleViolation[];
  /** Records every rule checked, with its verdict. */
  trace?: RuleTrace;
}

export interface VerifiedSsa extends DecodedJws {
  softwareId: string;
  jwksEndpoint: string;
  redirectUris: string[];
  roles: string[];
}

function check(ctx: SsaContext, rule: RuleId, ok: boolean, detail: () => string) {
  ctx.trace?.check(rule, ok, ctx.skip.has(rule));
  if (ok || ctx.skip.has(rule)) return;
  const v = new RuleViolation(rule, detail());
  if (!ctx.violations) throw v;
  ctx.violations.push(v);
}

/**
 * SSAs as decoded, by their text: a software's statement comes in every one of its
 * registrations. Frozen (header and claims are read, never changed, downstream), bounded, least
 * recently used first out; what fails to decode is not kept (decoded again, refused again).
 */
const DECODED_SSAS = 256;
const DECODED_SSA_MAX_CHARS = 16_384;
const decodedSsas = new Map<string, DecodedJws>();


function decodeSsa(ssa: string): DecodedJws {
  const seen = decodedSsas.get(ssa);
  if (seen) {
    decodedSsas.delete(ssa);
    decodedSsas.set(ssa, seen);
    return seen;
  }
  const decoded = decodeCompactJws(ssa, 'SSA-FORMAT', 'software_statement');
  if (ssa.length <= DECODED_SSA_MAX_CHARS) {
    // Marked unchanging all the way down: the journal's redaction and the size estimate of its
    // entries then walk its claims (copied into every answer) once, not in every entry.
    decodedSsas.set(ssa, sizeOnceDeep(deepFreeze(decoded)));
    if (decodedSsas.size > DECODED_SSAS) decodedSsas.delete(decodedSsas.keys().next().value as string);
  }
  return decoded;
}

/**
 * The claims of a software statement as decodeSsa keeps them (frozen, shared), for a store that
 * keeps a client's SSA claims as its statement's text: `peek` answers only what is already kept
 * (undefined otherwise, the cache untouched); without it the text is decoded (and kept) when it
 * is not. Undefined for a text that is no compact JWS.
 */
export function ssaClaimsOf(text: string, peek = false): Record<string, unknown> | undefined {
  if (peek) return decodedSsas.get(text)?.payload;
  try {
    return decodeSsa(text).payload;
  } catch {
    return undefined;
  }
}

/** Verifies a software statement: format, algorithm, trusted issuer, signature, validity, claims. */
export async function verifySsa(ssa: string, ctx: SsaContext): Promise<VerifiedSsa> {
  const decoded = decodeSsa(ssa);
  const { header, payload } = decoded;
  ctx.trace?.pass('SSA-FORMAT');
  const alg = header.alg as string;
  check(ctx, 'SSA-ALG', ctx.ssaAlgs.includes(alg), () => algRefusal(alg, ctx.ssaAlgs, 'software_statement'));

  const iss = payload.iss;
  const directory = typeof iss === 'string' ? ctx.trust.directory(iss) : undefined;
  check(ctx, 'SSA-ISSUER', directory !== undefined, () =>
    `software_statement iss ${JSON.stringify(iss)} is not a trusted directory (trusted: ${ctx.trust.issuers().join(', ')})`);

  if (directory && !ctx.skip.has('SSA-SIGNATURE')) {
    const keys = candidateKeys(await directory.jwks(), header.kid, alg);
    check(ctx, 'SSA-KID', keys.length > 0, () =>
      `software_statement kid ${JSON.stringify(header.kid)} is not in the JWKS of directory "${directory.issuer}"`);
    const verified = await verifiesWithAny(decoded, keys, alg);
    check(ctx, 'SSA-SIGNATURE', verified, () => `software_statement signature does not verify against directory "${directory.issuer}"`);
  } else if (ctx.skip.has('SSA-SIGNATURE')) ctx.trace?.record('SSA-SIGNATURE', 'skipped');

  const exp = payload.exp;
  check(ctx, 'SSA-EXP', exp === undefined || (typeof exp === 'number' && exp + ctx.clockSkewSeconds > ctx.now), () =>
    typeof exp === 'number' ? `software_statement expired at ${exp} (now ${ctx.now})` : `software_statement exp ${JSON.stringify(exp)} is not a number`);
  const iat = payload.iat;
  check(ctx, 'SSA-IAT', iat === undefined || (typeof iat === 'number' && iat <= ctx.now + ctx.clockSkewSeconds), () =>
    typeof iat === 'number' ? `software_statement iat ${iat} is in the future (now ${ctx.now})` : `software_statement iat ${JSON.stringify(iat)} is not a number`);
  const nbf = payload.nbf;
  check(ctx, 'SSA-IAT', nbf === undefined || (typeof nbf === 'number' && nbf <= ctx.now + ctx.clockSkewSeconds), () =>
    `software_statement is not valid before ${JSON.stringify(nbf)} (now ${ctx.now})`);

  const softwareId = payload.software_id;
  const jwksEndpoint = payload.software_jwks_endpoint;
  const redirectUris = payload.software_redirect_uris;
  const roles = payload.software_roles;
  const missing = [
    typeof softwareId === 'string' && softwareId ? undefined : 'software_id',
    typeof jwksEndpoint === 'string' && jwksEndpoint ? undefined : 'software_jwks_endpoint',
    Array.isArray(redirectUris) && redirectUris.every((u) => typeof u === 'string') ? undefined : 'software_redirect_uris',
    Array.isArray(roles) || typeof roles === 'string' ? undefined : 'software_roles',
  ].filter((m): m is string => m !== undefined);
  check(ctx, 'SSA-CLAIMS', missing.length === 0, () => `software_statement lacks or malforms: ${missing.join(', ')}`);

  return {
    ...decoded,
    softwareId: typeof softwareId === 'string' ? softwareId : '',
    jwksEndpoint: typeof jwksEndpoint === 'string' ? jwksEndpoint : '',
    redirectUris: Array.isArray(redirectUris) ? (redirectUris.filter((u) => typeof u === 'string') as string[]) : [],
    roles: Array.isArray(roles) ? roles.map(String) : typeof roles === 'string' ? roles.split(/\s+/) : [],
  };
}
