import { body, header, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import { decodePayload } from '../../fixtures/registration';
import { defineCheck, evidenceOf, fail, pass, skip, type Check, type CheckDefinition, type Verdict } from './define';
import { REGISTRATION_ERRORS } from './refusal';
import { q } from './quotes';
import { CDR, CDR_DIALECT, cdrRefusal, unauthorized } from '../sweep/cdr';

/**
 * The Australia CDR checks judged on the accepted exchanges themselves (the one-change rows are in
 * conformance/sweep/cdr.ts): the registration answer, the second registration of one software_id,
 * GET, PUT and DELETE of the client and the client after it.
 */
type Def = Omit<CheckDefinition, 'rules' | 'dialects' | 'tags'> & { tags: string[] };
const check = (def: Def): Check => defineCheck({ ...def, tags: ['cdr', ...def.tags], rules: [], dialects: CDR_DIALECT });

const isJson = (r: Recorded) => /^application\/json/.test(header(r, 'content-type') ?? '');

/** A 2xx of the given status with a JSON object body and the client_id expected (any non-empty one when undefined). */
function clientAnswer(r: Recorded, status: number, what: string, clientId?: unknown): Verdict {
  if (r.status !== status) return fail(`${what}: expected ${status}, got ${summarize(r)}`, evidenceOf(r, { expected: status }));
  if (!isJson(r) || typeof r.json !== 'object' || r.json === null || Array.isArray(r.json)) return fail(`${what}: the body is not a JSON object (application/json)`, evidenceOf(r, { expected: 'application/json', actual: header(r, 'content-type') }));
  const id = body(r).client_id;
  if (typeof id !== 'string' || id === '') return fail(`${what}: no client_id`, evidenceOf(r, { expected: 'client_id' }));
  if (clientId !== undefined && id !== clientId) return fail(`${what}: client_id ${JSON.stringify(id)}, registered ${JSON.stringify(clientId)}`, evidenceOf(r, { expected: clientId, actual: id }));
  return pass(evidenceOf(r));
}

const sentSsa = (r: Recorded): Record<string, unknown> => {
  const claims = (r.sent.claims ?? {}) as Record<string, unknown>;
  try {
    return typeof claims.software_statement === 'string' ? decodePayload(claims.software_statement) : {};
  } catch {
    return {};
  }
};

export const cdrChecks: Check[] = [
  check({
    id: 'CDR-REGISTER-201', title: 'A valid CDR registration (application/jwt over mTLS, a Register SSA) is answered 201 application/json with a client_id', spec: ['CDS-DCR-REGISTER'], severity: 'MUST', tags: ['registration', 'positive'],
    quotes: [CDR.created, CDR.register], exchanges: ['cdr-register'],
    check: (r) => clientAnswer(r, 201, 'the registration'),
  }),
  check({
    id: 'CDR-REGISTER-SOFTWARE-ID', title: "The 201 names the SSA's software_id and only redirect_uris the SSA lists", spec: ['CDS-SEC-REGISTRATION'], severity: 'MUST', tags: ['registration', 'positive'],
    quotes: [CDR.softwareId, CDR.redirectUris], exchanges: ['cdr-register'],
    check: (r) => {
      if (r.status < 200 || r.status >= 300) return skip(`the registration answered ${summarize(r)} (judged by CDR-REGISTER-201)`);
      const ssa = sentSsa(r);
      const b = body(r);
      if (b.software_id !== ssa.software_id) return fail(`software_id ${JSON.stringify(b.software_id)}, the SSA's is ${JSON.stringify(ssa.software_id)}`, evidenceOf(r, { expected: ssa.software_id, actual: b.software_id }));
      const listed = Array.isArray(ssa.redirect_uris) ? ssa.redirect_uris : [];
      const answered = Array.isArray(b.redirect_uris) ? b.redirect_uris : [];
      const outside = answered.filter((u) => !listed.includes(u));
      return answered.length > 0 && outside.length === 0 ? pass(evidenceOf(r)) : fail(answered.length ? `redirect_uris outside the SSA: ${outside.join(', ')}` : 'no redirect_uris in the answer', evidenceOf(r, { expected: listed, actual: answered }));
    },
  }),
  check({
    id: 'CDR-DUPLICATE-SOFTWARE-ID', title: 'A second registration of the same software_id (the accepted request again) is refused with ERR-DCR-001', spec: ['CDS-SEC-REGISTRATION', 'CDS-DCR'], severity: 'MUST', tags: ['registration', 'negative', 'duplicate'],
    quotes: [q('CDS-SEC-REGISTRATION', CDR.softwareId.text, 'one software product, one registration: the Register identifies it, the data holder answers ERR-DCR-001'), CDR.badRequest], exchanges: ['cdr-register', 'cdr-register-duplicate'],
    check: (first, second) => (first.status < 200 || first.status >= 300 ? skip(`the first registration answered ${summarize(first)}`) : cdrRefusal(second, REGISTRATION_ERRORS, 'ERR-DCR-001')),
  }),
  check({
    id: 'CDR-GET-200', title: 'GET /register/{clientId} with a certificate-bound cdr:registration token answers 200 JSON with the same client_id', spec: ['CDS-DCR-MANAGE'], severity: 'MUST', tags: ['management', 'GET', 'positive'],
    quotes: [CDR.read, CDR.manage], exchanges: ['cdr-register', 'cdr-get'],
    check: (post, get) => clientAnswer(get, 200, 'the GET', body(post).client_id),
  }),
  check({
    id: 'CDR-PUT-200', title: 'PUT /register/{clientId} with a fresh registration JWT answers 200 JSON with the same client_id', spec: ['CDS-DCR-MANAGE'], severity: 'MUST', tags: ['management', 'PUT', 'positive'],
    quotes: [CDR.updated, CDR.update], exchanges: ['cdr-register', 'cdr-put'],
    check: (post, put) => clientAnswer(put, 200, 'the PUT', body(post).client_id),
  }),
  check({
    id: 'CDR-DELETE-204', title: 'DELETE /register/{clientId} with the cdr:registration token answers 204', spec: ['CDS-DCR-MANAGE'], severity: 'MUST', tags: ['management', 'DELETE', 'positive'],
    quotes: [CDR.deleted, CDR.remove], exchanges: ['cdr-delete'],
    check: (r) => (r.status === 204 ? pass(evidenceOf(r)) : fail(`expected 204, got ${summarize(r)}`, evidenceOf(r, { expected: 204 }))),
  }),
  check({
    id: 'CDR-DELETED-UNKNOWN', title: 'After the DELETE, a GET of the client with the same token is refused with 401 and a Bearer challenge (the client unknown, or its token revoked with it)', spec: ['CDS-DCR-MANAGE', 'RFC6750-3'], severity: 'MUST', tags: ['management', 'DELETE', 'read-back'],
    quotes: [CDR.unknown, CDR.remove], exchanges: ['cdr-delete', 'cdr-get-after-delete'],
    check: (del, get) => (del.status !== 204 ? skip(`the DELETE answered ${summarize(del)} (judged by CDR-DELETE-204)`) : unauthorized(get)),
  }),
];
