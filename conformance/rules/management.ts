import { body, header, type Recorded } from '../exchange';
import { blocked, defineCheck, evidenceOf, fail, pass, type Verdict } from './define';
import { summarize } from '../diagnose';

/** The prerequisite answered as the check needs, else blocked naming it. */
function needs(r: Recorded, want: number): Verdict | undefined {
  return r.status === want ? undefined : blocked(r.name, `blocked: ${r.name} answered ${summarize(r)}, not ${want}`, evidenceOf(r, { expected: want }));
}
import { clientSchemaErrors } from './registration';

const mgmt = (tags: string[] = []) => ['management', ...tags];

function status(r: Recorded, want: number, what: string): Verdict {
  return r.status === want ? pass(evidenceOf(r)) : fail(`${what}: expected ${want}, got ${r.status || r.transportError}`, evidenceOf(r, { expected: want, actual: r.status }));
}

/** RFC 6750 3.1: "invalid_token ... The resource SHOULD respond with the HTTP 401 (Unauthorized) status code" and a WWW-Authenticate: Bearer challenge. */
function unauthorized(r: Recorded, what: string, requireInvalidToken: boolean): Verdict {
  const challenge = header(r, 'www-authenticate') ?? '';
  if (r.status !== 401) return fail(`${what}: expected 401, got ${r.status || r.transportError}`, evidenceOf(r, { expected: 401 }));
  if (!/^Bearer\b/i.test(challenge)) return fail(`${what}: no WWW-Authenticate: Bearer challenge`, evidenceOf(r, { expected: 'WWW-Authenticate: Bearer ...', actual: challenge }));
  if (requireInvalidToken && !/error="invalid_token"/.test(challenge)) return fail(`${what}: the challenge lacks error="invalid_token"`, evidenceOf(r, { expected: 'error="invalid_token"', actual: challenge }));
  return pass(evidenceOf(r));
}

export const managementChecks = [
  /** RFC 6749 5.1: "access_token REQUIRED ... token_type REQUIRED ... expires_in RECOMMENDED". */
  defineCheck({
    id: 'DCR-002-TOKEN',
    title: 'The client_credentials grant gives the new client a Bearer access token',
    spec: ['OBDCR-GEN', 'RFC6749-5.2'],
    severity: 'MUST',
    tags: mgmt(['DCR-002', 'GEN-05', 'token']),
    rules: ['TOKEN-RESPONSE'],
    exchanges: ['mgmt-token'],
    check: (r) => {
      const b = body(r);
      return r.status === 200 && typeof b.access_token === 'string' && /^bearer$/i.test(String(b.token_type)) && (b.expires_in === undefined || Number.isInteger(b.expires_in))
        ? pass(evidenceOf(r, { body: '(token redacted)' }))
        : fail('expected 200 with access_token, token_type Bearer and integer expires_in', evidenceOf(r, { body: r.status === 200 ? '(token redacted)' : r.text.slice(0, 300) }));
    },
  }),
  defineCheck({
    id: 'DCR-005-GET-200',
    title: 'GET /register/{ClientId} with the client\'s own token answers 200',
    spec: ['OBDCR-GET', 'RFC7592-2'],
    severity: 'MUST',
    tags: mgmt(['DCR-005', 'GET-01']),
    rules: ['MGT-GET'],
    exchanges: ['mgmt-get'],
    check: (r) => status(r, 200, 'GET own client'),
  }),
  /** RFC 7592 2.1: "the response ... contains the client's current configuration" in the same form as registration. */
  defineCheck({
    id: 'RES-SCHEMA-GET',
    title: 'The GET response is schema-valid and describes the same client as the POST response',
    spec: ['OBDCR-GET', 'RFC7592-2'],
    severity: 'MUST',
    tags: mgmt(['DCR-005', 'schema']),
    rules: ['MGT-GET-CONFIG'],
    exchanges: ['mgmt-register', 'mgmt-get'],
    check: (post, get) => {
      const not = needs(get, 200);
      if (not) return not;
      const errors = clientSchemaErrors(body(get));
      if (errors.length) return fail(errors.join('; '), evidenceOf(get, { actual: errors }));
      const same = ['client_id', 'software_id', 'token_endpoint_auth_method', 'redirect_uris'].filter((k) => JSON.stringify(body(post)[k]) !== JSON.stringify(body(get)[k]));
      return same.length === 0 ? pass(evidenceOf(get)) : fail(`GET differs from POST in ${same.join(', ')}`, evidenceOf(get, { expected: body(post), actual: body(get) }));
    },
  }),
  /**
   * RFC 8705 3: "the protected resource MUST obtain the client certificate ... and verify that it matches the certificate-bound access token";
   * FAPI 1.0 Advanced 5.2.2: the authorization server "shall only issue sender-constrained access tokens". A MUST.
   */
  defineCheck({
    id: 'MGT-TOKEN-CERT-BOUND',
    title: 'The client\'s certificate-bound token is refused when presented without the client certificate',
    spec: ['RFC8705-3', 'FAPI1-ADV-5.2.2', 'OBDCR-GET'],
    severity: 'MUST',
    tags: mgmt(['gap']),
    rules: ['MGT-TOKEN-CERT-BOUND'],
    exchanges: ['mgmt-get-no-cert'],
    check: (r) => unauthorized(r, 'GET with the token but no client certificate', true),
  }),
  /** The token endpoint advertised in discovery is the one that issues tokens. */
  defineCheck({
    id: 'DISC-CONSISTENT-TOKEN-ENDPOINT',
    title: 'The token_endpoint advertised in discovery issued the management token',
    spec: ['OIDC-DISCOVERY', 'OBDCR-GEN'],
    severity: 'MUST',
    tags: mgmt(['discovery', 'consistency']),
    rules: ['DISC-TOKEN-ENDPOINT'],
    exchanges: ['discovery', 'mgmt-token'],
    check: (d, t) =>
      (typeof body(d).token_endpoint !== 'string' ? fail('discovery advertises no token_endpoint: a client cannot find where to get its management token', evidenceOf(d, { expected: 'token_endpoint' })) : undefined) ??
      needs(t, 200) ?? (body(d).token_endpoint === t.request.url
        ? pass(evidenceOf(d, { actual: body(d).token_endpoint }))
        : fail('the token came from an endpoint discovery does not advertise', evidenceOf(t, { expected: body(d).token_endpoint, actual: t.request.url }))),
  }),
  defineCheck({
    id: 'DCR-007-EMPTY-TOKEN',
    title: 'GET with an empty bearer token answers 401',
    spec: ['OBDCR-GET', 'RFC6750-3'],
    severity: 'MUST',
    tags: mgmt(['DCR-007']),
    rules: ['MGT-BEARER-REQUIRED'],
    exchanges: ['mgmt-get-empty-token'],
    check: (r) => status(r, 401, 'GET with an empty token'),
  }),
  defineCheck({
    id: 'MGT-MALFORMED-TOKEN',
    title: 'GET with a malformed bearer token answers 401 with a Bearer challenge',
    spec: ['OBDCR-GET', 'RFC6750-3'],
    severity: 'MUST',
    tags: mgmt(['gap']),
    rules: ['MGT-BEARER-REQUIRED'],
    exchanges: ['mgmt-get-malformed-token'],
    check: (r) => unauthorized(r, 'GET with a malformed token', false),
  }),
  /** OBIE MGT-02: "a token issued to another client: 403". */
  defineCheck({
    id: 'MGT-CROSS-CLIENT-403',
    title: 'A token of client B used on client A answers 403',
    spec: ['OBDCR-GET', 'RFC6750-3'],
    severity: 'MUST',
    tags: mgmt(['MGT-02', 'gap']),
    rules: ['MGT-CLIENT-MATCH'],
    exchanges: ['mgmt-get-cross'],
    check: (r) => status(r, 403, 'GET with another client\'s token'),
  }),
  defineCheck({
    id: 'DCR-008-PUT-200',
    title: 'PUT /register/{ClientId} with a freshly signed request answers 200 with the client JSON',
    spec: ['OBDCR-PUT', 'RFC7592-2'],
    severity: 'MUST',
    tags: mgmt(['DCR-008', 'PUT-01']),
    rules: ['MGT-PUT'],
    exchanges: ['mgmt-put'],
    check: (r) => {
      if (r.status !== 200) return status(r, 200, 'PUT');
      const errors = clientSchemaErrors(body(r));
      return errors.length === 0 ? pass(evidenceOf(r)) : fail(errors.join('; '), evidenceOf(r));
    },
  }),
  /** OBIE PUT-01: "long-lived tokens stay valid" after an update. */
  defineCheck({
    id: 'PUT-KEEPS-TOKEN',
    title: 'The client\'s access token still works after a successful PUT',
    spec: ['OBDCR-PUT'],
    severity: 'MUST',
    tags: mgmt(['PUT-01', 'gap']),
    rules: ['PUT-KEEPS-TOKENS'],
    exchanges: ['mgmt-put', 'mgmt-get-after-put'],
    check: (put, get) => needs(put, 200) ?? status(get, 200, 'GET after PUT with the same token'),
  }),
  defineCheck({
    id: 'DCR-002-DELETE-204',
    title: 'DELETE /register/{ClientId} answers 204',
    spec: ['OBDCR-DELETE', 'RFC7592-2'],
    severity: 'MUST',
    tags: mgmt(['DCR-002', 'DEL-01']),
    rules: ['MGT-DELETE'],
    exchanges: ['mgmt-delete'],
    check: (r) => status(r, 204, 'DELETE'),
  }),
  /** OBIE: "After DELETE ... GET/PUT on /register/{id} must answer 401 (not 404)". */
  defineCheck({
    id: 'DCR-003-GET-DELETED',
    title: 'GET on a deleted client answers 401, not 404',
    spec: ['OBDCR-GET', 'OBDCR-DELETE'],
    severity: 'MUST',
    tags: mgmt(['DCR-003', 'DCR-010', 'MGT-01']),
    rules: ['MGT-DELETE'],
    exchanges: ['mgmt-get-after-delete'],
    check: (r) => status(r, 401, 'GET after DELETE'),
  }),
  /**
   * OBIE DEL-01: "the client and its long-lived tokens are gone". The deleted client's token is
   * tried on another live client: revoked gives 401 invalid_token, still live gives 403.
   */
  defineCheck({
    id: 'DEL-REVOKES-TOKEN',
    title: 'After DELETE the client\'s token is revoked: on another client it gets 401 invalid_token, not 403',
    spec: ['OBDCR-DELETE', 'RFC6750-3'],
    severity: 'MUST',
    tags: mgmt(['DEL-01', 'gap']),
    rules: ['DEL-REVOKES-TOKENS'],
    exchanges: ['mgmt-get-b-with-deleted-token'],
    check: (r) => unauthorized(r, 'the deleted client\'s token', true),
  }),
  defineCheck({
    id: 'DCR-009-PUT-DELETED',
    title: 'PUT on a deleted client answers 401',
    spec: ['OBDCR-PUT', 'OBDCR-DELETE'],
    severity: 'MUST',
    tags: mgmt(['DCR-009', 'MGT-01']),
    rules: ['MGT-DELETE'],
    exchanges: ['mgmt-put-after-delete'],
    check: (r) => status(r, 401, 'PUT after DELETE'),
  }),
  /** OBIE MGT-01: "Unknown ClientId: 401 (with WWW-Authenticate: Bearer ...) and the presented access token is revoked at once." */
  defineCheck({
    id: 'MGT-UNKNOWN-CLIENT-401',
    title: 'GET on an unknown ClientId answers 401 with WWW-Authenticate: Bearer error="invalid_token"',
    spec: ['OBDCR-GET', 'RFC6750-3'],
    severity: 'MUST',
    tags: mgmt(['MGT-01']),
    rules: ['MGT-UNKNOWN-CLIENT'],
    exchanges: ['mgmt-get-unknown'],
    check: (r) => unauthorized(r, 'GET unknown ClientId', true),
  }),
  defineCheck({
    id: 'MGT-TOKEN-REVOKED-AFTER-401',
    title: 'A token presented for an unknown ClientId is revoked: it no longer works on its own client',
    spec: ['OBDCR-GET'],
    severity: 'MUST',
    tags: mgmt(['MGT-01', 'gap']),
    rules: ['MGT-UNKNOWN-REVOKES'],
    exchanges: ['mgmt-get-unknown', 'mgmt-get-b-after-unknown'],
    check: (unknown, own) => needs(unknown, 401) ?? status(own, 401, 'the same token on its own client'),
  }),
];
