import { rules, type RuleId } from '../catalogue/rules';
import { RuleViolation } from '../mock-server/errors';
import { decodeCompactJws, algRefusal, type DecodedJws } from '../mock-server/core/jws';
import { verifySsa, type VerifiedSsa } from '../mock-server/core/verify-ssa';
import { validateClaims, type ClaimsContext } from '../mock-server/core/claims';
import { createTrustStore } from '../mock-server/core/trust';
import { getProfile, type Profile } from '../mock-server/profiles';

/**
 * Offline lint of a registration JWT (and its SSA) against the static rules, with no server:
 * the mock's own rule functions run with each violated rule switched off in turn, so every
 * finding is listed, not only the first. Signatures cannot be verified offline.
 */
export interface Finding {
  rule: RuleId;
  on: 'request' | 'software_statement';
  detail: string;
}

export interface LintOptions {
  profile?: Profile;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
  /** Accepted aud values; REQ-AUD is not checked without them. */
  audiences?: string[];
  /** Transport certificate DN; REQ-TLS-DN-MATCH is not checked without it. */
  certificateDn?: string;
}

export interface LintResult {
  kind: 'request' | 'software_statement';
  findings: Finding[];
  notes: string[];
}

const FORBIDDEN_HEADERS = ['x5c', 'x5u', 'jku', 'jwk'];

/** Runs `attempt` with a growing skip set until it passes; returns what it threw along the way. */
async function allViolations<T>(initial: Iterable<RuleId>, attempt: (skip: ReadonlySet<RuleId>) => Promise<T> | T): Promise<{ value: T | undefined; found: Array<[RuleId, string]> }> {
  const skip = new Set(initial);
  const found: Array<[RuleId, string]> = [];
  for (let i = 0; i <= Object.keys(rules).length; i++) {
    try {
      return { value: await attempt(skip), found };
    } catch (e) {
      if (!(e instanceof RuleViolation) || !e.rule || skip.has(e.rule)) return { value: undefined, found: e instanceof RuleViolation && e.rule ? [...found, [e.rule, e.description]] : found };
      found.push([e.rule, e.description]);
      skip.add(e.rule);
    }
  }
  return { value: undefined, found };
}

function decode(jwt: string, rule: RuleId, what: string): DecodedJws | Finding {
  try {
    return decodeCompactJws(jwt, rule, what);
  } catch (e) {
    return { rule, on: what === 'software_statement' ? 'software_statement' : 'request', detail: (e as Error).message };
  }
}

export async function lint(input: string, opts: LintOptions = {}): Promise<LintResult> {
  const profile = opts.profile ?? getProfile('obie');
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const skew = 60;
  const notes = ['signatures are not verified offline (SSA-SIGNATURE, SSA-ISSUER, JWS-SIGNATURE need the directory and software JWKS)'];
  const jwt = input.trim();
  const findings: Finding[] = [];

  const top = decode(jwt, 'JWS-FORMAT', 'registration request');
  if ('rule' in top) return { kind: 'request', findings: [top], notes };
  const isSsa = top.payload.software_statement === undefined && top.payload.software_jwks_endpoint !== undefined;

  const lintSsa = async (compact: string): Promise<VerifiedSsa | undefined> => {
    const d = decode(compact, 'SSA-FORMAT', 'software_statement');
    if ('rule' in d) {
      findings.push(d);
      return undefined;
    }
    const { value, found } = await allViolations(['SSA-ISSUER', 'SSA-SIGNATURE', 'SSA-KID'], (skip) =>
      verifySsa(compact, { trust: createTrustStore([]), ssaAlgs: profile.registration.ssaAlgs, now, clockSkewSeconds: skew, skip }),
    );
    for (const [rule, detail] of found) findings.push({ rule, on: 'software_statement', detail });
    return value;
  };

  if (isSsa) {
    await lintSsa(jwt);
    return { kind: 'software_statement', findings, notes };
  }

  const alg = String(top.header.alg);
  if (!profile.registration.requestAlgs.includes(alg)) findings.push({ rule: 'JWS-ALG', on: 'request', detail: algRefusal(alg, profile.registration.requestAlgs, 'registration request') });
  const present = FORBIDDEN_HEADERS.filter((h) => top.header[h] !== undefined);
  if (present.length) findings.push({ rule: 'JWS-NO-X5', on: 'request', detail: `registration request header carries ${present.join(', ')}` });

  const ssaJwt = top.payload.software_statement;
  let ssa: VerifiedSsa | undefined;
  if (typeof ssaJwt !== 'string' || ssaJwt === '') findings.push({ rule: 'SSA-PRESENT', on: 'request', detail: 'software_statement is required as a string' });
  else ssa = await lintSsa(ssaJwt);

  const initial: RuleId[] = [];
  if (!opts.audiences) {
    initial.push('REQ-AUD');
    notes.push('aud is not checked (give the bank audiences)');
  }
  if (!opts.certificateDn) {
    initial.push('REQ-TLS-DN-MATCH');
    notes.push('the subject DN is not matched against a certificate (give one)');
  }
  const ctx: ClaimsContext = {
    profile,
    ssa: ssa ?? { header: {}, payload: {}, compact: '', softwareId: '', jwksEndpoint: '', redirectUris: [], roles: [] },
    now,
    clockSkewSeconds: skew,
    audiences: opts.audiences ?? [],
    certificateDn: opts.certificateDn,
  };
  const { found } = await allViolations(initial, (skip) => validateClaims(top.payload, ctx, skip));
  for (const [rule, detail] of found) findings.push({ rule, on: 'request', detail });
  return { kind: 'request', findings, notes };
}
