import { body, header, type Recorded } from '../exchange';
import { blocked, defineCheck, evidenceOf, fail, pass, type Verdict } from './define';
import { summarize } from '../diagnose';

/** The prerequisite answered as the check needs, else blocked naming it. */
function needs(r: Recorded, want: number): Verdict | undefined {
  return r.status === want ? undefined : blocked(r.name, `blocked: ${r.name} answered ${summarize(r)}, not ${want}`, evidenceOf(r, { expected: want }));
}
import { clientSchemaErrors } from './registration';
import { clientAuthRefusal } from './token';
import { bearerUnauthorized as unauthorized, expectRefusal, refusal, REGISTRATION_ERRORS } from './refusal';

const mgmt = (tags: string[] = []) => ['management', ...tags];

function status(r: Recorded, want: number, what: string): Verdict {
  return r.status === want ? pass(evidenceOf(r)) : fail(`${what}: expected ${want}, got ${r.status || r.transportError}`, evidenceOf(r, { expected: want, actual: r.status }));
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
  /**
   * RFC 6749 5.1: "The authorization server MUST include the HTTP "Cache-Control" response header field
   * ... with a value of "no-store" in any response containing tokens". (Its Pragma: no-cache is from
   * HTTP/1.0 caching, obsoleted by RFC 9111, and is not required here.)
   */
  defineCheck({
    id: 'TOKEN-NO-STORE',
    title: 'The token answer carries Cache-Control: no-store',
    spec: ['RFC6749-5.1'],
    severity: 'MUST',
    tags: mgmt(['token', 'gap']),
    rules: ['TOKEN-NO-STORE'],
    exchanges: ['mgmt-token'],
    check: (r) => {
      const cc = header(r, 'cache-control') ?? '';
      const ev = evidenceOf(r, { body: '(token redacted)', expected: 'Cache-Control: no-store', actual: cc || '(none)' });
      return needs(r, 200) ?? (/(^|,)\s*no-store\s*(,|$)/i.test(cc) ? pass(ev) : fail(cc ? `Cache-Control is ${JSON.stringify(cc)}, without no-store` : 'the token answer has no Cache-Control header', ev));
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
   * FAPI 1 Advanced part 2 5.2.2: the authorization server "shall only issue sender-constrained access
   * tokens"; RFC 8705 3: "the protected resource MUST obtain the client certificate ... and verify that
   * it matches the certificate-bound access token". A MUST: a bearer token usable without the
   * certificate is not sender-constrained.
   */
  defineCheck({
    id: 'MGT-TOKEN-CERT-BOUND',
    title: 'The client\'s certificate-bound token is refused when presented without the client certificate',
    spec: ['FAPI1-ADV-5.2.2', 'RFC8705-3', 'OBDCR-GET'],
    severity: 'MUST',
    tags: mgmt(['gap', 'sender-constrained']),
    rules: ['MGT-TOKEN-CERT-BOUND'],
    exchanges: ['mgmt-get-no-cert'],
    check: (r) => unauthorized(r, 'GET with the token but no client certificate', true),
  }),
  /** The same, with another certificate the bank trusts (another subject DN): bound means bound to that one certificate. */
  defineCheck({
    id: 'MGT-TOKEN-OTHER-CERT',
    title: 'The client\'s certificate-bound token is refused when presented with another trusted certificate',
    spec: ['FAPI1-ADV-5.2.2', 'RFC8705-3', 'OBDCR-GET'],
    severity: 'MUST',
    tags: mgmt(['gap', 'sender-constrained']),
    rules: ['MGT-TOKEN-CERT-BOUND'],
    exchanges: ['mgmt-get-other-cert'],
    check: (r) => unauthorized(r, 'GET with the token and another trusted certificate', true),
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
  /** OBIE MGT-02 on PUT and DELETE: another client's token would rewrite or remove a client the caller does not own. */
  crossClientCheck('PUT', 'mgmt-put-cross', 'A PUT on client A with a token of client B answers 403'),
  crossClientCheck('DELETE', 'mgmt-delete-cross', 'A DELETE of client C with a token of client B answers 403'),
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
  /**
   * RFC 7592 2.3: "A successful delete action will invalidate the client_id, client_secret, and
   * registration access token for this client, thereby preventing the client_id from being used at
   * either the authorization endpoint or token endpoint of the authorization server."
   */
  defineCheck({
    id: 'DEL-TOKEN-ENDPOINT-REFUSED',
    title: 'After DELETE the client can no longer get a token: the token endpoint answers invalid_client',
    spec: ['RFC7592-2.3', 'OBDCR-DELETE', 'RFC6749-5.2'],
    severity: 'MUST',
    tags: mgmt(['DEL-01', 'gap']),
    rules: ['MGT-DELETE'],
    exchanges: ['mgmt-delete', 'mgmt-token-after-delete'],
    check: (del, token) => (del.status === 200 || del.status === 204 ? undefined : needs(del, 204)) ?? clientAuthRefusal(token, { basic: token.sent.method === 'client_secret_basic' }),
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
  ...putChecks(),
];

/**
 * PUT carries the whole registration request again (OBIE PUT, RFC 7592 2.2), so it is verified as
 * POST is: each probe is the valid PUT (mgmt-put, answered 200) with one change POST would refuse.
 */
function putChecks() {
  const put = (tags: string[] = []) => mgmt(['PUT', 'negative', 'gap', ...tags]);
  return [
    defineCheck({
      id: 'PUT-FOREIGN-KEY',
      title: 'A PUT signed by a key not in the software JWKS (same kid) is refused',
      spec: ['OBDCR-PUT', 'OBDCR-REQ', 'RFC7515-4.1'],
      severity: 'MUST',
      tags: put(['jws']),
      rules: ['JWS-SIGNATURE'],
      exchanges: ['mgmt-put-foreign-key'],
      check: (r) => expectRefusal(r, ['invalid_client_metadata']),
    }),
    /** RFC 8725 3.1: "libraries ... MUST NOT accept ... none". */
    defineCheck({
      id: 'PUT-ALG-NONE',
      title: 'An unsigned PUT (alg none) is refused',
      spec: ['OBDCR-PUT', 'RFC8725-3.1'],
      severity: 'MUST',
      tags: put(['jws']),
      rules: ['JWS-ALG', 'JWS-SIGNATURE'],
      exchanges: ['mgmt-put-alg-none'],
      check: (r) => expectRefusal(r, ['invalid_client_metadata']),
    }),
    /** RFC 7519 4.1.4: "MUST NOT be accepted for processing" after exp. */
    defineCheck({
      id: 'PUT-EXPIRED',
      title: 'A PUT with an expired exp is refused',
      spec: ['OBDCR-PUT', 'RFC7519-4.1'],
      severity: 'MUST',
      tags: put(['claims', 'REQ-04']),
      rules: ['REQ-EXP'],
      exchanges: ['mgmt-put-expired'],
      check: (r) => expectRefusal(r, ['invalid_client_metadata']),
    }),
    /**
     * RFC 7592 2.2: the client "MUST include its "client_id" field in the request, and it MUST be the
     * same as its currently issued client identifier". A PUT naming another client in its body is refused
     * (400, or 403 as for a token of another client).
     */
    defineCheck({
      id: 'PUT-CLIENT-ID-MISMATCH',
      title: 'A PUT whose client_id claim is not the ClientId in the path is refused',
      spec: ['OBDCR-PUT', 'RFC7592-2.2'],
      severity: 'MUST',
      tags: put(['claims']),
      rules: ['REQ-CLIENT-ID-PATH'],
      exchanges: ['mgmt-put-client-id-other'],
      check: (r) => expectRefusal(r, [...REGISTRATION_ERRORS, 'invalid_request', 'access_denied'], [400, 403]),
    }),
    /**
     * OBIE REQ-14: software_id, if present, equals the SSA software_id; RFC 7591 2: it "SHOULD remain
     * the same across multiple updates". RFC 7591 3.2.1 lets a server "reject or replace any of the
     * client's requested metadata values ... and substitute them with suitable values": refused, or
     * accepted with the software_id unchanged, both pass; a changed software_id fails.
     */
    /** OBIE REQ-08 holds for PUT too (PUT carries the whole request, RFC 7592 2.2): every redirect_uri one of the SSA's. */
    /*
     * SHOULD: a bank may keep the statement it verified at registration and ignore the one a PUT carries;
     * the pack cannot tell that from trusting a forged one, and no sentence says a PUT's statement is re-verified.
     */
    refusal({ id: 'PUT-SSA-WRONG-KEY', title: 'A PUT whose software statement is re-signed by a foreign key under the directory kid is refused', exchange: 'mgmt-put-ssa-foreign-key', rules: ['SSA-SIGNATURE'], spec: ['OBDCR-PUT', 'OBDCR-SSA'], errors: ['invalid_software_statement', 'unapproved_software_statement'], tags: ['management', 'PUT', 'ssa', 'gap'], severity: 'SHOULD' }),
    refusal({ id: 'PUT-REDIRECT-NOT-IN-SSA', title: 'A PUT with a redirect_uri outside the SSA software_redirect_uris is refused', exchange: 'mgmt-put-redirect-foreign', rules: ['REQ-REDIRECT-SUBSET'], spec: ['OBDCR-PUT', 'OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri', 'invalid_client_metadata'], tags: ['management', 'PUT', 'redirect', 'REQ-08', 'gap'] }),
    defineCheck({
      id: 'PUT-SOFTWARE-ID-CHANGE',
      title: 'A PUT with a software_id other than the SSA\'s is refused, or leaves software_id unchanged',
      spec: ['OBDCR-PUT', 'RFC7592-2.2', 'RFC7591-2'],
      severity: 'MUST',
      tags: put(['claims', 'REQ-14']),
      rules: ['REQ-SOFTWARE-ID', 'PUT-SOFTWARE-ID'],
      exchanges: ['mgmt-register', 'mgmt-put-software-id-other'],
      check: softwareIdChangeVerdict,
    }),
  ];
}

function crossClientCheck(method: 'PUT' | 'DELETE', exchange: string, title: string) {
  return defineCheck({
    id: `MGT-CROSS-CLIENT-${method}-403`,
    title,
    spec: [method === 'PUT' ? 'OBDCR-PUT' : 'OBDCR-DELETE', 'RFC6750-3'],
    severity: 'MUST',
    tags: mgmt(['MGT-02', method, 'gap']),
    rules: ['MGT-CLIENT-MATCH'],
    exchanges: [exchange],
    check: (r) => crossClientVerdict(r, method),
  });
}

/** Another client's token: 403 (OBIE MGT-02); a 2xx means the caller changed or removed a client it does not own. */
export function crossClientVerdict(r: Recorded, method: 'PUT' | 'DELETE'): Verdict {
  if (r.status >= 200 && r.status < 300) return fail(`${method} with another client's token was accepted (${r.status}): any client can ${method === 'PUT' ? 'rewrite' : 'delete'} any other`, evidenceOf(r, { expected: 403, actual: r.status }));
  return status(r, 403, `${method} with another client's token`);
}

/** The PUT naming another software_id: refused (400), or 200 answering the client's original software_id. */
export function softwareIdChangeVerdict(registration: Recorded, put: Recorded): Verdict {
  if (put.status !== 200) return expectRefusal(put, ['invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement']);
  const claims = registration.sent.claims as Record<string, unknown> | undefined;
  const original = body(registration).software_id ?? claims?.software_id;
  const answered = body(put).software_id;
  if (original !== undefined && answered === original) return pass(evidenceOf(put, { expected: original, actual: answered }), 'accepted with the software_id unchanged');
  return fail(answered === undefined ? 'the PUT was accepted and its answer does not show the client\'s software_id' : `the PUT changed software_id from ${JSON.stringify(original)} to ${JSON.stringify(answered)}`, evidenceOf(put, { expected: original, actual: answered }));
}
