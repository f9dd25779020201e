import { describe, type RuleId } from '../catalogue/rules';
import { decodeJws, JwsFormatError, type DecodedJws } from '../common/jws';
import { headerRules, requestRules, ssaRules, type Citation, type LintContext, type LintRule, type SpecVersion, type SsaView } from './lint-rules';

/**
 * Offline lint of a registration JWT (and its SSA), or of a bare SSA, with no server: every rule
 * of lint-rules.ts runs, so every finding is listed, not only the first. Signatures, trusted
 * issuers, replays and what a bank supports cannot be judged offline.
 */
export interface Finding {
  rule: RuleId;
  on: 'request' | 'software_statement';
  /** `<RULE-ID>: <what was wrong>`. */
  detail: string;
  /** The sentences the rule enforces. */
  spec: readonly Citation[];
}

export interface LintOptions {
  /** Seconds since the epoch; defaults to now. */
  now?: number;
  /** Accepted aud values; without them aud is only required, not matched. */
  audiences?: string[];
  /** Transport certificate DN; without it the subject DN is only parsed, not matched. */
  certificateDn?: string;
  /** OBIE DCR version of the request (iss length, scope shape, DN claim name); any version's form is accepted without it. */
  specVersion?: SpecVersion;
}

export interface LintResult {
  kind: 'request' | 'software_statement';
  findings: Finding[];
  notes: string[];
}

/** RFC 7519 4.1 allows "some small leeway, usually no more than a few minutes" for exp, nbf and iat. */
const SKEW_SECONDS = 60;

const JWS_FORMAT: Citation = { ref: 'RFC7515-4.1', text: 'The "alg" (algorithm) Header Parameter identifies the cryptographic algorithm used to secure the JWS. ... This Header Parameter MUST be present and MUST be understood and processed by implementations.' };
const SSA_PRESENT: Citation = { ref: 'OBDCR-REQ', text: 'software_statement 1..1 ... Software statement assertion issued by the issuer.' };

const finding = (rule: RuleId, on: Finding['on'], detail: string, spec: readonly Citation[]): Finding => ({ rule, on, detail: describe(rule, detail), spec });

function decode(jwt: string, rule: RuleId, what: 'registration request' | 'software_statement'): DecodedJws | Finding {
  try {
    return decodeJws(jwt, what);
  } catch (e) {
    if (!(e instanceof JwsFormatError)) throw e;
    return finding(rule, what === 'software_statement' ? 'software_statement' : 'request', e.message, [JWS_FORMAT]);
  }
}

function run(rules: readonly LintRule[], ctx: LintContext): Finding[] {
  return rules.flatMap((r) => {
    const detail = r.check(ctx);
    return detail === undefined ? [] : [finding(r.id, r.on, detail, r.cites)];
  });
}

/** What the request rules compare with, read from the SSA's claims (a malformed claim reads as absent). */
function ssaView(p: Record<string, unknown>): SsaView {
  const strings = (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined);
  return { softwareId: typeof p.software_id === 'string' ? p.software_id : undefined, redirectUris: strings(p.software_redirect_uris), roles: strings(p.software_roles) };
}

export async function lint(input: string, opts: LintOptions = {}): Promise<LintResult> {
  const base = {
    now: opts.now ?? Math.floor(Date.now() / 1000),
    skewSeconds: SKEW_SECONDS,
    audiences: opts.audiences,
    certificateDn: opts.certificateDn,
    version: opts.specVersion,
  };
  const notes = ['signatures are not verified offline (SSA-SIGNATURE, SSA-ISSUER trust, JWS-KID, JWS-SIGNATURE need the directory and software JWKS)'];
  const jwt = input.trim();

  const top = decode(jwt, 'JWS-FORMAT', 'registration request');
  if ('rule' in top) return { kind: 'request', findings: [top], notes };
  const lintSsa = (d: DecodedJws) => run(ssaRules, { ...base, header: d.header, claims: d.payload, ssa: undefined });

  // A bare SSA: no software_statement of its own, and the SSA's own JWKS claim.
  if (top.payload.software_statement === undefined && top.payload.software_jwks_endpoint !== undefined) {
    return { kind: 'software_statement', findings: lintSsa(top), notes };
  }

  const findings = run(headerRules, { ...base, header: top.header, claims: top.payload, ssa: undefined });
  const ssaJwt = top.payload.software_statement;
  let ssa: SsaView | undefined;
  if (typeof ssaJwt !== 'string' || ssaJwt === '') findings.push(finding('SSA-PRESENT', 'request', `software_statement is required as a string (got ${typeof ssaJwt})`, [SSA_PRESENT]));
  else {
    const decoded = decode(ssaJwt, 'SSA-FORMAT', 'software_statement');
    if ('rule' in decoded) findings.push(decoded);
    else {
      findings.push(...lintSsa(decoded));
      ssa = ssaView(decoded.payload);
    }
  }
  if (!ssa) notes.push('no readable SSA: iss, software_id, redirect URIs and scope are not compared with it');
  if (!opts.audiences) notes.push('aud is required but not matched (give the bank audiences)');
  if (!opts.certificateDn) notes.push('the subject DN is parsed but not matched against a certificate (give one)');
  const exp = top.payload.exp;
  // No sentence bounds a request's lifetime; banks cap it (the mock: one day), so it is said, not found.
  if (typeof exp === 'number' && exp - base.now > 86_400) notes.push(`exp is ${Math.round((exp - base.now) / 86_400)} days ahead: no spec bounds it, but banks may refuse a long-lived request`);
  findings.push(...run(requestRules, { ...base, header: top.header, claims: top.payload, ssa }));
  return { kind: 'request', findings, notes };
}
