import { body, header, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import { defineCheck, evidenceOf, fail, pass, skip, type Check, type CheckDefinition, type Verdict } from './define';
import { RFC7591, RFC7592, q } from './quotes';
import { RFC7591_DIALECT } from '../sweep/rfc7591';

/**
 * The plain RFC 7591 / 7592 checks judged on the accepted exchanges themselves (the one-change
 * rows are in conformance/sweep/rfc7591.ts): the registration answer, the registration access
 * token, read, update (read back), delete.
 */
type Def = Omit<CheckDefinition, 'rules' | 'dialects' | 'tags'> & { tags: string[] };
const check = (def: Def): Check => defineCheck({ ...def, tags: ['rfc7591', ...def.tags], rules: [], dialects: RFC7591_DIALECT });

const isJson = (r: Recorded) => /^application\/json/.test(header(r, 'content-type') ?? '');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const requestJson = (r: Recorded): Record<string, unknown> => {
  try {
    const v = JSON.parse(r.request.body ?? '{}') as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** A 2xx of the given status with a JSON object body. */
function jsonAnswer(r: Recorded, status: number, what: string): Verdict | undefined {
  if (r.status !== status) return fail(`${what}: expected ${status}, got ${summarize(r)}`, evidenceOf(r, { expected: status }));
  if (!isJson(r)) return fail(`${what}: the body is not application/json`, evidenceOf(r, { expected: 'application/json', actual: header(r, 'content-type') }));
  if (typeof r.json !== 'object' || r.json === null || Array.isArray(r.json)) return fail(`${what}: the body is not a JSON object`, evidenceOf(r));
  return undefined;
}

const RAT_FIELDS = q('RFC7592-3', 'registration_access_token REQUIRED. String containing the access token to be used at the client configuration endpoint to perform subsequent operations upon the client registration.');
const DELETE_INVALIDATES = q('RFC7592-2.3', 'A successful delete action will invalidate the "client_id", "client_secret", and "registration_access_token" for this client, thereby preventing the "client_id" from being used at either the authorization endpoint or token endpoint of the authorization server.');

export const rfc7591RegistrationChecks: Check[] = [
  check({
    id: 'RFC7591-REGISTER-201', title: 'A valid JSON registration (no software_statement unless the target gives one) is answered 201 application/json with a client_id', spec: ['RFC7591-3.2.1'], severity: 'MUST', tags: ['registration', 'positive'],
    quotes: [RFC7591.created], exchanges: ['rfc7591-register'],
    check: (r) => jsonAnswer(r, 201, 'the registration') ?? (typeof body(r).client_id === 'string' && body(r).client_id !== '' ? pass(evidenceOf(r)) : fail('201 without a string client_id', evidenceOf(r, { expected: 'client_id', actual: body(r).client_id }))),
  }),
  check({
    id: 'RFC7591-REGISTER-METADATA-RETURNED', title: 'The 201 returns every metadata member the request registered (the server may have replaced values, not dropped members)', spec: ['RFC7591-3.2.1', 'RFC7591-2'], severity: 'MUST', tags: ['registration', 'positive'],
    quotes: [RFC7591.allMetadata], exchanges: ['rfc7591-register'],
    check: (r) => {
      if (r.status < 200 || r.status >= 300) return skip(`the registration answered ${summarize(r)} (judged by RFC7591-REGISTER-201)`);
      const sent = (r.sent.metadata ?? {}) as Record<string, unknown>;
      const missing = Object.keys(sent).filter((k) => k !== 'software_statement' && body(r)[k] === undefined);
      return missing.length === 0 ? pass(evidenceOf(r)) : fail(`the response leaves out ${missing.join(', ')}`, evidenceOf(r, { expected: missing, actual: Object.keys(body(r)) }));
    },
  }),
  check({
    id: 'RFC7591-SECRET-EXPIRES-AT', title: 'A registration answer that issues a client_secret carries client_secret_expires_at (a number, 0 for never)', spec: ['RFC7591-3.2.1'], severity: 'MUST', tags: ['registration', 'secret'],
    quotes: [RFC7591.secretExpires], exchanges: ['rfc7591-register'],
    check: (r) => {
      const b = body(r);
      if (b.client_secret === undefined) return pass(evidenceOf(r), 'no client_secret issued: nothing to expire');
      return typeof b.client_secret_expires_at === 'number' && Number.isInteger(b.client_secret_expires_at) && b.client_secret_expires_at >= 0
        ? pass(evidenceOf(r, { actual: b.client_secret_expires_at }))
        : fail('a client_secret is issued without a numeric client_secret_expires_at', evidenceOf(r, { expected: 'client_secret_expires_at: a number', actual: b.client_secret_expires_at }));
    },
  }),
];

/** The client's own record, as GET answers it (minus the token the server may rotate). */
const record = (r: Recorded) => Object.fromEntries(Object.entries(body(r)).filter(([k]) => k !== 'registration_access_token'));

export const rfc7592Checks: Check[] = [
  check({
    id: 'RFC7592-RAT-ISSUED', title: 'The registration answer carries a registration_access_token and an https registration_client_uri', spec: ['RFC7592-3'], severity: 'MUST', tags: ['management', 'registration-access-token'],
    quotes: [RAT_FIELDS, q('RFC7592-3', 'registration_client_uri REQUIRED. String containing the fully qualified URL of the client configuration endpoint for this client.')], exchanges: ['rfc7592-register'],
    check: (r) => {
      const b = body(r);
      if (typeof b.registration_access_token !== 'string' || b.registration_access_token === '') return fail('no registration_access_token in the registration answer', evidenceOf(r, { expected: 'registration_access_token' }));
      const uri = b.registration_client_uri;
      return typeof uri === 'string' && URL.canParse(uri) && new URL(uri).protocol === 'https:'
        ? pass(evidenceOf(r))
        : fail('no https registration_client_uri in the registration answer', evidenceOf(r, { expected: 'an https URL', actual: uri }));
    },
  }),
  check({
    id: 'RFC7592-READ-200', title: 'GET at the registration_client_uri with the registration access token answers 200 JSON with the same client_id', spec: ['RFC7592-2.1'], severity: 'MUST', tags: ['management', 'GET', 'positive'],
    quotes: [RFC7592.readOk, RFC7592.sameClientId], exchanges: ['rfc7592-register', 'rfc7592-get'],
    check: (post, get) => jsonAnswer(get, 200, 'the GET') ?? (same(body(get).client_id, body(post).client_id) ? pass(evidenceOf(get)) : fail(`the GET answers client_id ${JSON.stringify(body(get).client_id)}, registered ${JSON.stringify(body(post).client_id)}`, evidenceOf(get, { expected: body(post).client_id, actual: body(get).client_id }))),
  }),
  check({
    id: 'RFC7592-UPDATE-200', title: 'PUT of the whole record (as last read, one value changed) with the registration access token answers 200 JSON with the same client_id', spec: ['RFC7592-2.2'], severity: 'MUST', tags: ['management', 'PUT', 'positive'],
    quotes: [RFC7592.updateOk, RFC7592.updateClientId], exchanges: ['rfc7592-register', 'rfc7592-put'],
    check: (post, put) => jsonAnswer(put, 200, 'the PUT') ?? (same(body(put).client_id, body(post).client_id) ? pass(evidenceOf(put)) : fail('the PUT answers another client_id', evidenceOf(put, { expected: body(post).client_id, actual: body(put).client_id }))),
  }),
  check({
    id: 'RFC7592-UPDATE-READBACK', title: 'A GET after the successful PUT shows the value the PUT changed, as the PUT answered it (a success that changed nothing fails)', spec: ['RFC7592-2.2'], severity: 'MUST', tags: ['management', 'PUT', 'read-back'],
    quotes: [q('RFC7592-2.2', 'Valid values of client metadata fields in this request MUST replace, not augment, the values previously associated with this client.'), RFC7592.updateOk],
    exchanges: ['rfc7592-get', 'rfc7592-put', 'rfc7592-get-after-put'],
    check: (before, put, after) => {
      if (put.status !== 200) return skip(`the PUT answered ${summarize(put)} (judged by RFC7592-UPDATE-200)`);
      if (after.status !== 200) return fail(`the GET after the PUT answered ${summarize(after)}`, evidenceOf(after, { expected: 200 }));
      const requested = requestJson(put).client_name;
      const answered = body(put).client_name;
      const stored = body(after).client_name;
      if (!same(answered, stored)) return fail(`the PUT answered client_name ${JSON.stringify(answered)}, the GET after it shows ${JSON.stringify(stored)}`, evidenceOf(after, { expected: answered, actual: stored }));
      if (same(stored, body(before).client_name) && !same(requested, body(before).client_name)) return fail(`the PUT was acknowledged but changed nothing: client_name is still ${JSON.stringify(stored)}`, evidenceOf(after, { expected: requested, actual: stored }));
      return pass(evidenceOf(after, { requested, stored }), same(requested, stored) ? 'the change is stored as acknowledged' : 'stored as answered (a substitution RFC 7592 2.2 allows)');
    },
  }),
  check({
    id: 'RFC7592-UPDATE-OMITTED-REMOVED', title: 'A PUT that omits a registered member (client_name) removes it: a GET after it no longer shows the old value', spec: ['RFC7592-2.2'], severity: 'MUST', tags: ['management', 'PUT', 'read-back'],
    quotes: [q('RFC7592-2.2', "Omitted fields MUST be treated as null or empty values by the server, indicating the client's request to delete them from the client's registration.")],
    exchanges: ['rfc7592-get-after-put-probes', 'rfc7592-put-omit', 'rfc7592-get-after-omit'],
    check: (before, put, after) => {
      if (put.status !== 200) return fail(`the PUT omitting client_name answered ${summarize(put)}`, evidenceOf(put, { expected: 200 }));
      if (after.status !== 200) return fail(`the GET after the PUT answered ${summarize(after)}`, evidenceOf(after, { expected: 200 }));
      const old = body(before).client_name;
      const now = body(after).client_name;
      return old !== undefined && same(old, now)
        ? fail(`client_name was omitted, but the client still holds ${JSON.stringify(now)}: the PUT augmented the record instead of replacing it`, evidenceOf(after, { expected: 'no client_name (or a server default)', actual: now }))
        : pass(evidenceOf(after, { actual: now }), now === undefined ? 'client_name removed' : `client_name replaced by a server default ${JSON.stringify(now)}`);
    },
  }),
  check({
    id: 'RFC7592-PUT-PROBES-READBACK', title: 'After the PUT probes (another client_id, a chosen secret, the server-only fields), a GET shows the same client_id and client_secret as before them', spec: ['RFC7592-2.2', 'RFC7592-2.1'], severity: 'MUST', tags: ['management', 'PUT', 'read-back'],
    quotes: [RFC7592.sameClientId, q('RFC7592-2.2', 'The client MUST NOT be allowed to overwrite its existing client secret with its own chosen value.')],
    exchanges: ['rfc7592-get-after-put', 'rfc7592-get-after-put-probes'],
    check: (before, after) => {
      if (after.status !== 200) return fail(`the client cannot be read after the PUT probes: ${summarize(after)}`, evidenceOf(after, { expected: 200 }));
      const off = ['client_id', 'client_secret'].filter((f) => !same(body(before)[f], body(after)[f]));
      return off.length === 0 ? pass(evidenceOf(after)) : fail(`a PUT probe changed ${off.join(', ')}`, evidenceOf(after, { expected: Object.fromEntries(off.map((f) => [f, body(before)[f]])), actual: Object.fromEntries(off.map((f) => [f, body(after)[f]])) }));
    },
  }),
  check({
    id: 'RFC7592-DELETE-204', title: 'DELETE at the registration_client_uri with the registration access token answers 204', spec: ['RFC7592-2.3'], severity: 'MUST', tags: ['management', 'DELETE', 'positive'],
    quotes: [RFC7592.deleted], exchanges: ['rfc7592-delete'],
    check: (r) => (r.status === 204 ? pass(evidenceOf(r)) : fail(`expected 204, got ${summarize(r)}`, evidenceOf(r, { expected: 204 }))),
  }),
  check({
    id: 'RFC7592-DELETED-RAT-REFUSED', title: 'After the DELETE, a GET with the registration access token is refused with 401: the client and its token are gone', spec: ['RFC7592-2.3', 'RFC7592-2.1'], severity: 'MUST', tags: ['management', 'DELETE', 'read-back'],
    quotes: [DELETE_INVALIDATES, RFC7592.readUnknown], exchanges: ['rfc7592-delete', 'rfc7592-get-after-delete'],
    check: (del, get) => {
      if (del.status !== 204 && del.status !== 200) return skip(`the DELETE answered ${summarize(del)} (judged by RFC7592-DELETE-204)`);
      if (get.status >= 200 && get.status < 300) return fail(`the deleted client is still readable (${get.status}): the DELETE kept the client or its token`, evidenceOf(get, { expected: 401, actual: record(get) }));
      return get.status === 401 ? pass(evidenceOf(get)) : fail(`expected 401, got ${summarize(get)}`, evidenceOf(get, { expected: 401 }));
    },
  }),
];
