import { randomUUID } from 'node:crypto';
import { body, header, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import { foreignKey, type SigningKey } from '../../fixtures/keys';
import { decodePayload, signJws } from '../../fixtures/registration';
import { cdrRegistrationClaims } from '../../fixtures/cdr';
import { evidenceOf, fail, pass, type Verdict } from '../rules/define';
import { REGISTRATION_ERRORS } from '../rules/refusal';
import { q, type Quote } from '../rules/quotes';
import { acceptedWith, withOverrides, type SweepRow, type SweepTable } from './table';

/**
 * The Australia CDR dialect (Consumer Data Standards, DCR APIs and security profile): a signed
 * registration JWT (application/jwt, over mTLS) whose iss is the software product id, aud the data
 * holder's issuer, carrying the SSA the CDR Register issued; errors as {error, error_description}
 * with the ERR-DCR / ERR-GEN code first in the description, the first failing step of the
 * validation answering; one client per software_id; management with a certificate-bound
 * client_credentials token of scope cdr:registration. Each row changes one element of an accepted
 * request and names the code the step it breaks must answer.
 */
export const CDR_DIALECT = ['cdr'] as const;
export const CDR_SCOPE = 'cdr:registration';

/** The sentences the checks rest on: the Consumer Data Standards' DCR API (its tables quoted as "<field> ... <cell>"), RFC 7519, 7591, 6750 and 8705. */
export const CDR = {
  register: q('CDS-DCR-REGISTER', 'Register a client using a CDR Register issued Software Statement Assertion.'),
  created: q('CDS-DCR-REGISTER', '201 Created ... Client registration success'),
  badRequest: q('CDS-DCR-REGISTER', '400 Bad Request ... Request failed due to client error'),
  softwareStatement: q('CDS-SEC-REGISTRATION', 'software_statement ... mandatory ... The Software Statement Assertion, as defined in CDR standards'),
  softwareId: q('CDS-SEC-REGISTRATION', 'software_id ... mandatory ... String representing a unique identifier assigned by the Register and used by registration endpoints to identify the software product to be dynamically registered.'),
  issClaim: q('CDS-SEC-REGISTRATION', 'iss ... mandatory ... Contains the identifier for the ADR Software Product (SoftwareProductId) as defined in the CDR Register'),
  audClaim: q('CDS-SEC-REGISTRATION', 'aud ... mandatory ... Contains the Data Holder issuer value as described in the OIDC Discovery Document'),
  jtiClaim: q('CDS-SEC-REGISTRATION', 'jti ... mandatory ... Unique identifier for the JWT, used to prevent replay of the token'),
  expClaim: q('RFC7519-4.1', 'The "exp" (expiration time) claim identifies the expiration time on or after which the JWT MUST NOT be accepted for processing.'),
  issuer: q('RFC7519-4.1', 'The "iss" (issuer) claim identifies the principal that issued the JWT.'),
  redirectUris: q('CDS-SEC-REGISTRATION', 'redirect_uris ... mandatory ... Array of redirection URI strings for use in redirect-based flows. If used, redirect_uris MUST match or be a subset of the redirect_uris as defined in the SSA'),
  authMethod: q('CDS-SEC-REGISTRATION', 'token_endpoint_auth_method ... mandatory ... The requested authentication method for the token endpoint ... Enumerated Values ... token_endpoint_auth_method private_key_jwt'),
  applicationType: q('CDS-SEC-REGISTRATION', 'application_type ... optional ... Kind of the application. The only supported application type will be web'),
  grantTypes: q('CDS-SEC-REGISTRATION', 'grant_types ... mandatory ... Array of OAuth 2.0 grant type strings that the client can use at the token endpoint'),
  responseCode: q('CDS-SEC-REGISTRATION', 'response_types ... mandatory ... Response type value code is required for Authorization Code Flow.'),
  sector: q('CDS-SEC-REGISTRATION', 'sector_identifier_uri ... optional ... URL string referencing the client sector identifier URI, used as an optional input to the Pairwise Identifier'),
  invalidSsa: q('RFC7591-3.2.2', 'invalid_software_statement The software statement presented is invalid.'),
  ssaSource: q('CDR-REGISTER-SSA', 'Get a Software Statement Assertion (SSA) for a software product on the CDR Register to be used for Dynamic Client Registration with a Data Holder Brand.'),
  manage: q('CDS-DCR-MANAGE', 'Get a Client Registration for a given Client ID.'),
  read: q('CDS-DCR-MANAGE', '200 OK ... Client registration retrieval success'),
  update: q('CDS-DCR-MANAGE', 'Update a Client Registration for a given Client ID.'),
  updated: q('CDS-DCR-MANAGE', '200 OK ... Client registration update success'),
  remove: q('CDS-DCR-MANAGE', 'Delete a Client Registration for a given Client ID.'),
  deleted: q('CDS-DCR-MANAGE', '204 No Content ... Client deleted'),
  scope: q('CDS-DCR-MANAGE', 'To perform this operation, you must be authenticated and authorised with the following scopes: cdr:registration'),
  unknown: q('CDS-DCR-MANAGE', '401 Unauthorized ... Request failed due to unknown or invalid Client or invalid access token'),
  invalidRequest: q('RFC6750-3.1', 'invalid_request The request is missing a required parameter, includes an unsupported parameter or parameter value, repeats the same parameter, uses more than one method for including an access token, or is otherwise malformed.'),
  boundToken: q('RFC8705-3', 'The protected resource MUST obtain, from its TLS implementation layer, the client certificate used for mutual TLS and MUST verify that the certificate matches the certificate associated with the access token. If they do not match, the resource access attempt MUST be rejected ...'),
} as const satisfies Record<string, Quote>;

/** A CDR registration request: its claims and the keys that sign it, or a body sent as is. */
export interface CdrRequest {
  claims: Record<string, unknown>;
  key?: SigningKey;
  header?: Record<string, unknown>;
  /** Sent as is instead of a signed JWT (an empty body). */
  raw?: string;
}

const SSA_REDIRECTS = (s: Session): string[] => {
  try {
    const v = decodePayload(s.ssa).redirect_uris;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

/** The control's claims (CDS DCR APIs, ClientRegistration): with the SSA given, else the session's; the first redirect URI the SSA lists. */
export function cdrClaims(s: Session, ssa: string = s.ssa): Record<string, unknown> {
  const listed = SSA_REDIRECTS(s);
  return cdrRegistrationClaims({ softwareId: s.target.softwareId, aud: s.aud, softwareStatement: ssa, redirectUris: (listed.length ? listed : s.target.redirectUris).slice(0, 1), alg: s.key.alg });
}

export async function signCdr(s: Session, req: CdrRequest): Promise<string> {
  if (req.raw !== undefined) return req.raw;
  return s.sign(req.claims, { ...(req.key ? { key: req.key } : {}), ...(req.header ? { header: req.header } : {}) });
}

/** POSTs the request as application/jwt over mTLS. */
export async function sendCdr(s: Session, name: string, req: CdrRequest): Promise<Recorded> {
  return s.post(name, await signCdr(s, req), { contentType: 'application/jwt', sent: { claims: req.claims } });
}

/** The ERR code a CDR error_description starts with (ERR-DCR-003, ERR-GEN-022 ...). */
export const errCodeOf = (r: Recorded): string | undefined => {
  const d = body(r).error_description;
  return typeof d === 'string' ? /^(ERR-[A-Z]+-\d{3})\b/.exec(d)?.[1] : undefined;
};

/**
 * A CDR refusal: 400, application/json, an RFC 7591 error code among those named and, when the
 * step names one, error_description starting with its ERR code. Without a code (the collected claim
 * checks), any ERR code but the duplicate's: a refusal for the existing client is not one for the claim.
 */
export function cdrRefusal(r: Recorded, errors: readonly string[], code?: string | readonly string[]): Verdict {
  const b = body(r);
  const codes = code === undefined ? undefined : typeof code === 'string' ? [code] : code;
  const expected = { status: 400, error: errors.join(' or '), ...(codes ? { error_description: `${codes.join(' or ')}: ...` } : {}) };
  const actual = { status: r.status, error: b.error, error_description: b.error_description };
  if (r.status >= 200 && r.status < 300) return fail(`accepted (${r.status}): the step this request breaks let it through`, evidenceOf(r, { expected, actual }));
  if (r.status !== 400) return fail(`expected 400, got ${summarize(r)}`, evidenceOf(r, { expected, actual }));
  if (!/^application\/json/.test(header(r, 'content-type') ?? '')) return fail('the error body is not application/json', evidenceOf(r, { expected, actual }));
  if (typeof b.error !== 'string' || !errors.includes(b.error)) return fail(`expected error ${expected.error}, got ${JSON.stringify(b.error)}`, evidenceOf(r, { expected, actual }));
  const got = errCodeOf(r);
  if (codes && (!got || !codes.includes(got))) {
    return fail(`expected error_description to start with ${codes.join(' or ')}, got ${got ?? JSON.stringify(b.error_description)}: ${got ? 'another validation step answered first' : 'no CDR error code'}`, evidenceOf(r, { expected, actual }));
  }
  if (!codes && got === 'ERR-DCR-001') return fail('refused as a duplicate registration (ERR-DCR-001), not for the claim: the claim check did not run first', evidenceOf(r, { expected, actual }));
  return pass(evidenceOf(r, { expected, actual }));
}

type Row = SweepRow<CdrRequest>;
type Meta = Omit<Row, 'mutate' | 'element' | 'change' | 'rules' | 'check'> & { errors?: readonly string[]; code?: string | readonly string[] };

const refusalOf = (meta: Meta) => (r: Recorded) => cdrRefusal(r, meta.errors ?? ['invalid_client_metadata'], meta.code);

/** A row overriding claims (undefined deletes the claim). */
const claim = (element: string, change: string, overrides: (s: Session, req: CdrRequest) => Record<string, unknown> | Promise<Record<string, unknown>>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  rules: [],
  mutate: async (req, s) => ({ ...req, claims: withOverrides(req.claims, await overrides(s, req)) }),
  check: refusalOf(meta),
});

/** The base SSA's signature with one byte changed: signed by nobody. */
const tampered = (ssa: string) => {
  const [h, p, sig = ''] = ssa.split('.');
  const bytes = Buffer.from(sig, 'base64url');
  const i = Math.floor(bytes.length / 2);
  if (bytes.length) bytes[i] = bytes[i]! ^ 0x01;
  return `${h}.${p}.${bytes.toString('base64url')}`;
};
const ssaHeader = (ssa: string): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(ssa.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};
const noMint = (s: Session) => (s.directory.mint ? undefined : `directory ${s.directory.mode} cannot issue a changed SSA (give the Register key: directoryKey)`);
const mint = (s: Session, overrides: Record<string, unknown>) => s.directory.mint!(overrides);
const SSA_ERRORS = ['invalid_software_statement'];
/** Nothing listens on the discard port of the loopback address: a fetch fails at once. */
export const UNREACHABLE_SECTOR = 'https://127.0.0.1:9/sector_identifier.json';
const DCR_004 = 'ERR-DCR-004';

/** The rows of the accepted registration (cdr-register); the client it created exists meanwhile, so a step that does not run answers ERR-DCR-001. */
const registrationRows: Row[] = [
  {
    id: 'CDR-EMPTY-BODY', element: 'body', change: 'empty', rules: [], spec: ['CDS-DCR-REGISTER'], tags: ['empty'],
    title: 'An empty registration request is refused with invalid_client_metadata and ERR-DCR-002', quotes: [CDR.register, CDR.badRequest],
    mutate: (req) => ({ ...req, raw: '' }),
    check: (r) => cdrRefusal(r, ['invalid_client_metadata'], 'ERR-DCR-002'),
  },
  claim('claim.software_statement', 'absent', () => ({ software_statement: undefined }), {
    id: 'CDR-SSA-ABSENT', title: 'A registration without a software_statement is refused with invalid_software_statement and ERR-DCR-006', spec: ['CDS-SEC-REGISTRATION', 'CDS-DCR-REGISTER'], tags: ['ssa'],
    quotes: [CDR.softwareStatement], errors: SSA_ERRORS, code: 'ERR-DCR-006',
  }),
  claim('ssa.signature', 'one byte changed', (s) => ({ software_statement: tampered(s.ssa) }), {
    id: 'CDR-SSA-SIGNATURE', title: 'An SSA whose signature is altered is refused with invalid_software_statement and ERR-DCR-005', spec: ['RFC7591-3.2.2', 'CDR-REGISTER-SSA'], tags: ['ssa', 'signature'],
    quotes: [CDR.invalidSsa, q('CDR-REGISTER-SSA', CDR.ssaSource.text, 'an SSA is the Register\'s only when a key of its JWKS verifies it')], errors: SSA_ERRORS, code: 'ERR-DCR-005',
  }),
  claim('ssa.signer', 'another key under the Register kid', async (s) => {
    const other = await foreignKey('PS256');
    return { software_statement: await signJws({ ...decodePayload(s.ssa), jti: randomUUID() }, other, { kid: ssaHeader(s.ssa).kid }) };
  }, {
    id: 'CDR-SSA-OTHER-SIGNER', title: 'An SSA signed by a key the CDR Register JWKS does not hold (the Register kid in its header) is refused with ERR-DCR-005', spec: ['RFC7591-3.2.2', 'CDR-REGISTER-SSA'], tags: ['ssa', 'signature', 'near-miss'],
    quotes: [q('RFC7591-3.2.2', CDR.invalidSsa.text, 'the kid names a Register key; the signature is not its'), CDR.ssaSource], errors: SSA_ERRORS, code: 'ERR-DCR-005',
  }),
  {
    ...claim('ssa.exp', 'passed (iat 11 minutes ago, exp 1 minute ago)', async (s) => {
      const now = Math.floor(Date.now() / 1000);
      return { software_statement: await mint(s, { iat: now - 660, exp: now - 60 }) };
    }, {
      id: 'CDR-SSA-EXPIRED', title: 'An SSA older than its exp (10 minutes) is refused with ERR-DCR-005', spec: ['RFC7519-4.1', 'RFC7591-3.2.2', 'CDR-REGISTER-SSA'], tags: ['ssa', 'lifetime'],
      quotes: [q('RFC7519-4.1', CDR.expClaim.text, "the SSA's exp has passed"), CDR.invalidSsa], errors: SSA_ERRORS, code: 'ERR-DCR-005',
    }),
    skipIf: noMint,
  },
  {
    ...claim('ssa.iss', 'not cdr-register (the Register key)', async (s) => ({ software_statement: await mint(s, { iss: 'cdr-registerx' }) }), {
      id: 'CDR-SSA-ISS', title: 'An SSA signed with the Register key whose iss is not cdr-register is refused with ERR-DCR-005', spec: ['RFC7591-3.2.2', 'RFC7519-4.1'], tags: ['ssa', 'near-miss'],
      quotes: [q('RFC7591-3.2.2', CDR.invalidSsa.text, 'an SSA whose iss is not cdr-register is not one the CDR Register issued'), CDR.issuer], errors: SSA_ERRORS, code: 'ERR-DCR-005',
    }),
    skipIf: noMint,
  },
  {
    ...claim('header.signer', 'another key under the software kid', async () => ({}), {
      id: 'CDR-REQUEST-SIGNATURE', title: "A registration JWT signed by a key the SSA's jwks_uri does not hold (the software kid in its header) is refused with ERR-DCR-004", spec: ['CDS-SEC-REGISTRATION', 'CDS-DCR-REGISTER'], tags: ['signature', 'near-miss'],
      quotes: [q('CDS-SEC-REGISTRATION', CDR.issClaim.text, "the JWT is the software product's only when a key of its jwks_uri verifies it")], code: DCR_004,
    }),
    mutate: async (req, s) => ({ ...req, key: await foreignKey(s.key.alg === 'ES256' ? 'ES256' : 'PS256'), header: { kid: s.key.kid } }),
  },
  claim('claim.aud', 'the registration endpoint, not the issuer', (s) => ({ aud: s.registrationEndpoint }), {
    id: 'CDR-AUD-NOT-ISSUER', title: "A registration JWT whose aud is the registration endpoint rather than the data holder's issuer is refused with ERR-DCR-004", spec: ['CDS-SEC-REGISTRATION'], tags: ['claims', 'near-miss'],
    quotes: [CDR.audClaim], code: DCR_004,
  }),
  claim('claim.iss', 'the software_id with a character added', (s) => ({ iss: `${s.target.softwareId}x` }), {
    id: 'CDR-ISS-NOT-SOFTWARE-ID', title: "A registration JWT whose iss is not the SSA's software_id is refused with ERR-DCR-004", spec: ['CDS-SEC-REGISTRATION'], tags: ['claims', 'near-miss'],
    quotes: [CDR.issClaim], code: DCR_004,
  }),
  claim('claim.exp', 'passed', () => {
    const now = Math.floor(Date.now() / 1000);
    return { iat: now - 360, exp: now - 60 };
  }, {
    id: 'CDR-REQUEST-EXPIRED', title: 'A registration JWT whose exp has passed is refused with ERR-DCR-004', spec: ['CDS-SEC-REGISTRATION', 'RFC7519-4.1'], tags: ['claims', 'lifetime'],
    quotes: [CDR.expClaim], code: DCR_004,
  }),
  claim('claim.jti', 'absent', () => ({ jti: undefined }), {
    id: 'CDR-JTI-MISSING', title: 'A registration JWT without jti is refused with invalid_client_metadata (the collected claim checks)', spec: ['CDS-SEC-REGISTRATION'], tags: ['claims'],
    quotes: [CDR.jtiClaim],
  }),
  claim('claim.token_endpoint_auth_method', 'client_secret_basic', () => ({ token_endpoint_auth_method: 'client_secret_basic' }), {
    id: 'CDR-AUTH-METHOD', title: 'A registration asking for a token_endpoint_auth_method other than private_key_jwt is refused with invalid_client_metadata', spec: ['CDS-SEC-REGISTRATION'], tags: ['claims', 'metadata'],
    quotes: [CDR.authMethod],
  }),
  claim('claim.application_type', 'native', () => ({ application_type: 'native' }), {
    id: 'CDR-APPLICATION-TYPE', title: 'A registration asking for application_type native is refused with invalid_client_metadata', spec: ['CDS-SEC-REGISTRATION'], tags: ['claims', 'metadata'],
    quotes: [CDR.applicationType],
  }),
  claim('claim.grant_types', 'client_credentials only (no authorization_code)', () => ({ grant_types: ['client_credentials'] }), {
    id: 'CDR-GRANT-TYPES', title: 'A registration whose grant_types lack authorization_code is refused with invalid_client_metadata', spec: ['CDS-SEC-REGISTRATION'], tags: ['claims', 'metadata'],
    quotes: [q('CDS-SEC-REGISTRATION', CDR.responseCode.text, 'code is registered, so its grant authorization_code must be among grant_types'), CDR.grantTypes],
  }),
  {
    ...claim('ssa.sector_identifier_uri', 'a URI nothing answers (127.0.0.1, port 9)', async (s) => ({ software_statement: await mint(s, { sector_identifier_uri: UNREACHABLE_SECTOR }) }), {
      id: 'CDR-SECTOR-UNREACHABLE', title: 'An SSA whose sector_identifier_uri does not answer is refused with ERR-DCR-007', spec: ['CDS-SEC-REGISTRATION'], tags: ['ssa', 'sector'],
      quotes: [q('CDS-SEC-REGISTRATION', CDR.sector.text, 'a sector identifier that cannot be fetched identifies nothing: ERR-DCR-007')], code: 'ERR-DCR-007',
    }),
    skipIf: noMint,
  },
  claim('claim.redirect_uris', 'one the SSA does not list', () => ({ redirect_uris: ['https://adr-elsewhere.example.com/callback'] }), {
    id: 'CDR-REDIRECT-NOT-IN-SSA', title: 'A registration whose redirect_uri is not in the SSA is refused with invalid_redirect_uri and ERR-DCR-003', spec: ['CDS-SEC-REGISTRATION'], tags: ['redirect'],
    quotes: [CDR.redirectUris], errors: ['invalid_redirect_uri'], code: 'ERR-DCR-003',
  }),
  claim('ssa.signature + claim.redirect_uris', 'both broken: the SSA step comes first', (s) => ({ software_statement: tampered(s.ssa), redirect_uris: ['https://adr-elsewhere.example.com/callback'] }), {
    id: 'CDR-FIRST-STEP-SSA', title: 'A request with an altered SSA and a redirect_uri outside it is answered by the SSA step (ERR-DCR-005), not the redirect one: the first failing step wins', spec: ['CDS-SEC-REGISTRATION', 'RFC7591-3.2.2'], tags: ['order'],
    quotes: [q('CDS-SEC-REGISTRATION', CDR.redirectUris.text, 'the redirect_uris of the SSA are known only once its signature is verified'), CDR.invalidSsa], errors: SSA_ERRORS, code: 'ERR-DCR-005',
  }),
  claim('claim.aud + claim.redirect_uris', 'both broken: the request JWT step comes first', (s) => ({ aud: s.registrationEndpoint, redirect_uris: ['https://adr-elsewhere.example.com/callback'] }), {
    id: 'CDR-FIRST-STEP-REQUEST', title: 'A request with a wrong aud and a redirect_uri outside the SSA is answered by the request JWT step (ERR-DCR-004): the first failing step wins', spec: ['CDS-SEC-REGISTRATION'], tags: ['order'],
    quotes: [q('CDS-SEC-REGISTRATION', CDR.audClaim.text, 'a request for another audience is not validated further')], code: DCR_004,
  }),
];

/** POST /register (CDR): each element of the accepted request, changed one at a time. */
export const cdrRegistrationSweep: SweepTable<CdrRequest> = {
  exchange: 'POST registration_endpoint (CDR)',
  kind: 'registration',
  control: 'cdr-register',
  dialects: CDR_DIALECT,
  tags: ['cdr', 'registration'],
  concurrent: true,
  build: async (s) => ({ claims: cdrClaims(s) }),
  send: (s, name, req) => sendCdr(s, name, req),
  refused: (r) => cdrRefusal(r, REGISTRATION_ERRORS),
  accepted: acceptedWith(201),
  rows: registrationRows,
};

// --- management -----------------------------------------------------------------------------

/** A request at /register/{clientId}: its method, client, bearer token (undefined: none), certificate and body. */
export interface CdrManage {
  method: 'GET' | 'PUT' | 'DELETE';
  clientId: string;
  token: string | undefined;
  /** Present the second trusted certificate instead of the transport one. */
  altCert?: boolean;
  jwt?: string;
}

export const tokenOf = (prior: ReadonlyMap<string, Recorded>, name: string) => {
  const t = body(prior.get(name)!).access_token;
  return typeof t === 'string' ? t : '';
};
export const clientOf = (prior: ReadonlyMap<string, Recorded>) => String(body(prior.get('cdr-register')!).client_id ?? prior.get('cdr-register')!.clientId ?? '');

export function sendManage(s: Session, name: string, req: CdrManage): Promise<Recorded> {
  const opts = { ...(req.token === undefined ? { noAuthorization: true } : {}), ...(req.altCert ? { client: s.target.altTransport! } : {}) };
  return s.manage(name, req.method, req.clientId, req.token ?? '', req.jwt, opts);
}

/** 401 with a Bearer challenge (a 403 for a token of the wrong scope): the request is not served. */
export function unauthorized(r: Recorded, allow403 = false): Verdict {
  if (r.status >= 200 && r.status < 300) return fail(`served (${r.status}): the token should not authorise it`, evidenceOf(r, { expected: allow403 ? '401 or 403' : 401 }));
  if (allow403 && r.status === 403) return pass(evidenceOf(r), 'refused with 403');
  if (r.status !== 401) return fail(`expected 401, got ${summarize(r)}`, evidenceOf(r, { expected: 401 }));
  return /^Bearer\b/i.test(header(r, 'www-authenticate') ?? '') ? pass(evidenceOf(r)) : fail('401 without a WWW-Authenticate: Bearer challenge', evidenceOf(r, { expected: 'WWW-Authenticate: Bearer ...', actual: header(r, 'www-authenticate') }));
}

/** CDS: an unknown client is 401 with WWW-Authenticate Bearer error="invalid_request". */
export function unknownClient(r: Recorded): Verdict {
  const v = unauthorized(r);
  if (v.outcome !== 'pass') return v;
  const challenge = header(r, 'www-authenticate') ?? '';
  return /error="invalid_request"/.test(challenge) ? pass(evidenceOf(r)) : fail('the challenge lacks error="invalid_request"', evidenceOf(r, { expected: 'Bearer error="invalid_request", error_description="The client is unknown"', actual: challenge }));
}

const noAlt = (s: Session) => (s.target.altTransport ? undefined : 'the target gives no altTransport (a second trusted certificate)');

/** What the tables at /register/{clientId} share: the exchange of the method, its control (answering 200), the request sent with the client's token. */
const managementTable = (method: 'GET' | 'PUT', control: string) => ({
  exchange: `${method} registration_endpoint/{clientId} (CDR)`,
  kind: 'management',
  control,
  dialects: CDR_DIALECT,
  tags: ['cdr', 'management', method],
  send: sendManage,
  accepted: acceptedWith(200),
}) as const satisfies Partial<SweepTable<CdrManage>>;

/** GET /register/{clientId} of the registered client with its token changed one way at a time; control cdr-get. */
export const cdrTokenSweep: SweepTable<CdrManage> = {
  ...managementTable('GET', 'cdr-get'),
  build: async (_s, prior) => ({ method: 'GET', clientId: clientOf(prior), token: tokenOf(prior, 'cdr-token') }),
  refused: (r) => unauthorized(r),
  rows: [
    {
      id: 'CDR-MGT-NO-TOKEN', element: 'header.authorization', change: 'absent', rules: [], spec: ['CDS-DCR-MANAGE'], tags: ['negative'],
      title: 'GET of a client without an access token is refused with 401 and a Bearer challenge', quotes: [CDR.scope, CDR.unknown],
      mutate: (req) => ({ ...req, token: undefined }),
    },
    {
      id: 'CDR-MGT-SCOPE', element: 'token.scope', change: 'a token without cdr:registration', rules: [], spec: ['CDS-DCR-MANAGE'], tags: ['negative', 'scope'], needs: ['cdr-token-other-scope'],
      title: 'GET of a client with its token of another scope (no cdr:registration) is refused (401, or 403)', quotes: [CDR.scope],
      mutate: (req, _s, prior) => ({ ...req, token: tokenOf(prior, 'cdr-token-other-scope') }),
      check: (r) => unauthorized(r, true),
    },
    {
      id: 'CDR-MGT-OTHER-CERT', element: 'tls.certificate', change: 'another trusted certificate', rules: [], spec: ['CDS-DCR-MANAGE', 'RFC8705-3'], tags: ['negative', 'certificate-bound'], skipIf: noAlt,
      title: 'GET with the client\'s token presented over another trusted certificate is refused with 401: the token is bound to the certificate', quotes: [CDR.scope, CDR.boundToken],
      mutate: (req) => ({ ...req, altCert: true }),
    },
    {
      id: 'CDR-MGT-UNKNOWN-CLIENT', element: 'path.clientId', change: 'a client that does not exist', rules: [], spec: ['CDS-DCR-MANAGE', 'RFC6750-3.1'], tags: ['negative', 'identifier'],
      title: 'GET of an unknown client id with a valid token is refused with 401 and WWW-Authenticate Bearer error="invalid_request"', quotes: [CDR.unknown, CDR.invalidRequest],
      mutate: (req) => ({ ...req, clientId: `${req.clientId}-unknown` }),
      check: unknownClient,
    },
  ],
};

/** PUT /register/{clientId} with a re-validated JWT: the accepted PUT with one change; control cdr-put. */
export const cdrPutSweep: SweepTable<CdrManage> = {
  ...managementTable('PUT', 'cdr-put'),
  build: async (s, prior) => ({ method: 'PUT', clientId: clientOf(prior), token: tokenOf(prior, 'cdr-token'), jwt: await s.sign(cdrClaims(s)) }),
  refused: (r) => cdrRefusal(r, REGISTRATION_ERRORS),
  rows: [
    {
      id: 'CDR-PUT-REDIRECT-NOT-IN-SSA', element: 'claim.redirect_uris', change: 'one the SSA does not list', rules: [], spec: ['CDS-DCR-MANAGE', 'CDS-SEC-REGISTRATION'], tags: ['negative', 'redirect'],
      title: 'A PUT whose JWT names a redirect_uri outside the SSA is refused with invalid_redirect_uri and ERR-DCR-003: the update is validated as a registration', quotes: [CDR.redirectUris, CDR.update],
      mutate: async (req, s) => ({ ...req, jwt: await s.sign({ ...cdrClaims(s), redirect_uris: ['https://adr-elsewhere.example.com/callback'] }) }),
      check: (r) => cdrRefusal(r, ['invalid_redirect_uri'], 'ERR-DCR-003'),
    },
    {
      id: 'CDR-PUT-AUD-NOT-ISSUER', element: 'claim.aud', change: 'the registration endpoint, not the issuer', rules: [], spec: ['CDS-DCR-MANAGE', 'CDS-SEC-REGISTRATION'], tags: ['negative', 'near-miss'],
      title: 'A PUT whose JWT aud is not the issuer is refused with ERR-DCR-004: the update is validated as a registration', quotes: [CDR.audClaim, CDR.update],
      mutate: async (req, s) => ({ ...req, jwt: await s.sign({ ...cdrClaims(s), aud: s.registrationEndpoint }) }),
      check: (r) => cdrRefusal(r, ['invalid_client_metadata'], DCR_004),
    },
  ],
};
