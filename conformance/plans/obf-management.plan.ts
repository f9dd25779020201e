import { randomUUID } from 'node:crypto';
import { definePlan, type ExchangeStep } from './plan';
import { answeredWith, clientRegistered } from './controls';
import { body, type Recorded } from '../exchange';
import type { Session } from '../session';
import type { ManagementOperation } from '../target';
import { obfManagementChecks } from '../rules/obf';
import { declares, freshStatement, obfRequest, sendObf, statementClaims } from '../sweep/obf';
import { clientIdOf, putBody, ratOf, sendRat } from '../sweep/rfc7591';
import { activeRoles, allowedScopes } from '../../common/obf-roles';

const REGISTER = 'obf-mgmt-register';

/** Skips a step whose operations the target does not declare. */
const needsOps = (...ops: ManagementOperation[]) => (s: Session) => {
  if (!s.target.capabilities.management) return 'the target declares management: false';
  const missing = ops.filter((o) => !s.target.capabilities.operations.includes(o));
  return missing.length ? `the target does not declare ${missing.join(', ')} in operations` : declares('private_key_jwt')(s);
};

/** A registration that created a client and returned a registration access token. */
function ratIssued(r: Recorded, s: Session): string | undefined {
  return clientRegistered(r, s) ?? (typeof body(r).registration_access_token === 'string' ? undefined : `answered ${r.status} without a registration_access_token`);
}

/** The registration access token each client had before its PUT (kept here, never recorded: it is a credential), taken once by the GET that presents it. */
const beforePut = new Map<string, string>();
const takeBeforePut = (clientId: string) => {
  const t = beforePut.get(clientId) ?? '';
  beforePut.delete(clientId);
  return t;
};

const get = (name: string, needs: string[], ops: ManagementOperation[], token: (s: Session, prior: ReadonlyMap<string, Recorded>) => string, opts: { accepted?: ExchangeStep['accepted']; noCert?: boolean } = {}): ExchangeStep => ({
  name, needs, kind: 'management', skipIf: needsOps(...ops), ...(opts.accepted ? { accepted: opts.accepted } : {}),
  run: (s, prior) => (opts.noCert ? s.manage(name, 'GET', clientIdOf(prior, REGISTER), token(s, prior), undefined, true) : sendRat(s, name, { method: 'GET', clientId: clientIdOf(prior, REGISTER), token: token(s, prior) })),
});
const newest = (s: Session, prior: ReadonlyMap<string, Recorded>) => ratOf(s, prior, REGISTER);

/** The PUT: the record as last read, a statement issued now, the scope narrowed to openid and one scope of the roles. */
async function put(s: Session, prior: ReadonlyMap<string, Recorded>): Promise<Recorded> {
  const clientId = clientIdOf(prior, REGISTER);
  const token = newest(s, prior);
  const ssa = await freshStatement(s);
  const allowed = allowedScopes(activeRoles(statementClaims(ssa).software_statement_roles)).filter((x) => x !== 'openid');
  const record = putBody(body(prior.get('obf-get')!), { software_statement: ssa, scope: ['openid', ...allowed.slice(0, 1)].join(' ') });
  beforePut.set(clientId, token);
  const r = await sendRat(s, 'obf-put', { method: 'PUT', clientId, token, body: record });
  const next = body(r).registration_access_token;
  return { ...r, sent: { ...r.sent, rotated: r.status === 200 && typeof next === 'string' && next !== token } };
}

/**
 * RFC 7592 management as Open Finance Brasil requires it: over mTLS with the registration access
 * token (the newest one), GET, the same GET without a certificate and with a wrong token, a PUT
 * re-presenting a fresh SSA and its read-back, the token the PUT replaced, DELETE and a GET after it.
 */
export const obfManagementPlan = definePlan({
  id: 'obf-management',
  title: 'Open Finance Brasil management (RFC 7592 with the registration access token, over mTLS)',
  steps: [
    { name: REGISTER, kind: 'registration', accepted: ratIssued, skipIf: needsOps(), run: async (s) => sendObf(s, REGISTER, await obfRequest(s, 'private_key_jwt')) },
    get('obf-get', [REGISTER], ['GET'], newest, { accepted: answeredWith(200) }),
    get('obf-get-no-cert', ['obf-get'], ['GET'], newest, { noCert: true }),
    get('obf-get-wrong-rat', ['obf-get'], ['GET'], () => randomUUID()),
    // No acceptance needed of the PUT: the read-back after it runs either way, and OBF-UPDATE-200 judges both.
    { name: 'obf-put', needs: ['obf-get'], kind: 'management', skipIf: needsOps('GET', 'PUT'), run: put },
    get('obf-get-after-put', ['obf-put'], ['GET', 'PUT'], newest),
    get('obf-get-old-rat', ['obf-put'], ['GET', 'PUT'], (_s, prior) => takeBeforePut(clientIdOf(prior, REGISTER))),
    {
      name: 'obf-delete', needs: ['obf-get'], kind: 'management', skipIf: needsOps('DELETE'), accepted: answeredWith(204, 200),
      run: (s, prior) => sendRat(s, 'obf-delete', { method: 'DELETE', clientId: clientIdOf(prior, REGISTER), token: newest(s, prior) }),
    },
    get('obf-get-after-delete', ['obf-delete'], ['GET', 'DELETE'], newest),
  ],
  checks: obfManagementChecks,
});
