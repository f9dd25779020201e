import { foreignKey } from '../../fixtures/keys';
import { decodePayload, signJws, unsignedJws } from '../../fixtures/registration';
import { definePlan, type ExchangeStep } from './plan';
import { body, type Recorded } from '../exchange';
import type { Session } from '../session';
import type { ManagementOperation } from '../target';
import { managementChecks } from '../rules/management';
import { answeredWith, clientRegistered, tokenIssued } from './controls';
import { clientOf, managementSweep, putClaims, readBackChecks, readBackSteps, ssaRedirectUris, tokenOf } from '../sweep/management';
import { sweepChecks, sweepSteps } from '../sweep/table';

const declared = (s: Session) =>
  s.target.capabilities.management ? undefined : 'the target declares management: false (no token endpoint, GET/PUT/DELETE /register/{ClientId})';

/** Skips a step whose operations the target does not declare, saying which. */
const needsOps = (...ops: ManagementOperation[]) => (s: Session) => {
  const missing = ops.filter((o) => !s.target.capabilities.operations.includes(o));
  return declared(s) ?? (missing.length ? `the target does not declare ${missing.join(', ')} in operations` : undefined);
};


function step(name: string, needs: string[], run: ExchangeStep['run'], ops: ManagementOperation[] = [], accepted?: ExchangeStep['accepted']): ExchangeStep {
  const kind = name.includes('token') && !name.startsWith('mgmt-get') ? 'token' : name.includes('register') ? 'registration' : 'management';
  return { name, needs, skipIf: needsOps(...ops), kind, ...(accepted ? { accepted } : {}), run };
}

/** Registers with the target's preferred auth method; the token is then obtained with that method. */
async function registerClient(s: Session, name: string, overrides: Record<string, unknown> = {}): Promise<Recorded> {
  const claims = s.claims(overrides);
  return s.post(name, await s.sign(claims), { sent: { claims } });
}

function tokenFor(s: Session, name: string, registration: Recorded): Promise<Recorded> {
  const { clientId, method, secret } = s.registered(registration);
  return s.token(name, clientId, { method, ...(secret ? { secret } : {}) });
}

const now = () => Math.floor(Date.now() / 1000);

/** A PUT on client A whose body is the valid PUT's claims with one change; its control is mgmt-put. */
function putProbe(name: string, body: (s: Session, claims: Record<string, unknown>) => Promise<string>): ExchangeStep {
  return step(name, ['mgmt-put'], async (s, p) => {
    const clientId = clientOf(s, p, 'mgmt-register');
    return s.manage(name, 'PUT', clientId, tokenOf(p, 'mgmt-token'), await body(s, putClaims(s, clientId)));
  }, ['PUT']);
}

/**
 * RFC 7592 management over the OBIE contract: client_credentials token, GET, PUT, DELETE;
 * then the negative cases (empty, malformed, foreign and revoked tokens, another certificate, PUT
 * bodies POST would refuse, deleted and unknown clients).
 */
export const managementPlan = definePlan({
  id: 'management',
  title: 'Client management (token, GET, PUT, DELETE)',
  steps: [
    // Controls: a live client A with its token, a live client B with its own; every negative case below needs them.
    step('mgmt-register', [], (s) => registerClient(s, 'mgmt-register'), [], clientRegistered),
    step('mgmt-token', ['mgmt-register'], (s, p) => tokenFor(s, 'mgmt-token', p.get('mgmt-register')!), [], tokenIssued),
    step('mgmt-get', ['mgmt-token'], (s, p) => s.manage('mgmt-get', 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token')), ['GET'], answeredWith(200)),
    step('mgmt-get-no-cert', ['mgmt-get'], (s, p) => s.manage('mgmt-get-no-cert', 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token'), undefined, true), ['GET']),
    {
      ...step('mgmt-get-other-cert', ['mgmt-get'], (s, p) => s.manage('mgmt-get-other-cert', 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token'), undefined, { client: s.target.altTransport! }), ['GET']),
      skipIf: (s) => needsOps('GET')(s) ?? (s.target.altTransport ? undefined : 'the target gives no altTransportCert / altTransportKey (a second certificate the bank trusts, with another subject DN)'),
    },
    step('mgmt-get-empty-token', ['mgmt-get'], (s, p) => s.manage('mgmt-get-empty-token', 'GET', clientOf(s, p, 'mgmt-register'), ''), ['GET']),
    step('mgmt-get-malformed-token', ['mgmt-get'], (s, p) => s.manage('mgmt-get-malformed-token', 'GET', clientOf(s, p, 'mgmt-register'), 'not a token!'), ['GET']),
    step('mgmt-register-b', [], (s) => registerClient(s, 'mgmt-register-b'), [], clientRegistered),
    step('mgmt-token-b', ['mgmt-register-b'], (s, p) => tokenFor(s, 'mgmt-token-b', p.get('mgmt-register-b')!), [], tokenIssued),
    step('mgmt-get-b', ['mgmt-token-b'], (s, p) => s.manage('mgmt-get-b', 'GET', clientOf(s, p, 'mgmt-register-b'), tokenOf(p, 'mgmt-token-b')), ['GET'], answeredWith(200)),
    step('mgmt-get-cross', ['mgmt-get', 'mgmt-get-b'], (s, p) => s.manage('mgmt-get-cross', 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token-b')), ['GET']),
    step('mgmt-put', ['mgmt-get'], async (s, p) => {
      const clientId = clientOf(s, p, 'mgmt-register');
      const jwt = await s.sign(putClaims(s, clientId));
      return s.manage('mgmt-put', 'PUT', clientId, tokenOf(p, 'mgmt-token'), jwt);
    }, ['PUT'], answeredWith(200)),
    step('mgmt-get-after-put', ['mgmt-put'], (s, p) => s.manage('mgmt-get-after-put', 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token')), ['GET', 'PUT']),
    // PUT validated as strictly as POST: each the valid PUT (mgmt-put) with one change; the client stays usable for DELETE below.
    putProbe('mgmt-put-foreign-key', async (s, claims) => s.sign(claims, { key: { ...(await foreignKey(s.key.alg as 'PS256' | 'RS256' | 'ES256')), kid: s.key.kid } })),
    putProbe('mgmt-put-alg-none', async (_s, claims) => unsignedJws(claims)),
    putProbe('mgmt-put-software-id-other', async (s, claims) => s.sign({ ...claims, software_id: 'someOtherSoftware1' })),
    putProbe('mgmt-put-client-id-other', async (s, claims) => s.sign({ ...claims, client_id: `other-${String(claims.client_id)}` })),
    putProbe('mgmt-put-expired', async (s, claims) => s.sign({ ...claims, iat: now() - 900, exp: now() - 600 })),
    // The SSA inside the PUT re-signed by a foreign key under the directory's kid: PUT verifies the statement as POST does.
    putProbe('mgmt-put-ssa-foreign-key', async (s, claims) => {
      const kid = (JSON.parse(Buffer.from(s.ssa.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string }).kid;
      const forged = await signJws(decodePayload(s.ssa), await foreignKey('PS256'), kid ? { kid } : {});
      return s.sign({ ...claims, software_statement: forged });
    }),
    putProbe('mgmt-put-redirect-foreign', async (s, claims) => s.sign({ ...claims, redirect_uris: ['https://evil.example.com/cb'] })),
    // Another client's token on PUT and DELETE (OBIE: 403), as on GET: the same request as the accepted one, B's token instead of A's.
    step('mgmt-put-cross', ['mgmt-put', 'mgmt-get-b'], async (s, p) => {
      const clientId = clientOf(s, p, 'mgmt-register');
      return s.manage('mgmt-put-cross', 'PUT', clientId, tokenOf(p, 'mgmt-token-b'), await s.sign(putClaims(s, clientId)));
    }, ['PUT']),
    // The one-change sweep of the path's ClientId (conformance/sweep/management.ts) on a client D of its own, then what the writes left, read back.
    // D names every SSA redirect URI, not only the first: READBACK-REGISTER-REDIRECTS reads back that all are stored.
    step('mgmt-register-d', [], (s) => registerClient(s, 'mgmt-register-d', { redirect_uris: ssaRedirectUris(s) }), [], clientRegistered),
    step('mgmt-token-d', ['mgmt-register-d'], (s, p) => tokenFor(s, 'mgmt-token-d', p.get('mgmt-register-d')!), [], tokenIssued),
    step('mgmt-get-d', ['mgmt-token-d'], (s, p) => s.manage('mgmt-get-d', 'GET', clientOf(s, p, 'mgmt-register-d'), tokenOf(p, 'mgmt-token-d')), ['GET'], answeredWith(200)),
    ...sweepSteps(managementSweep),
    ...readBackSteps(step),
    step('mgmt-delete', ['mgmt-get'], (s, p) => s.manage('mgmt-delete', 'DELETE', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token')), ['DELETE'], answeredWith(204, 200)),
    // RFC 7592 2.3: a deleted client_id can no longer be used at the token endpoint.
    step('mgmt-token-after-delete', ['mgmt-delete'], (s, p) => tokenFor(s, 'mgmt-token-after-delete', p.get('mgmt-register')!), ['DELETE']),
    step('mgmt-get-b-with-deleted-token', ['mgmt-delete', 'mgmt-get-b'], (s, p) => s.manage('mgmt-get-b-with-deleted-token', 'GET', clientOf(s, p, 'mgmt-register-b'), tokenOf(p, 'mgmt-token')), ['GET', 'DELETE']),
    step('mgmt-get-after-delete', ['mgmt-delete'], (s, p) => s.manage('mgmt-get-after-delete', 'GET', clientOf(s, p, 'mgmt-register'), tokenOf(p, 'mgmt-token')), ['GET', 'DELETE']),
    step('mgmt-put-after-delete', ['mgmt-delete', 'mgmt-put'], async (s, p) => {
      const clientId = clientOf(s, p, 'mgmt-register');
      return s.manage('mgmt-put-after-delete', 'PUT', clientId, tokenOf(p, 'mgmt-token'), await s.sign(putClaims(s, clientId)));
    }, ['PUT', 'DELETE']),
    // A third client C, deleted with B's token: its control is the accepted DELETE of A with A's own token.
    step('mgmt-register-c', ['mgmt-delete'], (s) => registerClient(s, 'mgmt-register-c'), ['DELETE'], clientRegistered),
    step('mgmt-delete-cross', ['mgmt-delete', 'mgmt-register-c', 'mgmt-get-b'], (s, p) => s.manage('mgmt-delete-cross', 'DELETE', clientOf(s, p, 'mgmt-register-c'), tokenOf(p, 'mgmt-token-b')), ['DELETE']),
    step('mgmt-get-unknown', ['mgmt-get-b'], (s, p) => s.manage('mgmt-get-unknown', 'GET', `unknown-${clientOf(s, p, 'mgmt-register-b')}`, tokenOf(p, 'mgmt-token-b')), ['GET'], answeredWith(401)),
    step('mgmt-get-b-after-unknown', ['mgmt-get-b', 'mgmt-get-unknown'], (s, p) => s.manage('mgmt-get-b-after-unknown', 'GET', clientOf(s, p, 'mgmt-register-b'), tokenOf(p, 'mgmt-token-b')), ['GET']),
  ],
  checks: [...managementChecks, ...sweepChecks(managementSweep), ...readBackChecks],
});
