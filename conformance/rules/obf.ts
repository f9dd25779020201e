import { body, header, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import { defineCheck, evidenceOf, fail, pass, skip, type Check, type CheckDefinition, type Verdict } from './define';
import { RFC7592, RFC7591, q } from './quotes';
import { OBF } from './obf-quotes';
import { bearerUnauthorized, expectRefusal } from './refusal';
import { OBF_DIALECT, statementClaims } from '../sweep/obf';
import { activeRoles, allowedScopes } from '../../common/obf-roles';

/**
 * The Open Finance Brasil checks judged on the accepted exchanges themselves (the one-change rows
 * are in conformance/sweep/obf.ts): discovery's mtls_endpoint_aliases, the registration answer,
 * the server defaults and the SSA's precedence, and RFC 7592 management with the registration
 * access token over mutual TLS.
 */
type Def = Omit<CheckDefinition, 'rules' | 'dialects' | 'tags'> & { tags: string[]; rules?: CheckDefinition['rules'] };
/** rules: the mock's rules (catalogue/rules.ts) that, switched off, make the check fail on the obf profile (test/conformance/obf-faults.test.ts). */
const check = (def: Def): Check => defineCheck({ ...def, tags: ['obf', ...def.tags], rules: def.rules ?? [], dialects: OBF_DIALECT });

const isJson = (r: Recorded) => /^application\/json/.test(header(r, 'content-type') ?? '');
const scopes = (v: unknown): string[] => (typeof v === 'string' ? v.split(' ').filter(Boolean) : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const sentMetadata = (r: Recorded) => (r.sent.metadata ?? {}) as Record<string, unknown>;

function jsonAnswer(r: Recorded, status: number, what: string): Verdict | undefined {
  if (r.status !== status) return fail(`${what}: expected ${status}, got ${summarize(r)}`, evidenceOf(r, { expected: status }));
  if (!isJson(r) || typeof r.json !== 'object' || r.json === null || Array.isArray(r.json)) return fail(`${what}: the body is not a JSON object (application/json)`, evidenceOf(r, { expected: 'application/json', actual: header(r, 'content-type') }));
  return undefined;
}

const registered = (r: Recorded) => (r.status >= 200 && r.status < 300 ? undefined : skip(`the registration answered ${summarize(r)} (judged by OBF-REGISTER-201)`));

export const obfRegistrationChecks: Check[] = [
  check({
    id: 'OBF-DISCOVERY-MTLS-ALIAS', title: 'Discovery advertises the registration_endpoint in mtls_endpoint_aliases', spec: ['OBF-DCR-6', 'RFC8705-2'], severity: 'MUST', tags: ['discovery', 'transport'],
    quotes: [OBF.alias], exchanges: ['discovery'],
    check: (d) => {
      if (d.status !== 200) return skip(`discovery answered ${summarize(d)}`);
      const aliases = body(d).mtls_endpoint_aliases as Record<string, unknown> | undefined;
      const reg = aliases && typeof aliases === 'object' ? aliases.registration_endpoint : undefined;
      return typeof reg === 'string' && URL.canParse(reg) && new URL(reg).protocol === 'https:'
        ? pass(evidenceOf(d, { actual: reg }))
        : fail('mtls_endpoint_aliases.registration_endpoint is not advertised', evidenceOf(d, { expected: 'mtls_endpoint_aliases.registration_endpoint', actual: aliases }));
    },
  }),
  check({
    id: 'OBF-REGISTER-201', rules: ['RES-CREATED-201'], title: 'A valid OBF registration (private_key_jwt, jwks_uri = software_jwks_uri, a fresh directory SSA, over mTLS) is answered 201 JSON with a client_id, a registration_access_token and an https registration_client_uri', spec: ['OBF-DCR-7.1', 'OBF-DCR-9.3', 'RFC7591-3.2.1'], severity: 'MUST', tags: ['registration', 'positive'],
    quotes: [OBF.controls, OBF.rat, RFC7591.created], exchanges: ['obf-register'],
    check: (r) => {
      const bad = jsonAnswer(r, 201, 'the registration');
      if (bad) return bad;
      const b = body(r);
      if (typeof b.client_id !== 'string' || b.client_id === '') return fail('201 without a string client_id', evidenceOf(r, { expected: 'client_id', actual: b.client_id }));
      if (typeof b.registration_access_token !== 'string' || b.registration_access_token === '') return fail('no registration_access_token in the registration answer', evidenceOf(r, { expected: 'registration_access_token' }));
      const uri = b.registration_client_uri;
      return typeof uri === 'string' && URL.canParse(uri) && new URL(uri).protocol === 'https:' ? pass(evidenceOf(r)) : fail('no https registration_client_uri in the registration answer', evidenceOf(r, { expected: 'an https URL', actual: uri }));
    },
  }),
  check({
    id: 'OBF-SCOPE-DEFAULT', title: 'A registration without scope is granted every scope the SSA\'s active roles allow, and no other (answered in scope)', spec: ['OBF-DCR-7.1', 'OBF-DCR-7.2'], severity: 'MUST', tags: ['registration', 'scope', 'roles'],
    quotes: [OBF.defaultScopes, OBF.roleTable, RFC7591.allMetadata], exchanges: ['obf-register'],
    check: (r) => {
      const not = registered(r);
      if (not) return not;
      const ssa = String(sentMetadata(r).software_statement ?? '');
      const allowed = allowedScopes(activeRoles(statementClaims(ssa).software_statement_roles));
      const got = scopes(body(r).scope);
      const missing = allowed.filter((x) => !got.includes(x));
      const beyond = got.filter((x) => !allowed.includes(x));
      if (missing.length) return fail(`the registered scope lacks ${missing.join(' ')} of the roles' full set`, evidenceOf(r, { expected: allowed.join(' '), actual: body(r).scope }));
      return beyond.length ? fail(`the registered scope adds ${beyond.join(' ')}, which the roles do not allow`, evidenceOf(r, { expected: allowed.join(' '), actual: body(r).scope })) : pass(evidenceOf(r, { actual: body(r).scope }));
    },
  }),
  check({
    id: 'OBF-SSA-PRECEDENCE', title: 'A client_name other than the SSA\'s software_client_name is registered as the SSA says (the SSA\'s value takes precedence)', spec: ['OBF-DCR-7.1'], severity: 'SHOULD', tags: ['registration', 'ssa'],
    quotes: [OBF.precedence], exchanges: ['obf-register-precedence'],
    check: (r) => {
      if (r.status < 200 || r.status >= 300) return fail(`a registration with its own client_name was refused: ${summarize(r)} (the SSA's value takes precedence; nothing makes the request invalid)`, evidenceOf(r, { expected: 201 }));
      const ssaName = statementClaims(String(sentMetadata(r).software_statement ?? '')).software_client_name;
      if (typeof ssaName !== 'string') return skip('the SSA has no software_client_name to take precedence');
      const got = body(r).client_name;
      return got === sentMetadata(r).client_name ? fail(`registered with the request's client_name ${JSON.stringify(got)} over the SSA's ${JSON.stringify(ssaName)}`, evidenceOf(r, { expected: ssaName, actual: got })) : pass(evidenceOf(r, { actual: got }));
    },
  }),
  check({
    id: 'OBF-TLS-REGISTER-201', rules: ['RES-CREATED-201'], title: 'A tls_client_auth registration with tls_client_auth_subject_dn in the OBF rendering of the certificate subject is answered 201 with that subject DN registered', spec: ['OBF-DCR-7.1', 'OBF-DCR-7.1.2', 'RFC8705-2'], severity: 'MUST', tags: ['registration', 'positive', 'dn'],
    quotes: [OBF.dnMatch, OBF.dnFormat, RFC7591.allMetadata], exchanges: ['obf-register-tls'],
    check: (r) => {
      const bad = jsonAnswer(r, 201, 'the tls_client_auth registration');
      if (bad) return bad;
      return typeof body(r).tls_client_auth_subject_dn === 'string' ? pass(evidenceOf(r)) : fail('the answer leaves out tls_client_auth_subject_dn', evidenceOf(r, { expected: sentMetadata(r).tls_client_auth_subject_dn }));
    },
  }),
];

export const obfManagementChecks: Check[] = [
  check({
    id: 'OBF-READ-200', rules: ['MGT-GET'], title: 'GET at the registration_client_uri with the registration access token, over mTLS, answers 200 JSON with the same client_id', spec: ['OBF-DCR-9.3', 'RFC7592-2.1'], severity: 'MUST', tags: ['management', 'GET', 'positive'],
    quotes: [OBF.supports, RFC7592.readOk, RFC7592.sameClientId], exchanges: ['obf-mgmt-register', 'obf-get'],
    check: (post, get) => jsonAnswer(get, 200, 'the GET') ?? (body(get).client_id === body(post).client_id ? pass(evidenceOf(get)) : fail('the GET answers another client_id', evidenceOf(get, { expected: body(post).client_id, actual: body(get).client_id }))),
  }),
  check({
    id: 'OBF-MGMT-NO-CLIENT-CERT', rules: ['TLS-CERT-REQUIRED'], title: 'The same GET without a client certificate is refused (at the TLS layer, or with a 4xx)', spec: ['OBF-DCR-9.3', 'OBF-DCR-7.1'], severity: 'MUST', tags: ['management', 'transport', 'negative'],
    quotes: [OBF.controls, OBF.managementChecks, OBF.certChain, OBF.mtls], exchanges: ['obf-get-no-cert'],
    check: (r) => (r.status >= 200 && r.status < 300 ? fail(`the client was read without a client certificate (${r.status})`, evidenceOf(r, { expected: 'a refusal' })) : expectRefusal(r, ['invalid_client', 'invalid_request', 'invalid_token', 'access_denied'], [0, 400, 401, 403])),
  }),
  check({
    id: 'OBF-MGMT-RAT-WRONG', rules: ['RFC-RAT'], title: 'The same GET with a registration access token the server never issued is refused with 401 invalid_token and a Bearer challenge', spec: ['OBF-DCR-9.3', 'RFC7592-2.1', 'RFC6750-3.1'], severity: 'MUST', tags: ['management', 'registration-access-token', 'negative'],
    quotes: [OBF.controls, OBF.ratMatch, RFC7592.readInvalidToken], exchanges: ['obf-get-wrong-rat'],
    check: (r) => bearerUnauthorized(r, 'GET with a wrong registration access token', true),
  }),
  check({
    id: 'OBF-UPDATE-200', rules: ['MGT-PUT'], title: 'PUT of the record as last read, with a fresh SSA and a narrower scope, answers 200 JSON with the same client_id, and a GET after it shows the new scope', spec: ['OBF-DCR-7.1', 'RFC7592-2.2'], severity: 'MUST', tags: ['management', 'PUT', 'read-back'],
    quotes: [OBF.supports, RFC7592.updateOk, q('RFC7592-2.2', 'Valid values of client metadata fields in this request MUST replace, not augment, the values previously associated with this client.')],
    exchanges: ['obf-mgmt-register', 'obf-put', 'obf-get-after-put'],
    check: (post, put, after) => {
      const bad = jsonAnswer(put, 200, 'the PUT');
      if (bad) return bad;
      if (body(put).client_id !== body(post).client_id) return fail('the PUT answers another client_id', evidenceOf(put, { expected: body(post).client_id, actual: body(put).client_id }));
      if (after.status !== 200) return fail(`the GET after the PUT answered ${summarize(after)}`, evidenceOf(after, { expected: 200 }));
      const asked = scopes(JSON.parse(put.request.body ?? '{}').scope).sort().join(' ');
      const stored = scopes(body(after).scope).sort().join(' ');
      return asked === stored ? pass(evidenceOf(after, { actual: body(after).scope })) : fail(`the PUT asked for scope "${asked}", the GET after it shows "${stored}"`, evidenceOf(after, { expected: asked, actual: stored }));
    },
  }),
  check({
    id: 'OBF-RAT-ROTATED-OLD-REFUSED', rules: ['RFC-RAT'], title: 'Where the PUT answered a new registration access token, the one it replaced is refused (401); where it kept the token, it still works', spec: ['OBF-DCR-9.3', 'RFC7592-3'], severity: 'SHOULD', tags: ['management', 'registration-access-token', 'near-miss'],
    quotes: [OBF.singleUse, OBF.ratMatch], exchanges: ['obf-put', 'obf-get-old-rat'],
    check: (put, get) => {
      if (put.status !== 200) return skip(`the PUT answered ${summarize(put)} (judged by OBF-UPDATE-200)`);
      if (put.sent.rotated !== true) return get.status === 200 ? pass(evidenceOf(get), 'the PUT kept the registration access token: it still reads the client') : fail(`the PUT kept the token, but it no longer reads the client: ${summarize(get)}`, evidenceOf(get, { expected: 200 }));
      return get.status >= 200 && get.status < 300 ? fail('the registration access token the PUT replaced still reads the client: the rotation made nothing single-use', evidenceOf(get, { expected: 401 })) : bearerUnauthorized(get, 'GET with the replaced registration access token', true);
    },
  }),
  check({
    id: 'OBF-DELETE-204', rules: ['MGT-DELETE'], title: 'DELETE at the registration_client_uri with the registration access token, over mTLS, answers 204, and a GET after it is refused with 401', spec: ['OBF-DCR-7.1', 'RFC7592-2.3'], severity: 'MUST', tags: ['management', 'DELETE'],
    quotes: [RFC7592.deleted, RFC7592.readUnknown], exchanges: ['obf-delete', 'obf-get-after-delete'],
    check: (del, get) => {
      if (del.status !== 204) return fail(`expected 204, got ${summarize(del)}`, evidenceOf(del, { expected: 204 }));
      return get.status === 401 ? pass(evidenceOf(get)) : fail(`after the DELETE, the GET answered ${summarize(get)}`, evidenceOf(get, { expected: 401 }));
    },
  }),
];
