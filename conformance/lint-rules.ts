import type { RuleId } from '../catalogue/rules';
import type { SpecRef } from '../catalogue/references';
import { dnEquals, dnProblem } from '../common/dn';

/**
 * The offline lint's rules, written from the specifications' text (not from the mock bank's
 * validators, so that the lint can disagree with the mock): the OBIE DCR v3.3 data dictionary
 * (v3.1 where it differs), RFC 7591 section 2, RFC 7519 4.1, RFC 8725 3.1 and FAPI 1.0 Advanced
 * 8.6. Each rule is a pure check of one statically decidable sentence, which it cites; what needs
 * the bank (signatures, trusted issuers, replays, what it supports) is not here.
 */

/** OBIE DCR versions whose data dictionaries differ: iss length, the scope shape, the DN claim's name. */
export type SpecVersion = '3.1' | '3.2' | '3.3';

export const isSpecVersion = (v: string): v is SpecVersion => v === '3.1' || v === '3.2' || v === '3.3';

export interface Citation {
  readonly ref: SpecRef;
  /** The sentence, verbatim; "..." marks an elision. */
  readonly text: string;
}

/** The SSA claims the request rules compare against, as read (not verified) from it. */
export interface SsaView {
  softwareId: string | undefined;
  redirectUris: readonly string[] | undefined;
  roles: readonly string[] | undefined;
}

export interface LintContext {
  header: Readonly<Record<string, unknown>>;
  claims: Readonly<Record<string, unknown>>;
  /** The request's SSA, when it could be decoded; comparisons with it are skipped otherwise. */
  ssa: SsaView | undefined;
  /** Seconds since the epoch. */
  now: number;
  /** Leeway for exp, iat and nbf (RFC 7519 4.1: "some small leeway, usually no more than a few minutes"). */
  skewSeconds: number;
  audiences: readonly string[] | undefined;
  certificateDn: string | undefined;
  /** Undefined: any version's form is accepted. */
  version: SpecVersion | undefined;
}

export interface LintRule {
  readonly id: RuleId;
  readonly on: 'request' | 'software_statement';
  readonly cites: readonly [Citation, ...Citation[]];
  /** Undefined when the sentence holds, else what is wrong. */
  readonly check: (ctx: LintContext) => string | undefined;
}

const cite = (ref: SpecRef, text: string): Citation => ({ ref, text });

/** FAPI 1.0 Advanced 8.6: the JWS algorithms clients and authorization servers use. */
const FAPI_ALGS = ['PS256', 'ES256'];
const FAPI_JWS = cite('FAPI1-ADV-8.6', 'For JWS, both clients and authorization servers: 1. shall use PS256 or ES256 algorithms; 2. should not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256); 3. shall not use none;');
const ALG_SET = cite('RFC8725-3.1', 'Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations.');
const SSA_JWKS = cite('OBDCR-GEN', 'In order to verify the contents of the request and the SSA the ecosystem has to rely on a set of JSON Web Key Stores (JWKS) that store the public part of key used to sign the JWT.');

/** The scope each SSA software_role allows (OBIE: AISP accounts, PISP payments, CBPII funds confirmation); openid needs none. */
const ROLE_OF_SCOPE: Readonly<Record<string, string | undefined>> = { openid: undefined, accounts: 'AISP', payments: 'PISP', fundsconfirmations: 'CBPII' };

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
};
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined);
const redirectUris = (c: LintContext): string[] => strings(c.claims.redirect_uris) ?? [];
const algProblem = (alg: unknown, allowed: readonly string[]): string | undefined =>
  typeof alg === 'string' && allowed.includes(alg) ? undefined : `${show(alg)}${alg === 'none' ? ' (unsigned)' : typeof alg === 'string' && /^HS/.test(alg) ? ' (symmetric)' : ''} is not one of ${allowed.join(', ')}`;

/** The name of the DN claim this version defines (v3.1 tls_client_auth_dn, later tls_client_auth_subject_dn); both when unknown. */
function dnClaim(c: LintContext): { name: string; value: unknown } | undefined {
  const names = c.version === '3.1' ? ['tls_client_auth_dn'] : c.version ? ['tls_client_auth_subject_dn'] : ['tls_client_auth_subject_dn', 'tls_client_auth_dn'];
  const name = names.find((n) => c.claims[n] !== undefined);
  return name === undefined ? undefined : { name, value: c.claims[name] };
}

function scopes(c: LintContext): string[] | undefined {
  const s = c.claims.scope;
  return typeof s === 'string' ? s.split(' ').filter(Boolean) : strings(s);
}

/** RFC 4122 4.4: version nibble 4, variant 10xx; written with or without its hyphens. */
const UUID_V4 = /^[0-9a-f]{8}(-?)[0-9a-f]{4}\1[4][0-9a-f]{3}\1[89ab][0-9a-f]{3}\1[0-9a-f]{12}$/i;

/** Rules of the request JWS header, checked before its SSA. */
export const headerRules: readonly LintRule[] = [
  {
    id: 'JWS-ALG',
    on: 'request',
    cites: [FAPI_JWS, ALG_SET],
    check: (c) => {
      const bad = algProblem(c.header.alg, FAPI_ALGS);
      return bad && `registration request alg ${bad}`;
    },
  },
  {
    id: 'JWS-NO-X5',
    on: 'request',
    cites: [
      cite('OBDCR-GEN', 'The public key must not be embedded in the payload itself (e.g. by using x5c claim in the JOSE header)'),
      cite('OBDCR-GEN', 'The structure and URL of the JWKS must be agreed between the SSA issuer and its consumers (TPPs and ASPSPs).'),
    ],
    check: (c) => {
      const embedded = ['x5c', 'jwk'].filter((h) => c.header[h] !== undefined);
      const located = ['x5u', 'jku'].filter((h) => c.header[h] !== undefined);
      if (!embedded.length && !located.length) return undefined;
      return [
        embedded.length ? `registration request header embeds its key (${embedded.join(', ')})` : '',
        located.length ? `registration request header names a key location other than the SSA's JWKS (${located.join(', ')})` : '',
      ].filter(Boolean).join('; ');
    },
  },
];

/** Rules of a software statement, on its header and claims (never its signature). */
export const ssaRules: readonly LintRule[] = [
  {
    id: 'SSA-ALG',
    on: 'software_statement',
    cites: [SSA_JWKS, FAPI_JWS, ALG_SET],
    check: (c) => {
      const bad = algProblem(c.header.alg, FAPI_ALGS);
      return bad && `software_statement alg ${bad}`;
    },
  },
  {
    id: 'SSA-ISSUER',
    on: 'software_statement',
    cites: [cite('RFC7591-2.3', 'the software statement ... MUST contain an "iss" (issuer) claim denoting the party attesting to the claims in the software statement.')],
    check: (c) => (typeof c.claims.iss === 'string' && c.claims.iss !== '' ? undefined : `software_statement iss is required (got ${show(c.claims.iss)})`),
  },
  {
    id: 'SSA-EXP',
    on: 'software_statement',
    cites: [cite('RFC7519-4.1', 'The "exp" (expiration time) claim identifies the expiration time on or after which the JWT MUST NOT be accepted for processing.')],
    check: ({ claims: { exp }, now, skewSeconds }) =>
      exp === undefined ? undefined
        : !isNumericDate(exp) ? `software_statement exp ${show(exp)} is not a NumericDate`
          : exp + skewSeconds <= now ? `software_statement expired at ${exp} (now ${now})` : undefined,
  },
  {
    id: 'SSA-IAT',
    on: 'software_statement',
    cites: [
      cite('RFC7519-4.1', 'The "nbf" (not before) claim identifies the time before which the JWT MUST NOT be accepted for processing.'),
      cite('RFC7519-4.1', 'The "iat" (issued at) claim identifies the time at which the JWT was issued.'),
    ],
    check: ({ claims: { iat, nbf }, now, skewSeconds }) => {
      for (const [name, v] of [['nbf', nbf], ['iat', iat]] as const) {
        if (v === undefined) continue;
        if (!isNumericDate(v)) return `software_statement ${name} ${show(v)} is not a NumericDate`;
        if (v > now + skewSeconds) return name === 'nbf' ? `software_statement is not valid before ${v} (now ${now})` : `software_statement iat ${v} is in the future (now ${now})`;
      }
      return undefined;
    },
  },
  {
    id: 'SSA-CLAIMS',
    on: 'software_statement',
    cites: [
      cite('OBDCR-REQ', 'iss 1..1 ... Identifier for the TPP. ... For SSAs issued by the OB Directory, this must be the software_id.'),
      SSA_JWKS,
      cite('OBDCR-REQ', 'If the software statement defines a master set of redirect URIs, this must match or be a subset of the redirect URIs in the SSA.'),
      cite('OBDCR-REQ', 'Specified in the scope claimed. This must be a subset of the scopes in the SSA'),
    ],
    check: ({ claims: p }) => {
      const missing = [
        typeof p.software_id === 'string' && p.software_id !== '' ? undefined : 'software_id',
        typeof p.software_jwks_endpoint === 'string' && URL.canParse(p.software_jwks_endpoint) ? undefined : 'software_jwks_endpoint',
        strings(p.software_redirect_uris) ? undefined : 'software_redirect_uris',
        strings(p.software_roles) ? undefined : 'software_roles',
      ].filter((m) => m !== undefined);
      return missing.length ? `software_statement lacks or malforms: ${missing.join(', ')}` : undefined;
    },
  },
];

/** Rules of the registration request's claims, in the catalogue's order. */
export const requestRules: readonly LintRule[] = [
  {
    id: 'REQ-ISS',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'iss 1..1 ... Identifier for the TPP. ... The value must be a Base62 encoded GUID. For SSAs issued by the OB Directory, this must be the software_id.')],
    check: ({ claims: { iss }, ssa }) =>
      typeof iss !== 'string' || iss === '' ? `iss is required (got ${show(iss)})`
        : ssa?.softwareId !== undefined && iss !== ssa.softwareId ? `iss ${show(iss)} does not equal the SSA software_id ${show(ssa.softwareId)}` : undefined,
  },
  {
    id: 'REQ-ISS-FORMAT',
    on: 'request',
    cites: [
      cite('OBDCR-REQ', 'iss 1..1 ... The value must be a Base62 encoded GUID. For SSAs issued by the OB Directory, this must be the software_id. String (22) ... ^[0-9a-zA-Z]{1,22}$'),
      cite('OBDCR-3.1', 'iss 1..1 ... The value must be a Base62 encoded GUID. For SSAs issued by the OB Directory, this must be the software_id String (18) ... ^[0-9a-zA-Z]{1,18}$'),
    ],
    check: ({ claims: { iss }, version }) => {
      const max = version === '3.1' ? 18 : 22;
      return typeof iss === 'string' && iss !== '' && !new RegExp(`^[0-9a-zA-Z]{1,${max}}$`).test(iss) ? `iss ${show(iss)} is not 1 to ${max} Base62 characters` : undefined;
    },
  },
  {
    id: 'REQ-AUD',
    on: 'request',
    cites: [
      cite('OBDCR-REQ', 'aud 1..1 ... The audience for the request. This should be the unique identifier for the ASPSP issued by the issuer of the software statement.'),
      cite('RFC7519-4.1', 'If the principal processing the claim does not identify itself with a value in the "aud" claim when this claim is present, then the JWT MUST be rejected.'),
    ],
    check: ({ claims: { aud }, audiences }) => {
      const values = typeof aud === 'string' ? [aud] : strings(aud);
      if (!values?.length) return `aud is required as a string or an array of strings (got ${show(aud)})`;
      return audiences && !values.some((a) => audiences.includes(a)) ? `aud ${show(aud)} does not name this bank (expected one of ${audiences.map(show).join(', ')})` : undefined;
    },
  },
  {
    id: 'REQ-EXP',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'exp 1..1 ... The time at which the request expires expressed as seconds since the epoch. An ASPSP processing the request must reject requests where the current time is greater than the time specified in the claim.')],
    check: ({ claims: { exp }, now, skewSeconds }) =>
      !isInteger(exp) ? `exp is required as integer seconds since the epoch (got ${show(exp)})`
        : exp + skewSeconds <= now ? `exp ${exp} is in the past (now ${now})` : undefined,
  },
  {
    id: 'REQ-IAT',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'iat 1..1 ... The time at which the request was issued by the TPP expressed as "seconds since the epoch"')],
    check: ({ claims: { iat }, now, skewSeconds }) =>
      !isInteger(iat) ? `iat is required as integer seconds since the epoch (got ${show(iat)})`
        : iat > now + skewSeconds ? `iat ${iat} is in the future (now ${now}): the request cannot have been issued yet` : undefined,
  },
  {
    id: 'REQ-JTI',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'jti 1..1 ... A unique identifier for the JWT. The value must be a UUIDv4 GUID.')],
    check: ({ claims: { jti } }) => (typeof jti === 'string' && UUID_V4.test(jti) ? undefined : `jti is required as a UUIDv4 (got ${show(jti)})`),
  },
  {
    id: 'REQ-SOFTWARE-ID',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'If specified, the software_id in the request MUST match the software_id specified in the SSA.')],
    check: ({ claims: { software_id }, ssa }) =>
      software_id !== undefined && ssa?.softwareId !== undefined && software_id !== ssa.softwareId
        ? `software_id ${show(software_id)} does not equal the SSA software_id ${show(ssa.softwareId)}` : undefined,
  },
  {
    id: 'REQ-REDIRECT-PRESENT',
    on: 'request',
    cites: [
      cite('OBDCR-REQ', 'If the request_uris metadata element is omitted from the request, the entire contents of the software_redirect_uris element in the SSA are considered to be requested by the TPP.'),
      cite('OBDCR-REQ', 'redirect_uris 1..* ... Registered URIs the TPP will use to interact with the ASPSP AS. ... String[]'),
    ],
    check: ({ claims: { redirect_uris } }) =>
      redirect_uris === undefined || strings(redirect_uris)?.length ? undefined : `redirect_uris must be a non-empty array of strings when given (got ${show(redirect_uris)})`,
  },
  {
    id: 'REQ-REDIRECT-HTTPS',
    on: 'request',
    cites: [
      cite('OBDCR-REQ', 'redirect_uris ... Each of the URIs must adhere to the following rules: - The URI MUST use the https scheme'),
      cite('RFC6749-3.1.2', 'The redirection endpoint URI MUST be an absolute URI as defined by [RFC3986] Section 4.3.'),
    ],
    check: (c) => {
      const bad = redirectUris(c).find((u) => !URL.canParse(u) || new URL(u).protocol !== 'https:');
      return bad === undefined ? undefined : `redirect_uri ${show(bad)} is not an absolute https URI`;
    },
  },
  {
    id: 'REQ-REDIRECT-LOCALHOST',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'redirect_uris ... Each of the URIs must adhere to the following rules: ... - The URI MUST NOT contain a host with a value of localhost')],
    check: (c) => {
      const bad = redirectUris(c).find((u) => URL.canParse(u) && new URL(u).hostname.toLowerCase() === 'localhost');
      return bad === undefined ? undefined : `redirect_uri ${show(bad)} has the host localhost`;
    },
  },
  {
    id: 'REQ-REDIRECT-FRAGMENT',
    on: 'request',
    cites: [cite('RFC6749-3.1.2', 'The endpoint URI MUST NOT include a fragment component.')],
    check: (c) => {
      const bad = redirectUris(c).find((u) => u.includes('#'));
      return bad === undefined ? undefined : `redirect_uri ${show(bad)} has a fragment`;
    },
  },
  {
    id: 'REQ-REDIRECT-LENGTH',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'redirect_uris 1..* ... Registered URIs the TPP will use to interact with the ASPSP AS. ... String[] ... Each string upto 256')],
    check: (c) => {
      const bad = redirectUris(c).find((u) => u.length > 256);
      return bad === undefined ? undefined : `redirect_uri ${show(`${bad.slice(0, 64)}...`)} is ${bad.length} characters, more than 256`;
    },
  },
  {
    id: 'REQ-REDIRECT-SUBSET',
    on: 'request',
    cites: [
      cite('OBDCR-REQ', 'If the software statement defines a master set of redirect URIs, this must match or be a subset of the redirect URIs in the SSA.'),
      cite('RFC6749-3.1.2.3', 'If the client registration included the full redirection URI, the authorization server MUST compare the two URIs using simple string comparison as defined in [RFC3986] Section 6.2.1.'),
    ],
    check: (c) => {
      const master = c.ssa?.redirectUris;
      const bad = master && redirectUris(c).find((u) => !master.includes(u));
      return bad === undefined ? undefined : `redirect_uri ${show(bad)} is not one of the SSA software_redirect_uris`;
    },
  },
  {
    id: 'REQ-AUTH-METHOD',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'token_endpoint_auth_method 1..1 ... Specifies which Token endpoint authentication method the TPP wants to use ... private_key_jwt client_secret_jwt client_secret_basic client_secret_post tls_client_auth')],
    check: ({ claims: { token_endpoint_auth_method: m } }) => {
      const values = ['private_key_jwt', 'client_secret_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth'];
      return typeof m === 'string' && values.includes(m) ? undefined : `token_endpoint_auth_method ${show(m)} is not one of ${values.join(', ')}`;
    },
  },
  {
    id: 'REQ-AUTH-SIGNING-ALG',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'token_endpoint_auth_signing_alg ... Must be specified if token_endpoint_auth_method is private_key_jwt or client_secret_jwt'), FAPI_JWS],
    check: ({ claims: { token_endpoint_auth_method: m, token_endpoint_auth_signing_alg: alg } }) => {
      if (alg === undefined) return m === 'private_key_jwt' || m === 'client_secret_jwt' ? `token_endpoint_auth_signing_alg is required with ${m}` : undefined;
      // client_secret_jwt is a MAC with the client secret (HS*); every other assertion is a JWS of FAPI's algorithms.
      const bad = algProblem(alg, m === 'client_secret_jwt' ? ['HS256', 'HS384', 'HS512'] : FAPI_ALGS);
      return bad && `token_endpoint_auth_signing_alg ${bad}`;
    },
  },
  {
    id: 'REQ-TLS-DN-PRESENCE',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'tls_client_auth_subject_dn ... This value must be set iff token_endpoint_auth_method is set to tls_client_auth.')],
    check: (c) => {
      const dn = dnClaim(c);
      const m = c.claims.token_endpoint_auth_method;
      const name = c.version === '3.1' ? 'tls_client_auth_dn' : c.version ? 'tls_client_auth_subject_dn' : 'tls_client_auth_subject_dn (v3.1 tls_client_auth_dn)';
      if (m === 'tls_client_auth') return typeof dn?.value === 'string' && dn.value.trim() !== '' ? undefined : `${name} is required with tls_client_auth`;
      return dn === undefined ? undefined : `${dn.name} must not be sent with ${show(m)}`;
    },
  },
  {
    id: 'REQ-TLS-DN-MATCH',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'The tls_client_auth_subject_dn claim MUST contain the DN of the certificate that the TPP will present to the ASPSP token endpoint.')],
    check: (c) => {
      const dn = dnClaim(c);
      if (typeof dn?.value !== 'string' || dn.value.trim() === '') return undefined;
      const unreadable = dnProblem(dn.value);
      if (unreadable) return `${dn.name} ${show(dn.value)} is not a distinguished name (${unreadable}), so it is the DN of no certificate`;
      return c.certificateDn === undefined || dnEquals(dn.value, c.certificateDn) ? undefined : `${dn.name} ${show(dn.value)} does not match the transport certificate subject ${show(c.certificateDn)}`;
    },
  },
  {
    id: 'REQ-GRANT-TYPES',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'grant_types 1..* ... A JSON array specifying what the TPP can request to be supplied to the token endpoint ... client_credentials authorization_code refresh_token urn:openid:params:grant-type:ciba')],
    check: ({ claims: { grant_types } }) => {
      const values = ['client_credentials', 'authorization_code', 'refresh_token', 'urn:openid:params:grant-type:ciba'];
      const given = strings(grant_types);
      if (!given?.length) return `grant_types is required as a non-empty array of strings (got ${show(grant_types)})`;
      const bad = given.find((g) => !values.includes(g));
      return bad === undefined ? undefined : `grant_type ${show(bad)} is not one of ${values.join(', ')}`;
    },
  },
  {
    id: 'REQ-RESPONSE-TYPES',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'response_types 0..* ... ASPSPs MAY reject the request if any of the requested response_types are not supported by it (as advertised at its .well-known end-points) ... code, code id_token')],
    check: ({ claims: { response_types } }) => {
      if (response_types === undefined) return undefined;
      const given = strings(response_types);
      if (!given?.length) return `response_types must be a non-empty array of strings (got ${show(response_types)})`;
      const bad = given.find((r) => r !== 'code' && r !== 'code id_token');
      return bad === undefined ? undefined : `response_type ${show(bad)} is not "code" or "code id_token"`;
    },
  },
  {
    id: 'REQ-SCOPE-FORMAT',
    on: 'request',
    cites: [
      cite('OBDCR-REQ', 'scope 1..1 ... Scopes the client is asking for (if not specified, default scopes are assigned by the AS). This consists of a list scopes separated by spaces. String(256)'),
      cite('OBDCR-3.1', 'scope 0..* ... Scopes the client is asking for (if not specified, default scopes are assigned by the AS) String[] (32)'),
    ],
    check: ({ claims: { scope }, version }) => {
      if (scope === undefined) return undefined;
      const asString = typeof scope === 'string' && scope.length <= 256;
      const asArray = strings(scope)?.every((s) => s.length <= 32) ?? false;
      const ok = version === '3.1' ? asArray : version ? asString : asString || asArray;
      const want = version === '3.1' ? 'an array of strings of at most 32 characters' : version ? 'a space-separated string of at most 256 characters' : 'a space-separated string of at most 256 characters (v3.1: an array of strings)';
      return ok ? undefined : `scope must be ${want} (got ${show(scope)})`;
    },
  },
  {
    id: 'REQ-SCOPE-ROLES',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'Specified in the scope claimed. This must be a subset of the scopes in the SSA')],
    check: (c) => {
      const asked = scopes(c);
      if (!asked || !c.ssa?.roles) return undefined;
      const roles = c.ssa.roles;
      const bad = asked.find((s) => !Object.hasOwn(ROLE_OF_SCOPE, s) || (ROLE_OF_SCOPE[s] !== undefined && !roles.includes(ROLE_OF_SCOPE[s])));
      if (bad === undefined) return undefined;
      return Object.hasOwn(ROLE_OF_SCOPE, bad)
        ? `scope ${show(bad)} needs the ${ROLE_OF_SCOPE[bad]} role, not in the SSA software_roles ${show(roles)}`
        : `scope ${show(bad)} is allowed by no SSA software_role (known: ${Object.keys(ROLE_OF_SCOPE).join(' ')})`;
    },
  },
  {
    id: 'REQ-APPLICATION-TYPE',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'application_type 1..1 ... String (32) web mobile')],
    check: ({ claims: { application_type: t } }) => (t === 'web' || t === 'mobile' ? undefined : `application_type is required as web or mobile (got ${show(t)})`),
  },
  {
    id: 'REQ-ID-TOKEN-ALG',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'id_token_signed_response_alg 1..1 ... Algorithm which the TPP expects to sign the id_token, if an id_token is returned. ... Supported values as constrained by FAPI-RW'), FAPI_JWS],
    check: ({ claims: { id_token_signed_response_alg: alg, response_types } }) => {
      // An id_token comes back from the authorization endpoint with response_type code id_token.
      if (alg === undefined) return strings(response_types)?.includes('code id_token') ? 'id_token_signed_response_alg is required with response_type "code id_token"' : undefined;
      const bad = algProblem(alg, FAPI_ALGS);
      return bad && `id_token_signed_response_alg ${bad}`;
    },
  },
  {
    id: 'REQ-REQUEST-OBJECT-ALG',
    on: 'request',
    cites: [cite('OBDCR-REQ', 'request_object_signing_alg 1..1 ... Algorithm which the TPP expects to sign the request object ... Supported values as constrained by FAPI-RW'), FAPI_JWS],
    check: ({ claims: { request_object_signing_alg: alg } }) => {
      const bad = algProblem(alg, FAPI_ALGS);
      return bad && `request_object_signing_alg ${bad}`;
    },
  },
  {
    id: 'REQ-JWKS-EXCLUSIVE',
    on: 'request',
    cites: [cite('RFC7591-2', 'The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response.')],
    check: ({ claims }) => (claims.jwks !== undefined && claims.jwks_uri !== undefined ? 'jwks and jwks_uri must not both be given' : undefined),
  },
];
