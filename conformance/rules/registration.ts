import { body, header, type Recorded } from '../exchange';
import { blocked, defineCheck, evidenceOf, fail, pass, skip, type Verdict } from './define';
import { summarize } from '../diagnose';

const reg = (tags: string[] = []) => ['registration', 'positive', ...tags];

/** For checks about tls_client_auth clients: skip when the target's preferred method is another. */
function notMtls(r: Recorded): Verdict | undefined {
  const m = (r.sent.claims as Record<string, unknown> | undefined)?.token_endpoint_auth_method;
  return m === 'tls_client_auth' ? undefined : skip(`the valid registration used the target's preferred method ${JSON.stringify(m)}, not tls_client_auth`);
}

/** A check about the client a registration created: blocked (not failed) when there is none; DCR-002-REGISTER-201 judges that. */
function created(r: Recorded): Verdict | undefined {
  if (r.clientId) return undefined;
  return blocked(r.name, `blocked: ${r.name} created no client (${r.status >= 200 && r.status < 300 ? `answered ${r.status} without a client_id` : summarize(r)})`, evidenceOf(r));
}

/** A positive check of its own exchange: the registration must have been accepted. */
function registeredHere(r: Recorded): Verdict {
  if (r.clientId) return pass(evidenceOf(r));
  const why = r.status >= 200 && r.status < 300 ? `answered ${r.status} without a client_id` : `refused: ${summarize(r)}`;
  return fail(`the registration created no client: ${why}`, evidenceOf(r, { expected: '201 with a client_id' }));
}

/** The response fields RFC 7591 3.2.1 and OBIE RES-01 require, with their JSON types. */
const RESPONSE_SCHEMA: ReadonlyArray<readonly [string, (v: unknown) => boolean, string]> = [
  ['client_id', (v) => typeof v === 'string' && v.length > 0, 'a non-empty string'],
  ['redirect_uris', (v) => Array.isArray(v) && v.every((u) => typeof u === 'string'), 'an array of strings'],
  ['token_endpoint_auth_method', (v) => typeof v === 'string', 'a string'],
  ['grant_types', (v) => Array.isArray(v) && v.every((u) => typeof u === 'string'), 'an array of strings'],
  ['software_id', (v) => typeof v === 'string', 'a string'],
  ['client_id_issued_at', (v) => v === undefined || Number.isInteger(v), 'absent or integer seconds'],
  ['response_types', (v) => v === undefined || (Array.isArray(v) && v.every((u) => typeof u === 'string')), 'absent or an array of strings'],
  ['scope', (v) => v === undefined || typeof v === 'string' || (Array.isArray(v) && v.every((u) => typeof u === 'string')), 'absent, a string or an array'],
];

const text = (max: number) => (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= max;
const optional = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);

/**
 * The OBIE data dictionary's limits and formats (v3.2/v3.3 OBClientRegistration1, as the official
 * tool's response schema holds them): client_id and client_secret Max36Text, software_id Base62 up
 * to 22, scope up to 256, the subject DN up to 128, algorithms as strings.
 */
const OBIE_SCHEMA: ReadonlyArray<readonly [string, (v: unknown) => boolean, string]> = [
  ['client_id', text(36), 'a string of 1 to 36 characters (OBIE Max36Text)'],
  ['client_secret', optional(text(36)), 'absent or a string of 1 to 36 characters (OBIE Max36Text)'],
  ['software_id', (v) => typeof v === 'string' && /^[0-9a-zA-Z]{1,22}$/.test(v), 'Base62 of 1 to 22 characters (OBIE)'],
  ['scope', optional((v) => (typeof v === 'string' ? v.length >= 1 && v.length <= 256 : Array.isArray(v))), 'absent or at most 256 characters (OBIE)'],
  ['tls_client_auth_subject_dn', optional(text(128)), 'absent or at most 128 characters (OBIE)'],
  ['id_token_signed_response_alg', optional((v) => typeof v === 'string'), 'absent or a string'],
  ['request_object_signing_alg', optional((v) => typeof v === 'string'), 'absent or a string'],
  ['token_endpoint_auth_signing_alg', optional((v) => typeof v === 'string'), 'absent or a string'],
];

/** Returns the schema violations of a client description, empty when valid. */
export function clientSchemaErrors(b: Record<string, unknown>): string[] {
  const errors = [...RESPONSE_SCHEMA, ...OBIE_SCHEMA].filter(([k, ok]) => !ok(b[k])).map(([k, , want]) => `${k} must be ${want} (got ${JSON.stringify(b[k])?.slice(0, 80)})`);
  const method = b.token_endpoint_auth_method;
  if ((method === 'private_key_jwt' || method === 'client_secret_jwt') && typeof b.token_endpoint_auth_signing_alg !== 'string') errors.push(`token_endpoint_auth_signing_alg is required for ${method}`);
  return errors;
}

export const registrationChecks = [
  /** OBIE POST /register: "201 Created ... the client was successfully registered". */
  defineCheck({
    id: 'DCR-002-REGISTER-201',
    title: 'A valid registration request over mTLS is answered 201 Created',
    spec: ['OBDCR-POST', 'RFC7591-3.2.1'],
    severity: 'MUST',
    tags: reg(['DCR-002']),
    rules: ['RES-CREATED-201'],
    exchanges: ['register-valid'],
    check: (r) => (r.status === 201 ? pass(evidenceOf(r)) : fail(`expected 201, got ${summarize(r)}`, evidenceOf(r, { expected: 201 }))),
  }),
  /** RFC 7591 3.2.1: "The response ... uses the application/json media type" (a JSON object, not a JWS). */
  defineCheck({
    id: 'RES-JSON',
    title: 'The registration response is an application/json object, not a JWS',
    spec: ['RFC7591-3.2.1', 'OBDCR-POST'],
    severity: 'MUST',
    tags: reg(['RES-01']),
    rules: ['RES-CLIENT-JSON'],
    exchanges: ['register-valid'],
    check: (r) => {
      const json = /^application\/json/.test(header(r, 'content-type') ?? '') && typeof r.json === 'object' && r.json !== null && !Array.isArray(r.json);
      // A 2xx that is not a JSON object fails even when it hides the client (a JWS, an empty body); a JSON one must have created a client.
      if (r.status >= 200 && r.status < 300 && !json) return fail('RFC 7591 3.2.1: the response "uses the application/json media type"; this body is not a JSON object with Content-Type application/json', evidenceOf(r, { expected: 'application/json object' }));
      return created(r) ?? pass(evidenceOf(r));
    },
  }),
  defineCheck({
    id: 'RES-SCHEMA-POST',
    title: 'The POST response has client_id, redirect_uris, token_endpoint_auth_method, grant_types, software_id with the right types',
    spec: ['RFC7591-3.2.1', 'OBDCR-POST'],
    severity: 'MUST',
    tags: reg(['RES-01', 'schema']),
    rules: ['RES-METADATA'],
    exchanges: ['register-valid'],
    check: (r) => {
      const errors = clientSchemaErrors(body(r));
      return created(r) ?? (errors.length === 0 ? pass(evidenceOf(r)) : fail(errors.join('; '), evidenceOf(r, { actual: errors })));
    },
  }),
  /**
   * RFC 7591 3.2.1: "the authorization server MUST return all registered metadata about this client";
   * it "MAY reject or replace any of the client's requested metadata values ... and substitute them
   * with suitable values". Absent fails; a substituted value passes, named in the message.
   */
  defineCheck({
    id: 'RES-ECHO-METADATA',
    title: 'The response returns the registered redirect_uris and token_endpoint_auth_method (as sent, or substituted)',
    spec: ['RFC7591-3.2.1'],
    severity: 'MUST',
    tags: reg(['RES-01']),
    rules: ['RES-METADATA'],
    exchanges: ['register-valid'],
    check: (r) => {
      const b = body(r);
      const sent = (r.sent.claims ?? {}) as Record<string, unknown>;
      const expected = { redirect_uris: sent.redirect_uris, token_endpoint_auth_method: sent.token_endpoint_auth_method };
      const actual = { redirect_uris: b.redirect_uris, token_endpoint_auth_method: b.token_endpoint_auth_method };
      const absent = Object.entries(actual).filter(([, v]) => v === undefined).map(([k]) => k);
      if (absent.length) return created(r) ?? fail(`the response does not return the registered ${absent.join(' and ')}`, evidenceOf(r, { expected, actual }));
      const substituted = Object.keys(actual).filter((k) => JSON.stringify(actual[k as keyof typeof actual]) !== JSON.stringify(expected[k as keyof typeof expected]));
      return created(r) ?? pass(evidenceOf(r, { expected, actual }), substituted.length ? `${substituted.join(' and ')} substituted by the bank, as RFC 7591 3.2.1 allows` : 'as expected');
    },
  }),
  /** OBIE RES-01: the response carries the SSA claims, software_id among them. */
  defineCheck({
    id: 'RES-SOFTWARE-ID',
    title: 'The response software_id equals the SSA software_id',
    spec: ['OBDCR-POST', 'OBDCR-SSA'],
    severity: 'MUST',
    tags: reg(['RES-01']),
    rules: ['RES-METADATA'],
    exchanges: ['register-valid'],
    check: (r) => created(r) ?? (body(r).software_id === r.sent.softwareId ? pass(evidenceOf(r)) : fail('software_id differs from the SSA', evidenceOf(r, { expected: r.sent.softwareId, actual: body(r).software_id }))),
  }),
  /** RFC 8705 2.1: the client registers the expected subject DN with tls_client_auth. */
  defineCheck({
    id: 'RES-TLS-DN',
    title: 'A tls_client_auth client gets its subject DN back in tls_client_auth_subject_dn (or v3.1 tls_client_auth_dn)',
    spec: ['RFC8705-2', 'OBDCR-REQ'],
    severity: 'MUST',
    tags: reg(['RES-01']),
    rules: ['RES-METADATA'],
    exchanges: ['register-valid'],
    check: (r) => {
      const b = body(r);
      const dn = b.tls_client_auth_subject_dn ?? b.tls_client_auth_dn;
      return notMtls(r) ?? created(r) ?? (typeof dn === 'string' && dn.length > 0 ? pass(evidenceOf(r, { actual: dn })) : fail('no subject DN in the response', evidenceOf(r)));
    },
  }),
  /** OBIE RES-03: "client_secret ... only when the auth method needs one". */
  defineCheck({
    id: 'RES-NO-SECRET-FOR-MTLS',
    title: 'A tls_client_auth client is not given a client_secret',
    spec: ['OBDCR-POST', 'RFC7591-3.2.1'],
    severity: 'SHOULD',
    tags: reg(['RES-03']),
    rules: ['RES-SECRET'],
    exchanges: ['register-valid'],
    check: (r) => notMtls(r) ?? created(r) ?? (body(r).client_secret === undefined ? pass(evidenceOf(r)) : fail('a client_secret was issued to a tls_client_auth client', evidenceOf(r))),
  }),
  /** OBIE REQ-01: application/jwt (v3.1) and application/jose (v3.2+) are both registration content types. */
  defineCheck({
    id: 'REQ-CONTENT-TYPE-JWT',
    title: 'A request sent as application/jwt is accepted as well as application/jose',
    spec: ['OBDCR-POST', 'OBDCR-3.1'],
    severity: 'SHOULD',
    tags: reg(['REQ-01']),
    rules: ['HTTP-CONTENT-TYPE-JWT'],
    exchanges: ['register-content-type-jwt'],
    check: (r) => registeredHere(r),
  }),
  /** RFC 7591 3.2.1: "client_secret_expires_at: REQUIRED if client_secret is issued". */
  defineCheck({
    id: 'RES-SECRET-EXPIRES-AT',
    title: 'A client_secret_basic client gets client_secret and client_secret_expires_at',
    spec: ['RFC7591-3.2.1', 'OBDCR-POST'],
    severity: 'MUST',
    tags: reg(['RES-03']),
    rules: ['RES-SECRET'],
    exchanges: ['register-client-secret-basic'],
    check: (r) => {
      const b = body(r);
      return created(r) ?? (typeof b.client_secret === 'string' && Number.isInteger(b.client_secret_expires_at)
        ? pass(evidenceOf(r))
        : fail('client_secret with an integer client_secret_expires_at is required', evidenceOf(r, { actual: { client_secret: typeof b.client_secret, client_secret_expires_at: b.client_secret_expires_at } })));
    },
  }),
  /** The secret client's answer holds the OBIE data dictionary too: client_secret is Max36Text, and RFC 7591 3.2.1 makes client_secret_expires_at "REQUIRED if client_secret is issued". */
  defineCheck({
    id: 'RES-SCHEMA-SECRET-CLIENT',
    title: 'A client_secret_basic client\'s answer is schema-valid: client_secret at most 36 characters, client_secret_expires_at an integer',
    spec: ['RFC7591-3.2.1', 'OBDCR-POST'],
    severity: 'MUST',
    tags: reg(['RES-03', 'schema']),
    rules: ['RES-SECRET'],
    exchanges: ['register-client-secret-basic'],
    check: (r) => {
      const b = body(r);
      const errors = clientSchemaErrors(b);
      if (typeof b.client_secret !== 'string') errors.push('client_secret is missing');
      if (!Number.isInteger(b.client_secret_expires_at)) errors.push('client_secret_expires_at must be an integer when a client_secret is issued (RFC 7591 3.2.1)');
      return created(r) ?? (errors.length === 0 ? pass(evidenceOf(r, { body: '(secret redacted)' })) : fail(errors.join('; '), evidenceOf(r, { actual: errors, body: '(secret redacted)' })));
    },
  }),
  defineCheck({
    id: 'REQ-PRIVATE-KEY-JWT',
    title: 'A private_key_jwt registration with PS256 is accepted',
    spec: ['OBDCR-REQ', 'RFC7523-3'],
    severity: 'MUST',
    tags: reg(['REQ-09']),
    rules: ['REQ-PRIVATE-KEY-JWT'],
    exchanges: ['register-private-key-jwt'],
    check: (r) => registeredHere(r),
  }),
  /**
   * The first use must be accepted, the replay refused. SHOULD: OBIE makes jti a unique UUIDv4 and RFC
   * 7519 4.1.7 says it "can be used to prevent the JWT from being replayed", but no sentence requires a
   * bank to refuse a replayed registration request.
   */
  defineCheck({
    id: 'REQ-JTI-REPLAY',
    title: 'The same signed request sent twice is refused the second time (jti replay)',
    spec: ['OBDCR-REQ', 'RFC7519-4.1'],
    severity: 'SHOULD',
    tags: ['registration', 'negative', 'gap', 'REQ-06'],
    rules: ['REQ-JTI-REPLAY'],
    exchanges: ['register-replay-first', 'register-replay-second'],
    check: (first, second) => {
      if (!first.clientId) return blocked(first.name, `blocked: the first use was not accepted (${summarize(first)})`, evidenceOf(first, { expected: 201 }));
      const b = body(second);
      return second.status === 400 && b.error === 'invalid_client_metadata'
        ? pass(evidenceOf(second))
        : fail('the replayed request was not refused with 400 invalid_client_metadata', evidenceOf(second, { expected: '400 invalid_client_metadata' }));
    },
  }),
  /** Discovery must describe behaviour: the advertised registration endpoint is the one that registers. */
  defineCheck({
    id: 'DISC-CONSISTENT-REGISTER',
    title: 'The registration_endpoint advertised in discovery is the one that registered the client',
    spec: ['OBDCR-GEN', 'OIDC-DISCOVERY'],
    severity: 'MUST',
    tags: ['discovery', 'consistency'],
    rules: ['DISC-REGISTRATION-ENDPOINT'],
    exchanges: ['discovery', 'register-valid'],
    check: (d, r) => {
      const advertised = body(d).registration_endpoint;
      if (!r.clientId) return blocked(r.name, `blocked: registration at ${r.request.url} created no client (${summarize(r)})`, evidenceOf(r));
      return advertised === r.request.url ? pass(evidenceOf(r, { actual: advertised })) : fail('registration worked at an endpoint discovery does not advertise', evidenceOf(r, { expected: advertised, actual: r.request.url }));
    },
  }),
  defineCheck({
    id: 'DISC-CONSISTENT-AUTH-METHOD',
    title: 'The auth method that registered successfully is advertised in token_endpoint_auth_methods_supported',
    spec: ['OIDC-DISCOVERY', 'RFC8705-2'],
    severity: 'SHOULD',
    tags: ['discovery', 'consistency'],
    rules: ['DISC-AUTH-METHODS'],
    exchanges: ['discovery', 'register-valid'],
    check: (d, r) => {
      const methods = body(d).token_endpoint_auth_methods_supported;
      if (!r.clientId) return blocked(r.name, `blocked: the valid registration created no client (${summarize(r)})`, evidenceOf(r));
      return Array.isArray(methods) && methods.includes(body(r).token_endpoint_auth_method)
        ? pass(evidenceOf(d, { actual: methods }))
        : fail('the registered auth method is not advertised', evidenceOf(d, { expected: body(r).token_endpoint_auth_method, actual: methods }));
    },
  }),
];
