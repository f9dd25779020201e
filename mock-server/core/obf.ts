/**
 * The obf dialect, pure: Open Finance Brasil DCR 1.0 (implementers draft 3, "Open Finance Brasil
 * OpenID Connect Registration Provisions") over the RFC 7591 core. A JSON body carrying the
 * Directory of Participants' software_statement; the OBF rules run first, in the order the
 * specification lists them, then the plain RFC 7591 rules on the request with the SSA's values and
 * the server defaults applied. No HTTP below here.
 */
import type { RuleId } from '../../catalogue/rules';
import { RuleViolation } from '../errors';
import { attributeOf, distinguishedNameMatch, obfCertificateDn, obfDnProblem, OID, orgIdOf, parseObfDn } from '../../common/obf-dn';
import { preview } from './preview';
import { activeRoles, allowedScopes } from '../../common/obf-roles';

export { OBF_ROLE_SCOPES, OBF_ROLES, OBF_SCOPES, activeRoles, allowedScopes } from '../../common/obf-roles';
import { verifyClientMetadata, type Rfc7591Context, type Rfc7591Registration } from './rfc7591';
import { verifySsa, type VerifiedSsa } from './verify-ssa';

type Json = Record<string, unknown>;

/** Item 3: "issued (iat) not more than 5 minutes prior to the request being received". */
export const OBF_SSA_MAX_AGE_SECONDS = 300;

/** The RFC 8705 2.1.2 parameters other than tls_client_auth_subject_dn (item 12: "shall only accept tls_client_auth_subject_dn"). */
const OTHER_TLS_PARAMETERS = ['tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'];

const isString = (v: unknown): v is string => typeof v === 'string';

/** The SSA's software_* claims and the client metadata they take precedence over (item 10). */
const SSA_PRECEDENCE: ReadonlyArray<[string, string]> = [
  ['software_client_name', 'client_name'],
  ['software_client_uri', 'client_uri'],
  ['software_logo_uri', 'logo_uri'],
  ['software_tos_uri', 'tos_uri'],
  ['software_policy_uri', 'policy_uri'],
];

export interface ObfStatement {
  ssa: VerifiedSsa;
  softwareId: string;
  orgId: string;
  jwksUri: string;
  redirectUris: string[];
  roles: string[];
}

function checker(ctx: Rfc7591Context) {
  return (rule: RuleId, detail: string | undefined) => {
    const skipped = ctx.skip.has(rule);
    ctx.trace?.check(rule, detail === undefined, skipped);
    if (detail !== undefined && !skipped) throw new RuleViolation(rule, detail);
  };
}

/** Items 2 and 3: the statement is the directory's (PS256, a trusted issuer's key), carries the OBF claims, and is at most five minutes old. */
export async function verifyObfStatement(statement: unknown, ctx: Rfc7591Context): Promise<ObfStatement> {
  const check = checker(ctx);
  check('OBF-SSA-REQUIRED', isString(statement) && statement !== '' ? undefined : 'software_statement is required: the JWT the Directory of Participants issued for this software');
  // The OBIE claim names (software_jwks_endpoint) are not OBF's: OBF-SSA-CLAIMS judges the claims.
  const ssa = await verifySsa(statement as string, {
    trust: ctx.trust,
    ssaAlgs: ctx.profile.registration.ssaAlgs,
    now: ctx.now,
    clockSkewSeconds: ctx.clockSkewSeconds,
    skip: new Set<RuleId>([...ctx.skip, 'SSA-CLAIMS']),
    ...(ctx.trace ? { trace: ctx.trace } : {}),
  });
  const p = ssa.payload;
  const redirectUris = Array.isArray(p.software_redirect_uris) ? p.software_redirect_uris.filter(isString) : [];
  const missing = [
    isString(p.software_id) && p.software_id !== '' ? undefined : 'software_id',
    isString(p.org_id) && p.org_id !== '' ? undefined : 'org_id',
    isString(p.software_jwks_uri) && URL.canParse(p.software_jwks_uri) ? undefined : 'software_jwks_uri',
    Array.isArray(p.software_redirect_uris) && redirectUris.length === p.software_redirect_uris.length ? undefined : 'software_redirect_uris',
    Array.isArray(p.software_statement_roles) ? undefined : 'software_statement_roles',
  ].filter((m): m is string => m !== undefined);
  check('OBF-SSA-CLAIMS', missing.length ? `software_statement lacks or malforms: ${missing.join(', ')}` : undefined);
  const iat = p.iat;
  check('OBF-SSA-IAT-AGE', typeof iat !== 'number' ? 'software_statement has no numeric iat'
    : ctx.now - iat > OBF_SSA_MAX_AGE_SECONDS ? `software_statement was issued at ${iat}, ${ctx.now - iat} s before the request: more than ${OBF_SSA_MAX_AGE_SECONDS} s` : undefined);
  return {
    ssa,
    softwareId: isString(p.software_id) ? p.software_id : '',
    orgId: isString(p.org_id) ? p.org_id : '',
    jwksUri: isString(p.software_jwks_uri) ? p.software_jwks_uri : '',
    redirectUris,
    roles: activeRoles(p.software_statement_roles),
  };
}

/**
 * Items 13 and 14 (and POST /register 4: "corresponds to the same institution as the client
 * certificate presented"): the certificate's UID is the software_id, its organizationIdentifier
 * OFBBR-<org_id>. Only with a certificate: without one the route refused already (TLS-CERT-REQUIRED).
 */
export function checkCertificate(certificate: Buffer | undefined, st: ObfStatement, ctx: Rfc7591Context): void {
  if (!certificate) return;
  const check = checker(ctx);
  const dn = obfCertificateDn(certificate);
  const org = orgIdOf(dn);
  check('OBF-CERT-ORG', org !== undefined && org.toLowerCase() === st.orgId.toLowerCase() ? undefined
    : `the client certificate's organizationIdentifier ${preview(attributeOf(dn, OID.organizationIdentifier) ?? '(none)')} is not OFBBR-${st.orgId} (the software_statement's org_id)`);
  const uid = attributeOf(dn, OID.uid);
  check('OBF-CERT-UID', uid !== undefined && uid.toLowerCase() === st.softwareId.toLowerCase() ? undefined
    : `the client certificate's UID ${preview(uid ?? '(none)')} is not the software_statement's software_id ${preview(st.softwareId)}`);
}

const list = (v: unknown): string[] | undefined => (isString(v) ? v.split(' ').filter(Boolean) : undefined);

/**
 * Verifies an OBF registration request (POST, or a PUT's metadata): the statement, the certificate,
 * then items 4 to 12, then the RFC 7591 rules with the SSA's values taking precedence and the server
 * defaults (jwks_uri the software_jwks_uri, scope the full allowed set). Answers what is registered.
 */
export async function verifyObfRegistration(body: Json, ctx: Rfc7591Context): Promise<Rfc7591Registration> {
  const check = checker(ctx);
  const st = await verifyObfStatement(body.software_statement, ctx);
  checkCertificate(ctx.certificate, st, ctx);

  check('OBF-NO-JWKS', body.jwks === undefined ? undefined : 'jwks (a key set by value) must not be sent: declare the keys by reference, jwks_uri');
  check('OBF-JWKS-URI', body.jwks_uri === undefined || body.jwks_uri === st.jwksUri ? undefined
    : `jwks_uri ${preview(body.jwks_uri)} is not the software_statement's software_jwks_uri ${preview(st.jwksUri)}`);
  const redirects = body.redirect_uris;
  check('OBF-REDIRECT-SUBSET', !Array.isArray(redirects) || redirects.length === 0 ? 'redirect_uris is required (a subset of the software_statement\'s software_redirect_uris)'
    : redirects.find((u) => !st.redirectUris.includes(u as string)) !== undefined ? `redirect_uri ${preview(redirects.find((u) => !st.redirectUris.includes(u as string)))} is not one of the software_statement's software_redirect_uris` : undefined);
  const allowed = allowedScopes(st.roles);
  const requested = list(body.scope);
  const beyond = (requested ?? []).filter((s) => !allowed.includes(s));
  check('OBF-SCOPE-ROLES', body.scope !== undefined && !isString(body.scope) ? `scope must be a space-separated string (got ${preview(body.scope)})`
    : beyond.length ? `scope ${beyond.join(' ')} is not allowed by the active roles ${st.roles.join(', ') || '(none)'} of software_statement_roles` : undefined);

  const method = body.token_endpoint_auth_method ?? ctx.profile.registration.defaultAuthMethod;
  if (method === 'tls_client_auth') {
    const others = OTHER_TLS_PARAMETERS.filter((k) => body[k] !== undefined);
    const dn = body.tls_client_auth_subject_dn;
    check('OBF-TLS-DN-CLAIM', others.length ? `${others.join(', ')} is not accepted: register tls_client_auth with tls_client_auth_subject_dn only`
      : !isString(dn) || dn === '' ? 'tls_client_auth needs tls_client_auth_subject_dn' : undefined);
    if (isString(dn) && dn !== '') {
      const problem = obfDnProblem(dn);
      check('OBF-TLS-DN-FORMAT', problem === undefined ? undefined : `tls_client_auth_subject_dn ${preview(dn)} is not in the required RFC 4514 form: ${problem}`);
      if (problem === undefined && ctx.certificate) {
        check('OBF-TLS-DN-MATCH', distinguishedNameMatch(parseObfDn(dn), obfCertificateDn(ctx.certificate)) ? undefined
          : `tls_client_auth_subject_dn ${preview(dn)} does not match the client certificate's subject by distinguishedNameMatch`);
      }
    }
  }

  // Item 10 ("choosing values in the SSA with precedence") and the server defaults ("populate defaults from values within the software_statement").
  const request: Json = { ...body };
  for (const [claim, field] of SSA_PRECEDENCE) if (isString(st.ssa.payload[claim])) request[field] = st.ssa.payload[claim];
  request.jwks_uri ??= st.jwksUri;
  request.scope ??= allowed.join(' ');
  if (request.jwks !== undefined) delete request.jwks_uri; // only where OBF-NO-JWKS is switched off: RFC 7591 keeps one of them
  // The OBF rules above judged the DN (distinguishedNameMatch) and the statement's claims.
  return verifyClientMetadata(request, { ...ctx, skip: new Set<RuleId>([...ctx.skip, 'SSA-CLAIMS', 'REQ-TLS-DN-MATCH']) });
}
