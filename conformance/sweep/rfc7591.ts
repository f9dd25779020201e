import { randomUUID } from 'node:crypto';
import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import { bearerUnauthorized, expectRefusal, refusalVerdict } from '../rules/refusal';
import { evidenceOf, fail, pass, type Verdict } from '../rules/define';
import { BEARER, OAUTH, RFC7591, RFC7592, q } from '../rules/quotes';
import { acceptedWith, registered, withOverrides, type SweepRow, type SweepTable } from './table';

/**
 * The plain RFC 7591 / 7592 dialect: JSON metadata POSTed to the registration endpoint (an
 * initial access token as a Bearer token when the target gives one; software_statement only when
 * the target gives an SSA), then GET/PUT/DELETE at the registration_client_uri with the newest
 * registration access token the server returned (it may rotate it on any answer). Each row changes
 * one element of an accepted request.
 */
export const RFC7591_DIALECT = ['rfc7591'] as const;

/** A JSON registration request: its metadata and the bearer token it carries. */
export interface MetadataRequest {
  metadata: Record<string, unknown>;
  /** undefined: the target's initial access token (if any); null: none; a string: that token. */
  bearer?: string | null;
}

const uri0 = (s: Session) => s.target.redirectUris[0]!;

/** The control's metadata: a web client of the authorization code grant, with the target's first redirect URI and auth method. */
export function controlMetadata(s: Session, label: string): Record<string, unknown> {
  const method = s.target.capabilities.authMethods[0] ?? 'client_secret_basic';
  return {
    client_name: `DCR conformance ${label}`,
    redirect_uris: [uri0(s)],
    grant_types: ['authorization_code'],
    response_types: s.target.capabilities.responseTypes ?? ['code'],
    token_endpoint_auth_method: method,
    ...(method === 'private_key_jwt' ? { jwks: { keys: [{ ...s.key.publicJwk, kid: s.key.kid, alg: s.key.alg, use: 'sig' }] } } : {}),
    ...(s.ssa ? { software_statement: s.ssa } : {}),
  };
}

/** POSTs the metadata as application/json, with the request's bearer token. */
export function sendMetadata(s: Session, name: string, req: MetadataRequest): Promise<Recorded> {
  return s.post(name, JSON.stringify(req.metadata), { contentType: 'application/json', ...(req.bearer !== undefined ? { bearer: req.bearer } : {}), sent: { metadata: req.metadata } });
}

const without = (m: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(m).filter(([k]) => !keys.includes(k)));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** RFC 7591 2.1's table: the response types each grant type goes with. */
function consistent(grants: string[], responses: string[]): boolean {
  const need: Array<[string, string]> = [['code', 'authorization_code'], ['token', 'implicit']];
  return need.every(([rt, grant]) => !responses.some((r) => r.split(' ').includes(rt)) || grants.includes(grant));
}

type Row = SweepRow<MetadataRequest>;
type Meta = Omit<Row, 'mutate' | 'element' | 'change' | 'rules'>;
/** A row changing the metadata: overrides (undefined deletes the member). */
const member = (element: string, change: string, overrides: (s: Session) => Record<string, unknown>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  rules: [],
  mutate: (req, s) => ({ ...req, metadata: withOverrides(req.metadata, overrides(s)) }),
});

const REDIRECT_ERRORS = ['invalid_redirect_uri', 'invalid_client_metadata'];
const noIat = (s: Session) => (s.target.initialAccessToken ? undefined : 'the target gives no initialAccessToken (open registration): nothing to leave out');
const IAT = q('RFC7591-3', 'The client registration endpoint MAY accept an initial access token in the form of an OAuth 2.0 [RFC6749] access token to limit registration to only previously authorized parties.', 'the target declares its endpoint limited so: a request without the token, or with another, is not from such a party');

/** The one-change rows of the accepted JSON registration (rfc7591-register). */
const registrationRows: Row[] = [
  member('metadata.x_dcr_conformance_unknown', 'added (a member no spec defines)', () => ({ x_dcr_conformance_unknown: 'ignore me' }), {
    id: 'RFC7591-UNKNOWN-METADATA-IGNORED', expect: 'accept', title: 'A JSON registration with one metadata member no spec defines is accepted (the member ignored)', spec: ['RFC7591-2'], tags: ['tolerance', 'metadata'],
    quotes: [q('RFC7591-2', "The authorization server MUST ignore any client metadata sent by the client that it does not understand (for instance, by silently removing unknown metadata from the client's registration record during processing).")],
  }),
  member('metadata.redirect_uris', 'absent (grant_types authorization_code)', () => ({ redirect_uris: undefined }), {
    id: 'RFC7591-REDIRECT-URIS-ABSENT', title: 'An authorization_code registration without redirect_uris is refused, or registered without a redirect-based grant', spec: ['RFC7591-2', 'RFC7591-3.2.2'], tags: ['redirect', 'metadata'],
    errors: REDIRECT_ERRORS,
    // RFC 7591 2: the server MAY replace requested values: a client registered without the redirect-based grant is no longer one that must register redirect URIs.
    substitutes: { field: 'grant_types', refused: (v) => list(v).includes('authorization_code') || list(v).includes('implicit') },
    quotes: [RFC7591.redirectUris, RFC7591.invalidRedirect],
  }),
  member('metadata.redirect_uris', 'a fragment', (s) => ({ redirect_uris: [`${uri0(s).replace(/#.*$/, '')}#frag`] }), {
    id: 'RFC7591-REDIRECT-FRAGMENT', title: 'A JSON registration whose redirect_uri has a fragment is refused with invalid_redirect_uri', spec: ['RFC6749-3.1.2', 'RFC7591-3.2.2'], tags: ['redirect', 'metadata'],
    errors: ['invalid_redirect_uri'], quotes: [OAUTH.fragment, RFC7591.invalidRedirect],
  }),
  {
    ...member('metadata.jwks_uri', 'added beside jwks', (s) => ({ jwks: { keys: [{ ...s.key.publicJwk, kid: s.key.kid, alg: s.key.alg, use: 'sig' }] }, jwks_uri: 'https://tpp.example.com/jwks.json' }), {
      id: 'RFC7591-JWKS-AND-JWKS-URI', title: 'A JSON registration carrying both jwks and jwks_uri is refused (or one of them dropped): never both registered', spec: ['RFC7591-2', 'RFC7591-3.2.2'], tags: ['metadata', 'keys'],
      quotes: [RFC7591.jwksBoth],
    }),
    check: (r: Recorded): Verdict => {
      if (r.status < 200 || r.status >= 300) return expectRefusal(r, ['invalid_client_metadata']);
      const b = body(r);
      return b.jwks !== undefined && b.jwks_uri !== undefined
        ? fail('registered with both jwks and jwks_uri: the response holds both', evidenceOf(r, { expected: 'a refusal, or one of them', actual: { jwks: b.jwks, jwks_uri: b.jwks_uri } }))
        : pass(evidenceOf(r), 'accepted with one of jwks / jwks_uri dropped (a substitution RFC 7591 2 allows)');
    },
  },
  {
    ...member('metadata.response_types', 'token (grant_types still authorization_code only)', () => ({ response_types: ['token'] }), {
      id: 'RFC7591-GRANT-RESPONSE-INCONSISTENT', severity: 'SHOULD', title: 'A registration whose response_types do not match its grant_types (token without implicit) is refused, or registered consistent', spec: ['RFC7591-2.1', 'RFC7591-3.2.2'], tags: ['metadata'],
      quotes: [q('RFC7591-2.1', 'As such, a server supporting these fields SHOULD take steps to ensure that a client cannot register itself into an inconsistent state, for example, by returning an "invalid_client_metadata" error response to an inconsistent registration request.')],
    }),
    check: (r: Recorded): Verdict => {
      if (r.status < 200 || r.status >= 300) return expectRefusal(r, ['invalid_client_metadata']);
      const b = body(r);
      const grants = list(b.grant_types);
      const responses = list(b.response_types);
      return consistent(grants.length ? grants : ['authorization_code'], responses.length ? responses : ['code'])
        ? pass(evidenceOf(r, { actual: { grant_types: b.grant_types, response_types: b.response_types } }), 'registered with consistent grant_types and response_types (values substituted)')
        : fail(`registered inconsistent: grant_types ${JSON.stringify(b.grant_types)} with response_types ${JSON.stringify(b.response_types)}`, evidenceOf(r, { expected: 'a refusal, or consistent values', actual: { grant_types: b.grant_types, response_types: b.response_types } }));
    },
  },
  {
    id: 'RFC7591-IAT-ABSENT', element: 'header.authorization', change: 'absent (no initial access token)', rules: [], skipIf: noIat,
    title: 'Where the target requires an initial access token, a registration without one is refused with 401 and a Bearer challenge', spec: ['RFC7591-3', 'RFC6750-3'], tags: ['initial-access-token'],
    quotes: [IAT, BEARER.challenge],
    mutate: (req) => ({ ...req, bearer: null }),
    check: (r) => (r.status >= 200 && r.status < 300 ? fail(`registered without the initial access token (${r.status})`, evidenceOf(r, { expected: 401 })) : bearerUnauthorized(r, 'POST without the initial access token', false)),
  },
  {
    id: 'RFC7591-IAT-WRONG', element: 'header.authorization', change: 'another token', rules: [], skipIf: noIat,
    title: 'Where the target requires an initial access token, a registration with another token is refused with 401 invalid_token', spec: ['RFC7591-3', 'RFC6750-3.1'], tags: ['initial-access-token'],
    quotes: [IAT, BEARER.invalidToken],
    mutate: (req) => ({ ...req, bearer: `wrong-${randomUUID()}` }),
    check: (r) => (r.status >= 200 && r.status < 300 ? fail(`registered with a wrong initial access token (${r.status})`, evidenceOf(r, { expected: 401 })) : bearerUnauthorized(r, 'POST with a wrong initial access token', true)),
  },
];

/** POST {registration_endpoint} with JSON metadata: each element of the accepted request, changed one at a time. */
export const rfc7591RegistrationSweep: SweepTable<MetadataRequest> = {
  exchange: 'POST registration_endpoint (JSON)',
  kind: 'registration',
  control: 'rfc7591-register',
  dialects: RFC7591_DIALECT,
  tags: ['rfc7591', 'registration'],
  concurrent: true,
  build: async (s, _prior, row) => ({ metadata: controlMetadata(s, row.id) }),
  send: (s, name, req) => sendMetadata(s, name, req),
  refused: (r, row) => refusalVerdict(r, row.errors ?? ['invalid_client_metadata'], row.statuses, row.substitutes),
  accepted: registered,
  rows: registrationRows,
};

// --- RFC 7592 management -----------------------------------------------------------------

/** A request at the client configuration endpoint: its method, client, bearer token (undefined: no Authorization header) and JSON body. */
export interface RatRequest {
  method: 'GET' | 'PUT' | 'DELETE';
  clientId: string;
  token: string | undefined;
  body?: Record<string, unknown>;
}

/** RFC 7592 2.2: "The updated client metadata fields request MUST NOT include" these. */
export const SERVER_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'] as const;

export const clientIdOf = (prior: ReadonlyMap<string, Recorded>, name: string) => String(body(prior.get(name)!).client_id ?? prior.get(name)!.clientId ?? '');

/** The newest registration access token of the client a registration made (rotated ones replace it). */
export const ratOf = (s: Session, prior: ReadonlyMap<string, Recorded>, name: string) => s.rat(clientIdOf(prior, name)) ?? '';

/** Sends a management request with its token (none at all when undefined). */
export function sendRat(s: Session, name: string, req: RatRequest): Promise<Recorded> {
  return s.manage(name, req.method, req.clientId, req.token ?? '', req.body !== undefined ? JSON.stringify(req.body) : undefined, req.token === undefined ? { noAuthorization: true } : false);
}

/**
 * The body of a PUT: the record as last read (RFC 7592 2.2: "all client metadata fields as returned
 * to the client from a previous registration, read, or update operation") without the fields the
 * client must not send, with the overrides (undefined deletes the member).
 */
export function putBody(record: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withOverrides(without(record, ...SERVER_FIELDS), overrides);
}

const BAD_RAT = [RFC7592.readInvalidToken, BEARER.invalidToken];

/** GET at the client configuration endpoint of client A with its token changed one way at a time; control rfc7592-get. */
export const rfc7592TokenSweep: SweepTable<RatRequest> = {
  exchange: 'GET registration_client_uri',
  kind: 'management',
  control: 'rfc7592-get',
  dialects: RFC7591_DIALECT,
  tags: ['rfc7591', 'management', 'GET', 'registration-access-token'],
  build: async (s, prior) => ({ method: 'GET', clientId: clientIdOf(prior, 'rfc7592-register'), token: ratOf(s, prior, 'rfc7592-register') }),
  send: (s, name, req) => sendRat(s, name, req),
  refused: (r) => bearerUnauthorized(r, 'GET with a bad registration access token', true),
  accepted: acceptedWith(200),
  rows: [
    { id: 'RFC7592-RAT-WRONG', element: 'header.authorization', change: 'a random token', title: 'GET with a registration access token the server never issued is refused with 401 invalid_token and a Bearer challenge', rules: [], spec: ['RFC7592-2.1', 'RFC6750-3.1'], tags: ['negative'], quotes: BAD_RAT, mutate: (req) => ({ ...req, token: randomUUID() }) },
    { id: 'RFC7592-RAT-TRUNCATED', element: 'header.authorization', change: 'the token less its last character', title: 'GET with the registration access token less its last character is refused with 401 invalid_token', rules: [], spec: ['RFC7592-2.1', 'RFC6750-3.1'], tags: ['negative', 'near-miss'], quotes: BAD_RAT, mutate: (req) => ({ ...req, token: (req.token ?? '').slice(0, -1) }) },
    {
      id: 'RFC7592-RAT-ABSENT', element: 'header.authorization', change: 'absent', title: 'GET without an Authorization header is refused with 401 and a Bearer challenge', rules: [], spec: ['RFC7592-2.1', 'RFC6750-3'], tags: ['negative'],
      quotes: [RFC7592.readInvalidToken, BEARER.challenge], mutate: (req) => ({ ...req, token: undefined }),
      check: (r) => bearerUnauthorized(r, 'GET without a token', false),
    },
    {
      id: 'RFC7592-RAT-OTHER-CLIENT', element: 'header.authorization', change: "another client's token", needs: ['rfc7592-register-b'], title: "GET of client A with client B's registration access token is refused (401, or 403)", rules: [], spec: ['RFC7592-2.1', 'RFC6750-3.1'], tags: ['negative', 'cross-client'],
      quotes: [RFC7592.readInvalidToken, RFC7592.readForbidden],
      mutate: (req, s, prior) => ({ ...req, token: ratOf(s, prior, 'rfc7592-register-b') }),
      check: (r) => (r.status === 403 ? pass(evidenceOf(r), 'refused with 403') : bearerUnauthorized(r, "GET with another client's token", true)),
    },
  ],
};

/** A PUT probe's verdict: refused (any 4xx), or accepted without taking the value the client must not set. */
const refusedOrIgnored = (field: string, sentValue: (r: Recorded) => unknown) => (r: Recorded): Verdict => {
  if (r.status >= 400 && r.status < 500) return pass(evidenceOf(r), `refused (${summarize(r)})`);
  if (r.status < 200 || r.status >= 300) return fail(`expected a refusal or a 200 that ignores ${field}, got ${summarize(r)}`, evidenceOf(r));
  const sent = sentValue(r);
  const got = body(r)[field];
  return JSON.stringify(got) === JSON.stringify(sent)
    ? fail(`accepted and took the client's ${field} ${JSON.stringify(sent)}`, evidenceOf(r, { expected: `a refusal, or ${field} kept by the server`, actual: got }))
    : pass(evidenceOf(r, { actual: { [field]: got } }), `accepted with ${field} kept by the server (the client's value ignored)`);
};
const sentField = (field: string) => (r: Recorded) => (JSON.parse(r.request.body ?? '{}') as Record<string, unknown>)[field];
const PUT_MUST_NOT = q('RFC7592-2.2', 'The updated client metadata fields request MUST NOT include the "registration_access_token", "registration_client_uri", "client_secret_expires_at", or "client_id_issued_at" fields described in Section 3.');

/** A row putting one field the client must not send; the verdict: refused, or the value not taken. */
function serverField(id: string, field: (typeof SERVER_FIELDS)[number], value: (req: RatRequest) => unknown): SweepRow<RatRequest> {
  return {
    id, element: `body.${field}`, change: 'included (a value of the client\'s)', severity: 'SHOULD', rules: [], spec: ['RFC7592-2.2', 'RFC7592-3'], tags: ['negative', 'PUT'],
    title: `A PUT carrying ${field} (which the client must not send) is refused, or the server keeps its own value`,
    quotes: [q('RFC7592-2.2', PUT_MUST_NOT.text, 'a value the client must not send is not one the server takes from it')],
    mutate: (req) => ({ ...req, body: { ...req.body, [field]: value(req) } }),
    check: refusedOrIgnored(field, sentField(field)),
  };
}

/** PUT at client A's configuration endpoint: the accepted PUT (rfc7592-put) with one change each. Sent one after another: they share the client and its (rotating) token. */
export const rfc7592PutSweep: SweepTable<RatRequest> = {
  exchange: 'PUT registration_client_uri',
  kind: 'management',
  control: 'rfc7592-put',
  dialects: RFC7591_DIALECT,
  tags: ['rfc7591', 'management', 'PUT'],
  build: async (s, prior) => ({
    method: 'PUT',
    clientId: clientIdOf(prior, 'rfc7592-register'),
    token: ratOf(s, prior, 'rfc7592-register'),
    // The record as last read: after the accepted PUT, else as the PUT answered it.
    body: putBody(body(prior.get('rfc7592-get-after-put')?.status === 200 ? prior.get('rfc7592-get-after-put')! : prior.get('rfc7592-put')!)),
  }),
  send: (s, name, req) => sendRat(s, name, req),
  refused: (r) => (r.status >= 400 && r.status < 500 ? pass(evidenceOf(r), `refused (${summarize(r)})`) : fail(`expected a refusal, got ${summarize(r)}`, evidenceOf(r, { expected: '4xx' }))),
  accepted: acceptedWith(200),
  rows: [
    {
      id: 'RFC7592-PUT-CLIENT-ID-OTHER', element: 'body.client_id', change: 'another client_id', rules: [], spec: ['RFC7592-2.2'], tags: ['negative', 'identifier'],
      title: 'A PUT whose client_id is not the current one is refused',
      quotes: [RFC7592.updateClientId, RFC7592.sameClientId],
      mutate: (req) => ({ ...req, body: { ...req.body, client_id: `other-${req.clientId}` } }),
    },
    {
      id: 'RFC7592-PUT-CLIENT-SECRET-CHOSEN', element: 'body.client_secret', change: "a secret of the client's choosing", rules: [], spec: ['RFC7592-2.2'], tags: ['negative', 'secret'],
      title: 'A PUT carrying a client_secret of its own choosing is refused, or the secret is not overwritten with it',
      quotes: [q('RFC7592-2.2', 'The client MUST NOT be allowed to overwrite its existing client secret with its own chosen value.')],
      mutate: (req) => ({ ...req, body: { ...req.body, client_secret: `chosen-${randomUUID()}` } }),
      check: refusedOrIgnored('client_secret', sentField('client_secret')),
    },
    serverField('RFC7592-PUT-REGISTRATION-ACCESS-TOKEN', 'registration_access_token', () => `chosen-${randomUUID()}`),
    serverField('RFC7592-PUT-REGISTRATION-CLIENT-URI', 'registration_client_uri', () => 'https://evil.example.com/register/chosen'),
    serverField('RFC7592-PUT-CLIENT-ID-ISSUED-AT', 'client_id_issued_at', () => 1),
    serverField('RFC7592-PUT-CLIENT-SECRET-EXPIRES-AT', 'client_secret_expires_at', () => 1),
  ],
};
