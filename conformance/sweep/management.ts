import type { Credentials } from '../../fixtures/https';
import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { ExchangeStep } from '../plans/plan';
import { defineCheck, evidenceOf, fail, pass, skip, type Check, type Verdict } from '../rules/define';
import { OB, RFC7591, RFC7592, q } from '../rules/quotes';
import { stepName as stepNameOf, type SweepRow, type SweepTable } from './table';

/**
 * GET/PUT/DELETE /register/{ClientId}: the identifier in the path changed one way at a time (the
 * software_id in its place, re-cased, truncated), the token and certificate as in the accepted GET;
 * and what a bank acknowledged, read back by a later GET from the client's own angle.
 */
export interface ManagementRequest {
  method: 'GET' | 'PUT' | 'DELETE';
  clientId: string;
  token: string;
  jwt?: string;
  client?: Credentials | null;
  /** The bank's answer to the same request for a ClientId it does not know: what a refusal of an identifier that names no client looks like. */
  unknown?: { status: number };
  /** Set when the row has nothing to change for this client (e.g. its client_id is its software_id): not sent. */
  nothingToProbe?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
export const clientOf = (s: Session, prior: ReadonlyMap<string, Recorded>, name: string) => s.registered(prior.get(name)!).clientId;
export const tokenOf = (prior: ReadonlyMap<string, Recorded>, name: string) => str(body(prior.get(name)!).access_token);

/** The registration_client_uri path's identifier with its case flipped (the first letter), or undefined without letters. */
export function recasedId(id: string): string | undefined {
  const i = id.search(/[a-zA-Z]/);
  if (i < 0) return undefined;
  const c = id[i]!;
  return id.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + id.slice(i + 1);
}

/**
 * Anything but a 2xx, and not a 403 where the bank answers an unknown ClientId otherwise: a 403 says the token is not
 * that client's, so the bank found a client (another one) by an identifier that is not a client_id. The bank's own
 * answer for an unknown ClientId (sent.unknown) is the measure, so that its status policy is judged once, elsewhere
 * (MGT-UNKNOWN-CLIENT-401).
 */
const notFoundOk = (what: string) => (r: Recorded): Verdict => {
  if (r.status >= 200 && r.status < 300) return fail(`${what} was accepted (${r.status}): the bank found a client by an identifier that is not its client_id`, evidenceOf(r, { expected: '401 (unknown ClientId)', actual: r.status }));
  if (r.status === 0) return fail(`no answer: ${r.transportError ?? ''}`, evidenceOf(r));
  const unknown = (r.sent.unknown as { status?: number } | undefined)?.status;
  if (r.status === 403 && unknown !== undefined && unknown !== 403) {
    return fail(`${what} answered 403 (not this token's client) where an unknown ClientId is answered ${unknown}: the bank found another client by an identifier that is not its client_id`, evidenceOf(r, { expected: unknown, actual: r.status }));
  }
  return pass(evidenceOf(r), `refused (${summarize(r)})`);
};

type Row = SweepRow<ManagementRequest>;
const UNKNOWN = q('RFC7592-2.1', 'If the client does not exist on this server, the server MUST respond with HTTP 401 Unauthorized and the registration access token used to make this request SHOULD be immediately revoked.');

/** A row replacing the path's ClientId; the verdict: anything but a 2xx. */
function idRow(id: string, method: ManagementRequest['method'], change: string, title: string, replace: (clientId: string, s: Session) => string | undefined, extra: Partial<Row> = {}): Row {
  return {
    id, element: 'path.ClientId', change, title, rules: ['MGT-CLIENT-MATCH', 'MGT-UNKNOWN-CLIENT'], spec: ['RFC7592-2.1', method === 'GET' ? 'OBDCR-GET' : method === 'PUT' ? 'OBDCR-PUT' : 'OBDCR-DELETE'],
    quotes: [UNKNOWN, OB.getUnknown], tags: [method, 'identifier', 'near-miss'],
    mutate: (req, s) => {
      const other = replace(req.clientId, s);
      const { jwt, ...rest } = req;
      return { ...rest, method, clientId: other ?? req.clientId, ...(method === 'PUT' && jwt !== undefined ? { jwt } : {}), ...(other === undefined ? { nothingToProbe: `the client_id ${req.clientId} has no such variant (${change}): nothing to probe` } : {}) };
    },
    check: (r) => (r.sent.nothingToProbe ? skip(String(r.sent.nothingToProbe)) : notFoundOk(`${method} ${change}`)(r)),
    ...extra,
  };
}

const bySoftwareId = (clientId: string, s: Session) => (s.target.softwareId === clientId ? undefined : s.target.softwareId);

/** The identifier rows; control: the accepted GET (mgmt-get) or PUT (mgmt-put), the same token and certificate. */
export const managementSweep: SweepTable<ManagementRequest> = {
  exchange: 'GET/PUT/DELETE /register/{ClientId}',
  kind: 'management',
  control: 'mgmt-get-d',
  tags: ['management'],
  skipIf: (s) => (s.target.capabilities.management ? undefined : 'the target declares management: false'),
  // Client D's, with a token of its own for each row: a bank that rightly revokes the token on an unknown ClientId
  // (OBIE) must not make the next row pass for a revoked token rather than for its identifier.
  build: async (s, prior, row) => {
    const registration = prior.get('mgmt-register-d')!;
    const { clientId, method, secret } = s.registered(registration);
    const tokenFor = async (name: string) => str(body(await s.token(name, clientId, { method, ...(secret ? { secret } : {}) })).access_token);
    const put = row.element === 'path.ClientId' && row.id.startsWith('MGT-PUT');
    const jwt = put ? await s.sign(putClaims(s, clientId)) : undefined;
    const verb = put ? 'PUT' : row.id.startsWith('MGT-DELETE') ? 'DELETE' : 'GET';
    // The measure: the bank's answer for a ClientId it does not know, the same method, with a token of its own (revoked by it, as OBIE says).
    const reference = await s.manage(`${stepNameOf(row)}-unknown`, verb, `unknown-${clientId}`, await tokenFor(`${stepNameOf(row)}-unknown-token`), jwt);
    return { method: put ? 'PUT' : 'GET', clientId, token: await tokenFor(`${stepNameOf(row)}-token`), unknown: { status: reference.status }, ...(jwt !== undefined ? { jwt } : {}) };
  },
  send: async (s, name, req) => {
    if (req.nothingToProbe) return { name, request: { method: req.method, url: '', headers: {} }, status: 0, headers: {}, text: '', json: undefined, ms: 0, sent: { nothingToProbe: req.nothingToProbe } };
    const r = await s.manage(name, req.method, req.clientId, req.token, req.jwt, req.client === undefined ? false : { client: req.client });
    return req.unknown ? { ...r, sent: { ...r.sent, unknown: req.unknown } } : r;
  },
  refused: notFoundOk('the request'),
  accepted: (r) => (r.status >= 200 && r.status < 300 ? pass(evidenceOf(r)) : fail(`refused: ${summarize(r)}`, evidenceOf(r))),
  rows: [
    idRow('MGT-GET-BY-SOFTWARE-ID', 'GET', 'the software_id', "GET /register/{software_id} with the client's token is refused: management finds clients by client_id only", bySoftwareId, { skipIf: ops('GET') }),
    idRow('MGT-GET-CLIENT-ID-RECASED', 'GET', 're-cased', 'GET with the ClientId re-cased (one letter) is refused: no case-insensitive lookup', (id) => recasedId(id), { skipIf: ops('GET'), severity: 'SHOULD', quotes: [q('RFC7592-2.1', UNKNOWN.text, 'a ClientId in another case is another, unknown, client: RFC 3986 paths compare case-sensitively'), OB.getUnknown] }),
    idRow('MGT-GET-CLIENT-ID-TRUNCATED', 'GET', 'truncated by one character', 'GET with the ClientId less its last character is refused: no prefix lookup', (id) => (id.length > 1 ? id.slice(0, -1) : undefined), { skipIf: ops('GET') }),
    idRow('MGT-PUT-BY-SOFTWARE-ID', 'PUT', 'the software_id', "PUT /register/{software_id} with the client's token and a valid body is refused", bySoftwareId, { skipIf: ops('PUT'), quotes: [UNKNOWN, OB.putUnknown] }),
    idRow('MGT-DELETE-BY-SOFTWARE-ID', 'DELETE', 'the software_id', "DELETE /register/{software_id} with the client's token is refused", bySoftwareId, { skipIf: ops('DELETE'), quotes: [UNKNOWN, OB.deleteUnknown] }),
  ],
};

function ops(...needed: Array<'GET' | 'PUT' | 'DELETE'>) {
  return (s: Session) => {
    const missing = needed.filter((o) => !s.target.capabilities.operations.includes(o));
    return missing.length ? `the target does not declare ${missing.join(', ')} in operations` : undefined;
  };
}

/**
 * The claims of the valid PUT, and of every PUT probe: all the registration's claims (OBIE: "This must
 * include all the claims - including ones that will not be modified"), client_id set, and redirect_uris
 * changed to every SSA URI the target gives, so that a later GET can tell a PUT that changed nothing.
 */
export function putClaims(s: Session, clientId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return s.claims({ client_id: clientId, redirect_uris: ssaRedirectUris(s), ...overrides });
}

/** The target's redirect URIs that its SSA lists (all of them, when the SSA cannot be read); the first at least. */
export function ssaRedirectUris(s: Session): string[] {
  let listed: unknown;
  try {
    listed = (JSON.parse(Buffer.from(s.ssa.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>).software_redirect_uris;
  } catch {
    listed = undefined;
  }
  const uris = Array.isArray(listed) ? s.target.redirectUris.filter((u) => listed.includes(u)) : [...s.target.redirectUris];
  return uris.length ? uris : s.target.redirectUris.slice(0, 1);
}

const FIELDS = ['client_id', 'software_id', 'token_endpoint_auth_method', 'redirect_uris'] as const;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const diffs = (want: Record<string, unknown>, got: Record<string, unknown>, fields: readonly string[]) => fields.filter((f) => want[f] !== undefined && !same(want[f], got[f]));

/** Read-back GETs: each after an acknowledged (or refused) write, with the client's own token and certificate. */
export function readBackSteps(step: (name: string, needs: string[], run: ExchangeStep['run'], ops: Array<'GET' | 'PUT' | 'DELETE'>, accepted?: ExchangeStep['accepted']) => ExchangeStep): ExchangeStep[] {
  const get = (name: string) => (s: Session, p: ReadonlyMap<string, Recorded>) => s.manage(name, 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token'));
  return [
    // After the software_id PUT whatever it answered (a refusal must have changed nothing either): its need is the valid PUT.
    step('mgmt-get-after-software-id-put', ['mgmt-put'], get('mgmt-get-after-software-id-put'), ['GET', 'PUT']),
    step('mgmt-get-after-put-probes', ['mgmt-get-after-put'], get('mgmt-get-after-put-probes'), ['GET', 'PUT']),
    // After all the PUT probes, so that what it may change is its own: the valid PUT with another software's SSA (iss and software_id its own).
    {
      ...step('mgmt-put-ssa-other-software', ['mgmt-put'], async (s, p) => {
        const clientId = clientOf(s, p, 'mgmt-register');
        const other = otherSoftwareId(s);
        const ssa = await s.directory.mint!({ software_id: other });
        return s.manage('mgmt-put-ssa-other-software', 'PUT', clientId, tokenOf(p, 'mgmt-token'), await s.sign(putClaims(s, clientId, { software_statement: ssa, iss: other, software_id: other })));
      }, ['GET', 'PUT'], answeredAtAll),
      skipIf: (s) => ops('GET', 'PUT')(s) ?? (s.target.capabilities.management ? undefined : 'the target declares management: false') ?? (s.directory.mint ? undefined : "the target gives a fixed SSA: another software's SSA needs a directory signing key or the mock directory endpoint"),
    },
    step('mgmt-get-after-ssa-other-software-put', ['mgmt-put-ssa-other-software'], get('mgmt-get-after-ssa-other-software-put'), ['GET', 'PUT']),
  ];
}

/** A refusal is as good as an acceptance for what reads back after it: only no answer at all leaves nothing to read. */
const answeredAtAll = (r: Recorded) => (r.status === 0 ? `no answer: ${r.transportError ?? ''}` : undefined);

/** A Base62 software_id that is not the target's. */
const otherSoftwareId = (s: Session) => (s.target.softwareId === 'dcrOtherSoftware1' ? 'dcrOtherSoftware2' : 'dcrOtherSoftware1');

/** The software_id a registration gave the client (its answer, else its request). */
const registeredSoftwareId = (post: Recorded) => body(post).software_id ?? (post.sent.claims as Record<string, unknown> | undefined)?.software_id;

/** After a PUT that tried to move the client to another software_id: a GET shows the original one, whatever the PUT answered. */
function softwareIdKept(post: Recorded, put: Recorded, get: Recorded): Verdict {
  if (get.status !== 200) return fail(`the GET after the PUT answered ${summarize(get)}`, evidenceOf(get, { expected: 200 }));
  const original = registeredSoftwareId(post);
  const now = body(get).software_id;
  return same(original, now)
    ? pass(evidenceOf(get, { expected: original, actual: now }), `software_id unchanged after the PUT (answered ${put.status})`)
    : fail(`the PUT (answered ${summarize(put)}) changed the stored software_id from ${JSON.stringify(original)} to ${JSON.stringify(now)}`, evidenceOf(get, { expected: original, actual: now }));
}

const mgmt = (tags: string[]) => ['management', 'read-back', ...tags];

/** What a success claims, checked from another angle; what a refusal left, checked too. */
export const readBackChecks: Check[] = [
  defineCheck({
    id: 'READBACK-REGISTER',
    title: 'GET after the registration returns the client the 201 described (client_id, software_id, auth method, redirect_uris)',
    spec: ['RFC7592-2.1', 'OBDCR-GET', 'RFC7591-3.2.1'], severity: 'MUST', tags: mgmt(['GET']), rules: ['MGT-GET-CONFIG'],
    quotes: [RFC7591.allMetadata, OB.getOk],
    exchanges: ['mgmt-register', 'mgmt-get'],
    check: (post, get) => {
      if (get.status !== 200) return skip(`the GET answered ${summarize(get)} (judged by DCR-005-GET-200)`);
      const off = diffs(body(post), body(get), FIELDS);
      return off.length === 0 ? pass(evidenceOf(get)) : fail(`the GET does not return what the registration answered: ${off.map((f) => `${f} ${JSON.stringify(body(post)[f])} became ${JSON.stringify(body(get)[f])}`).join('; ')}`, evidenceOf(get, { expected: Object.fromEntries(off.map((f) => [f, body(post)[f]])), actual: Object.fromEntries(off.map((f) => [f, body(get)[f]])) }));
    },
  }),
  defineCheck({
    id: 'READBACK-PUT',
    title: 'GET after a successful PUT shows the change the PUT acknowledged (redirect_uris), and the same client as its answer',
    spec: ['RFC7592-2.2', 'OBDCR-PUT'], severity: 'MUST', tags: mgmt(['PUT']), rules: ['MGT-PUT'],
    quotes: [RFC7592.updateOk, OB.putOk],
    exchanges: ['mgmt-put', 'mgmt-get-after-put'],
    check: (put, get) => {
      if (put.status !== 200) return skip(`the PUT answered ${summarize(put)} (judged by DCR-008-PUT-200)`);
      if (get.status !== 200) return fail(`the GET after the PUT answered ${summarize(get)}`, evidenceOf(get, { expected: 200 }));
      const requested = put.request.body ? (JSON.parse(Buffer.from(put.request.body.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>).redirect_uris : undefined;
      const stored = body(get).redirect_uris;
      const answered = body(put).redirect_uris;
      if (!same(answered, stored)) return fail(`the PUT answered redirect_uris ${JSON.stringify(answered)}, but the client holds ${JSON.stringify(stored)}: the answer is not what was stored`, evidenceOf(get, { expected: answered, actual: stored }));
      const off = diffs(body(put), body(get), FIELDS);
      if (off.length) return fail(`the GET after the PUT differs from the PUT's answer in ${off.join(', ')}`, evidenceOf(get, { expected: Object.fromEntries(off.map((f) => [f, body(put)[f]])), actual: Object.fromEntries(off.map((f) => [f, body(get)[f]])) }));
      const substituted = Array.isArray(stored) && Array.isArray(requested) && !same(stored, requested);
      return pass(evidenceOf(get, { requested, stored }), substituted ? 'the stored redirect_uris differ from those requested, as answered (a substitution RFC 7591 2 allows)' : 'the change is stored as acknowledged');
    },
  }),
  defineCheck({
    id: 'READBACK-PUT-SOFTWARE-ID',
    title: 'After a PUT naming another software_id, a GET still shows the original software_id (whatever the PUT answered)',
    spec: ['OBDCR-PUT', 'OBDCR-REQ', 'RFC7591-2'], severity: 'MUST', tags: mgmt(['PUT', 'claims', 'REQ-14']), rules: ['REQ-SOFTWARE-ID', 'PUT-SOFTWARE-ID'],
    quotes: [q('OBDCR-REQ', 'If specified, the software_id in the request MUST match the software_id specified in the SSA.', 'a stored software_id other than the SSA\'s is one the bank let a request set'), RFC7591.softwareIdSame],
    exchanges: ['mgmt-register', 'mgmt-put-software-id-other', 'mgmt-get-after-software-id-put'],
    check: softwareIdKept,
  }),
  defineCheck({
    id: 'READBACK-PUT-SSA-OTHER-SOFTWARE',
    title: "After a PUT carrying another software's SSA (iss and software_id its own), a GET still shows the original software_id, and a 200 answered it",
    spec: ['RFC7591-2', 'OBDCR-PUT', 'RFC7592-2.2'], severity: 'SHOULD', tags: mgmt(['PUT', 'claims', 'REQ-14']), rules: ['PUT-SOFTWARE-ID'],
    quotes: [q('RFC7591-2', RFC7591.softwareIdSame.text, "a client registered for one software is not another's by an update"), OB.putJws],
    exchanges: ['mgmt-register', 'mgmt-put-ssa-other-software', 'mgmt-get-after-ssa-other-software-put'],
    check: (post, put, get) => {
      const answered = body(put).software_id;
      if (put.status === 200 && !same(answered, registeredSoftwareId(post))) {
        return fail(`the PUT was accepted answering software_id ${JSON.stringify(answered)}, not the client's ${JSON.stringify(registeredSoftwareId(post))}`, evidenceOf(put, { expected: registeredSoftwareId(post), actual: answered }));
      }
      return softwareIdKept(post, put, get);
    },
  }),
  defineCheck({
    id: 'READBACK-REGISTER-REDIRECTS',
    title: 'GET after a registration naming every SSA redirect URI returns them all, as the 201 answered (not only the first)',
    spec: ['RFC7592-2.1', 'RFC7591-3.2.1', 'OBDCR-GET'], severity: 'MUST', tags: mgmt(['GET', 'redirect']), rules: ['MGT-GET-CONFIG'],
    quotes: [RFC7591.allMetadata, OB.getOk],
    exchanges: ['mgmt-register-d', 'mgmt-get-d'],
    check: (post, get) => {
      const requested = (post.sent.claims as Record<string, unknown> | undefined)?.redirect_uris;
      if (!Array.isArray(requested) || requested.length < 2) return skip('the target gives one SSA redirect URI: READBACK-REGISTER judges the registration of the first');
      // What the 201 answered (a substitution RFC 7591 2 allows, when returned), else what was requested.
      const answered = body(post).redirect_uris;
      const expected = answered ?? requested;
      const stored = body(get).redirect_uris;
      return same(expected, stored)
        ? pass(evidenceOf(get, { requested, stored }))
        : fail(`the registration ${answered === undefined ? 'requested' : 'answered'} redirect_uris ${JSON.stringify(expected)}, but the client holds ${JSON.stringify(stored)}`, evidenceOf(get, { expected, actual: stored }));
    },
  }),
  defineCheck({
    id: 'READBACK-REFUSED-PUTS',
    title: 'After the refused PUT probes, the client is as the last accepted PUT left it',
    spec: ['RFC7592-2.2', 'OBDCR-PUT'], severity: 'MUST', tags: mgmt(['PUT']), rules: ['MGT-PUT', 'JWS-SIGNATURE'],
    quotes: [RFC7592.updateInvalid, OB.putJws],
    exchanges: ['mgmt-get-after-put', 'mgmt-get-after-put-probes'],
    check: (before, after) => {
      if (before.status !== 200) return skip(`the GET after the PUT answered ${summarize(before)}`);
      if (after.status !== 200) return fail(`the client cannot be read after the PUT probes: ${summarize(after)}`, evidenceOf(after, { expected: 200 }));
      const off = diffs(body(before), body(after), FIELDS);
      return off.length === 0 ? pass(evidenceOf(after)) : fail(`a refused (or wrongly accepted) PUT probe changed ${off.join(', ')}`, evidenceOf(after, { expected: Object.fromEntries(off.map((f) => [f, body(before)[f]])), actual: Object.fromEntries(off.map((f) => [f, body(after)[f]])) }));
    },
  }),
];
