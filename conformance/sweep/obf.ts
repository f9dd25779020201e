import { randomUUID } from 'node:crypto';
import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { Credentials } from '../../fixtures/https';
import { expectRefusal, refusalVerdict } from '../rules/refusal';
import { evidenceOf, fail, pass, type Verdict } from '../rules/define';
import { RFC7591 } from '../rules/quotes';
import { OBF } from '../rules/obf-quotes';
import { obfSubjectDn } from '../../common/obf-dn';
import { activeRoles, allowedScopes, OBF_SCOPES } from '../../common/obf-roles';
import { registered, withOverrides, type SweepRow, type SweepTable } from './table';

/**
 * The Open Finance Brasil dialect (DCR 1.0 ID3): JSON client metadata carrying the Directory of
 * Participants' software_statement, POSTed over mutual TLS, keys by reference (jwks_uri =
 * software_jwks_uri). Each registration gets a statement minted for it when the directory can mint
 * (the bank refuses one older than five minutes); each row changes one element of the accepted
 * request: the statement's age or signature, the keys, a redirect URI, the scope, the client
 * certificate, the subject DN's rendering.
 */
export const OBF_DIALECT = ['obf'] as const;

export type ObfMethod = 'private_key_jwt' | 'tls_client_auth';

/** A registration request: its metadata and the client certificate it is sent with (undefined: the transport certificate; null: none). */
export interface ObfRequest {
  metadata: Record<string, unknown>;
  client?: Credentials | null;
}

/** The claims of a statement the pack obtained for itself (not verified here: the bank verifies it). */
export function statementClaims(ssa: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(ssa.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? v.split(' ').filter(Boolean) : []);

/** A statement issued now (the directory mints one per request), else the target's given one. */
export async function freshStatement(s: Session, overrides: Record<string, unknown> = {}): Promise<string> {
  return s.directory.mint ? s.directory.mint(overrides) : s.ssa;
}

/** The transport certificate's subject in the OBF rendering (reverse order, #hex for the OID attributes). */
export const obfDn = (s: Session): string => (s.target.transport ? obfSubjectDn(s.target.transport.cert) : s.target.subjectDn);

/** The control's metadata: authorization code (with id_token), client credentials, keys by reference, the SSA's first redirect URI; scope omitted (the server grants the roles' full set). */
export function obfMetadata(s: Session, ssa: string, method: ObfMethod): Record<string, unknown> {
  const c = statementClaims(ssa);
  return {
    redirect_uris: [list(c.software_redirect_uris)[0] ?? s.target.redirectUris[0]!],
    grant_types: ['authorization_code', 'implicit', 'client_credentials'],
    response_types: s.target.capabilities.responseTypes ?? ['code id_token'],
    token_endpoint_auth_method: method,
    ...(method === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: 'PS256' } : { tls_client_auth_subject_dn: obfDn(s) }),
    jwks_uri: c.software_jwks_uri,
    software_statement: ssa,
  };
}

export async function obfRequest(s: Session, method: ObfMethod): Promise<ObfRequest> {
  return { metadata: obfMetadata(s, await freshStatement(s), method) };
}

/** POSTs the metadata as application/json with the request's client certificate. */
export function sendObf(s: Session, name: string, req: ObfRequest): Promise<Recorded> {
  return s.post(name, JSON.stringify(req.metadata), { contentType: 'application/json', ...(req.client !== undefined ? { client: req.client } : {}), sent: { metadata: req.metadata } });
}

/** The target declares the method (authMethods). */
export const declares = (method: ObfMethod) => (s: Session) => (s.target.capabilities.authMethods.includes(method) ? undefined : `the target does not declare ${method} in authMethods`);
const canMint = (s: Session) => (s.directory.mint ? undefined : 'the SSA is given, not minted: the pack cannot obtain one issued at another time');

type Row = SweepRow<ObfRequest>;
type Meta = Omit<Row, 'mutate' | 'element' | 'change' | 'rules'> & { rules?: Row['rules'] };
/** A row changing the metadata (undefined deletes a member). */
const member = (element: string, change: string, overrides: (s: Session, req: ObfRequest) => Record<string, unknown> | Promise<Record<string, unknown>>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  rules: meta.rules ?? [],
  mutate: async (req, s) => ({ ...req, metadata: withOverrides(req.metadata, await overrides(s, req)) }),
});

const now = () => Math.floor(Date.now() / 1000);
const SSA_ERRORS = ['invalid_software_statement', 'unapproved_software_statement'];
const TLS_ERRORS = ['invalid_client', 'invalid_client_metadata', 'invalid_request', 'access_denied'];
const TLS_STATUSES = [0, 400, 401, 403];

/** A scope the statement's active roles do not allow, when there is one. */
export function scopeBeyond(ssa: string): string | undefined {
  const allowed = allowedScopes(activeRoles(statementClaims(ssa).software_statement_roles));
  return OBF_SCOPES.find((x) => !allowed.includes(x));
}

/** The one-change rows of the accepted private_key_jwt registration (obf-register). */
const registrationRows: Row[] = [
  member('claim.software_statement.iat', '6 minutes ago', (s) => freshStatement(s, { iat: now() - 360 }).then((ssa) => ({ software_statement: ssa })), {
    id: 'OBF-SSA-IAT-STALE', rules: ['OBF-SSA-IAT-AGE'], title: 'A registration whose software_statement was issued 6 minutes before is refused with invalid_software_statement', spec: ['OBF-DCR-7.1'], tags: ['ssa', 'near-miss'],
    errors: SSA_ERRORS, quotes: [OBF.iat], skipIf: canMint,
  }),
  member('claim.software_statement.iat', '4 minutes ago', (s) => freshStatement(s, { iat: now() - 240 }).then((ssa) => ({ software_statement: ssa })), {
    id: 'OBF-SSA-IAT-RECENT', expect: 'accept', title: 'A registration whose software_statement was issued 4 minutes before is accepted (within the 5 minutes)', spec: ['OBF-DCR-7.1'], tags: ['ssa', 'near-miss'],
    quotes: [OBF.iat], skipIf: canMint,
  }),
  member('body.software_statement', 'absent', () => ({ software_statement: undefined }), {
    id: 'OBF-SSA-ABSENT', title: 'A registration without a software_statement is refused', spec: ['OBF-DCR-7.1'], tags: ['ssa'],
    errors: [...SSA_ERRORS, 'invalid_client_metadata'], quotes: [OBF.ps256],
  }),
  member('header.software_statement.signature', 'signed by the software key, not the directory', async (s, req) => {
    const claims = statementClaims(String(req.metadata.software_statement));
    return { software_statement: await s.sign(claims, { header: { typ: 'JWT' } }) };
  }, {
    id: 'OBF-SSA-NOT-DIRECTORY', rules: ['SSA-SIGNATURE'], title: 'A registration whose software_statement carries the same claims signed PS256 by another key than the directory\'s is refused with invalid_software_statement', spec: ['OBF-DCR-7.1', 'OBF-DCR-8'], tags: ['ssa', 'signature', 'near-miss'],
    errors: SSA_ERRORS, quotes: [OBF.ps256, OBF.ssaSignature],
  }),
  member('body.jwks', 'the software key by value instead of jwks_uri', (s) => ({ jwks_uri: undefined, jwks: { keys: [{ ...s.key.publicJwk, kid: s.key.kid, alg: s.key.alg, use: 'sig' }] } }), {
    id: 'OBF-JWKS-BY-VALUE', rules: ['OBF-NO-JWKS'], title: 'A registration declaring its keys by value (jwks) instead of jwks_uri is refused with invalid_client_metadata', spec: ['OBF-DCR-7.1'], tags: ['keys'],
    quotes: [OBF.noJwks],
  }),
  member('body.jwks_uri', 'another URL than software_jwks_uri', (_s, req) => ({ jwks_uri: `${String(req.metadata.jwks_uri)}.other` }), {
    id: 'OBF-JWKS-URI-OTHER', rules: ['OBF-JWKS-URI'], title: 'A registration whose jwks_uri is not the software_statement\'s software_jwks_uri is refused with invalid_client_metadata', spec: ['OBF-DCR-7.1'], tags: ['keys', 'near-miss'],
    quotes: [OBF.jwksUri],
  }),
  member('body.jwks_uri', 'absent', () => ({ jwks_uri: undefined }), {
    id: 'OBF-JWKS-URI-OMITTED', expect: 'accept', title: 'A registration without jwks_uri (keys taken from the software_statement) is accepted: jwks_uri is checked "when informed"', spec: ['OBF-DCR-7.1'], tags: ['keys', 'tolerance'],
    quotes: [OBF.jwksUri, OBF.defaultsFromSsa],
  }),
  member('body.redirect_uris', 'one added outside software_redirect_uris', (_s, req) => ({ redirect_uris: [...list(req.metadata.redirect_uris), `https://${randomUUID()}.example.com/cb`] }), {
    id: 'OBF-REDIRECT-OUTSIDE-SSA', rules: ['OBF-REDIRECT-SUBSET'], title: 'A registration with a redirect_uri that is not one of the software_statement\'s software_redirect_uris is refused with invalid_redirect_uri', spec: ['OBF-DCR-7.1', 'RFC7591-3.2.2'], tags: ['redirect', 'near-miss'],
    errors: ['invalid_redirect_uri', 'invalid_client_metadata'], quotes: [OBF.redirect, RFC7591.invalidRedirect],
  }),
  member('body.redirect_uris', 'absent', () => ({ redirect_uris: undefined }), {
    id: 'OBF-REDIRECT-ABSENT', rules: ['OBF-REDIRECT-SUBSET', 'RFC-REDIRECT-REQUIRED'], title: 'A registration without redirect_uris is refused: the bank "shall require" them', spec: ['OBF-DCR-7.1', 'RFC7591-3.2.2'], tags: ['redirect'],
    errors: ['invalid_redirect_uri', 'invalid_client_metadata'], quotes: [OBF.redirect],
  }),
  {
    ...member('body.scope', 'openid and a scope the roles do not allow', (_s, req) => ({ scope: `openid ${scopeBeyond(String(req.metadata.software_statement))}` }), {
      id: 'OBF-SCOPE-BEYOND-ROLES', rules: ['OBF-SCOPE-ROLES'], title: 'A registration asking for a scope that no active role of software_statement_roles allows is refused, or registered without it', spec: ['OBF-DCR-7.1', 'OBF-DCR-7.2'], tags: ['scope', 'roles', 'near-miss'],
      quotes: [OBF.scopes, OBF.roleTable],
      skipIf: (s) => (scopeBeyond(s.ssa) === undefined ? 'the software statement\'s roles allow every scope: none is beyond them' : undefined),
    }),
    check: (r: Recorded): Verdict => {
      if (r.status < 200 || r.status >= 300) return expectRefusal(r, ['invalid_client_metadata', 'invalid_scope']);
      const extra = list(JSON.parse(r.request.body ?? '{}').scope).filter((x) => x !== 'openid');
      const got = list(body(r).scope);
      return extra.some((x) => got.includes(x))
        ? fail(`registered with the scope ${extra.join(' ')}, which the statement's roles do not allow`, evidenceOf(r, { expected: 'a refusal, or a scope without it', actual: body(r).scope }))
        : pass(evidenceOf(r, { actual: body(r).scope }), 'registered with the scope narrowed to what the roles allow');
    },
  },
  {
    id: 'OBF-NO-CLIENT-CERT', element: 'tls.certificate', change: 'none', rules: ['TLS-CERT-REQUIRED'],
    title: 'A registration without a client certificate is refused (at the TLS layer, or with a 4xx)', spec: ['OBF-DCR-7.1', 'RFC8705-2'], tags: ['transport'],
    quotes: [OBF.mtls], mutate: (req) => ({ ...req, client: null }),
    check: (r) => expectRefusal(r, TLS_ERRORS, TLS_STATUSES),
  },
  {
    id: 'OBF-CERT-UID-OTHER', element: 'tls.certificate', change: 'a trusted certificate of the same organisation whose UID is another software_id', rules: ['OBF-CERT-UID'],
    title: 'A registration over a trusted certificate whose UID is not the software_statement\'s software_id is refused', spec: ['OBF-DCR-7.1'], tags: ['transport', 'near-miss'],
    quotes: [OBF.uid], severity: 'SHOULD',
    skipIf: (s) => (s.target.altTransport ? undefined : 'the target gives no altTransportCert / altTransportKey (a trusted certificate with another UID)'),
    mutate: (req, s) => ({ ...req, client: s.target.altTransport! }),
    check: (r) => expectRefusal(r, TLS_ERRORS, [400, 401, 403]),
  },
];

/** A one-change table of the registration with this auth method (its control the plan's registration step of that method). */
function registrationTable(method: ObfMethod, control: string, rows: readonly Row[]): SweepTable<ObfRequest> {
  return {
    exchange: `POST registration_endpoint (OBF, ${method})`,
    kind: 'registration',
    control,
    dialects: OBF_DIALECT,
    tags: ['obf', 'registration', ...(method === 'tls_client_auth' ? [method] : [])],
    concurrent: true,
    skipIf: declares(method),
    build: (s) => obfRequest(s, method),
    send: sendObf,
    refused: (r, row) => refusalVerdict(r, row.errors ?? ['invalid_client_metadata'], row.statuses),
    accepted: registered,
    rows,
  };
}

/** POST {registration_endpoint} (private_key_jwt): each element of the accepted request, changed one at a time. */
export const obfRegistrationSweep = registrationTable('private_key_jwt', 'obf-register', registrationRows);

/** The subject DN with its descriptors and hex in lower case and the text of its values in upper case: the same DN to distinguishedNameMatch. */
export function caseFolded(dn: string): string {
  return dn.replace(/(^|,|\+)([A-Za-z]+)=((?:\\.|[^,+])*)/g, (_m, sep: string, t: string, v: string) => `${sep}${t.toLowerCase()}=${v.toUpperCase()}`).replace(/=#([0-9A-Fa-f]+)/g, (_m, h: string) => `=#${h.toLowerCase()}`);
}

/** The RDNs in the order of the certificate (X.500 order), not reversed as RFC 4514 writes them. */
export const certificateOrder = (dn: string): string => dn.split(/(?<!\\),/).reverse().join(',');

/** organizationIdentifier written with a descriptor and its text, as OpenSSL prints it, instead of 2.5.4.97=#hex. */
export function namedOrganizationIdentifier(dn: string): string | undefined {
  const m = /2\.5\.4\.97=#([0-9A-Fa-f]+)/.exec(dn);
  if (!m) return undefined;
  const tlv = Buffer.from(m[1]!, 'hex');
  const text = tlv.subarray(2, 2 + tlv[1]!).toString('utf8');
  return dn.replace(m[0], `organizationIdentifier=${text}`);
}

/** The DN with another UID (a software_id not the certificate's). */
export const otherUid = (dn: string): string => dn.replace(/(^|,)UID=[^,]+/i, `$1UID=${randomUUID()}`);

const dnRow = (id: string, change: string, dn: (s: Session, req: ObfRequest) => string | undefined, meta: Omit<Meta, 'id'>): Row =>
  member('body.tls_client_auth_subject_dn', change, (s, req) => ({ tls_client_auth_subject_dn: dn(s, req) ?? String(req.metadata.tls_client_auth_subject_dn) }), { id, ...meta });

/** The one-change rows of the accepted tls_client_auth registration (obf-register-tls). */
const tlsRows: Row[] = [
  dnRow('OBF-DN-CASE-FOLDED', 'descriptors and hex in lower case, values in upper case', (_s, req) => caseFolded(String(req.metadata.tls_client_auth_subject_dn)), {
    expect: 'accept', title: 'A tls_client_auth_subject_dn differing from the certificate\'s only in the case of descriptors, hex digits and values is accepted (distinguishedNameMatch, caseIgnoreMatch)', spec: ['OBF-DCR-7.1', 'RFC4517-4.2.15'], tags: ['dn', 'tolerance', 'near-miss'],
    quotes: [OBF.dnMatch, OBF.caseIgnore],
  }),
  dnRow('OBF-DN-NAMED-ORG-IDENTIFIER', 'organizationIdentifier=OFBBR-... instead of 2.5.4.97=#hex', (_s, req) => namedOrganizationIdentifier(String(req.metadata.tls_client_auth_subject_dn)), {
    rules: ['OBF-TLS-DN-FORMAT'],
    title: 'A tls_client_auth_subject_dn naming organizationIdentifier by a descriptor RFC 4514 does not define (instead of 2.5.4.97=#hex) is refused', spec: ['OBF-DCR-7.1.2', 'RFC4514-3'], tags: ['dn', 'near-miss'],
    quotes: [OBF.dnFormat, OBF.dnReject],
  }),
  dnRow('OBF-DN-CERTIFICATE-ORDER', 'the RDNs in the certificate\'s order, not reversed', (_s, req) => certificateOrder(String(req.metadata.tls_client_auth_subject_dn)), {
    rules: ['OBF-TLS-DN-MATCH'],
    title: 'A tls_client_auth_subject_dn with the RDNs in the certificate\'s order (not reversed) is refused: distinguishedNameMatch compares by position', spec: ['OBF-DCR-7.1.2', 'RFC4517-4.2.15'], tags: ['dn', 'near-miss'],
    quotes: [OBF.dnMatch, OBF.reverse],
  }),
  dnRow('OBF-DN-OTHER-UID', 'another UID', (_s, req) => otherUid(String(req.metadata.tls_client_auth_subject_dn)), {
    rules: ['OBF-TLS-DN-MATCH'],
    title: 'A tls_client_auth_subject_dn with another UID than the certificate\'s is refused', spec: ['OBF-DCR-7.1', 'RFC8705-2'], tags: ['dn', 'near-miss'],
    quotes: [OBF.dnMatch],
  }),
  member('body.tls_client_auth_san_dns', 'added beside the subject DN', () => ({ tls_client_auth_san_dns: 'tpp.example.com.br' }), {
    id: 'OBF-TLS-SAN-DNS', rules: ['OBF-TLS-DN-CLAIM'], title: 'A tls_client_auth registration carrying tls_client_auth_san_dns beside tls_client_auth_subject_dn is refused', spec: ['OBF-DCR-7.1', 'RFC8705-2'], tags: ['dn'],
    quotes: [OBF.tlsSubjectOnly],
  }),
];

/** POST {registration_endpoint} (tls_client_auth): the subject DN changed one way at a time. */
export const obfTlsSweep = registrationTable('tls_client_auth', 'obf-register-tls', tlsRows);
