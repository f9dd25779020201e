import { definePlan, type ExchangeStep } from './plan';
import { answeredWith, clientRegistered } from './controls';
import { body, type Recorded } from '../exchange';
import type { Session } from '../session';
import type { ManagementOperation } from '../target';
import { rfc7592Checks } from '../rules/rfc7591';
import { clientIdOf, controlMetadata, putBody, ratOf, rfc7592PutSweep, rfc7592TokenSweep, sendMetadata, sendRat } from '../sweep/rfc7591';
import { sweepChecks, sweepSteps } from '../sweep/table';

/** Skips a step whose operations the target does not declare, saying which. */
const needsOps = (...ops: ManagementOperation[]) => (s: Session) => {
  if (!s.target.capabilities.management) return 'the target declares management: false (no RFC 7592 client configuration endpoint)';
  const missing = ops.filter((o) => !s.target.capabilities.operations.includes(o));
  return missing.length ? `the target does not declare ${missing.join(', ')} in operations` : undefined;
};

/** A registration that created a client and returned what RFC 7592 management needs. */
function ratIssued(r: Recorded, s: Session): string | undefined {
  const why = clientRegistered(r, s);
  if (why) return why;
  return typeof body(r).registration_access_token === 'string' ? undefined : `answered ${r.status} without a registration_access_token`;
}

const register = (name: string): ExchangeStep => ({ name, kind: 'registration', accepted: ratIssued, skipIf: needsOps(), run: (s) => sendMetadata(s, name, { metadata: controlMetadata(s, name) }) });

/** A request to client A's configuration endpoint with its newest registration access token. */
function manage(name: string, needs: string[], ops: ManagementOperation[], method: 'GET' | 'PUT' | 'DELETE', put?: (prior: ReadonlyMap<string, Recorded>) => Record<string, unknown>, accepted?: ExchangeStep['accepted']): ExchangeStep {
  return {
    name, needs, kind: 'management', skipIf: needsOps(...ops), ...(accepted ? { accepted } : {}),
    run: (s, prior) => sendRat(s, name, { method, clientId: clientIdOf(prior, 'rfc7592-register'), token: ratOf(s, prior, 'rfc7592-register'), ...(put ? { body: put(prior) } : {}) }),
  };
}

/** The latest 200 read of client A among these exchanges (the record a PUT must carry in full). */
const lastRead = (prior: ReadonlyMap<string, Recorded>, ...names: string[]) => body(names.map((n) => prior.get(n)).find((r) => r?.status === 200) ?? prior.get('rfc7592-register')!);

/**
 * RFC 7592 over the registration access token: GET, the token sweep, PUT of the whole record and
 * its read-back, the PUT sweep, a PUT omitting a member, DELETE and the token after it. One client
 * (A) throughout, its steps one after another: the server may rotate the token on any answer, and
 * each request carries the newest one (Session.rat); client B lends its token to the cross-client row.
 */
export const rfc7591ManagementPlan = definePlan({
  id: 'rfc7591-management',
  title: 'RFC 7592 management (GET/PUT/DELETE registration_client_uri with the registration access token)',
  steps: [
    register('rfc7592-register'),
    register('rfc7592-register-b'),
    manage('rfc7592-get', ['rfc7592-register'], ['GET'], 'GET', undefined, answeredWith(200)),
    ...sweepSteps(rfc7592TokenSweep),
    manage('rfc7592-put', ['rfc7592-get'], ['GET', 'PUT'], 'PUT', (p) => putBody(body(p.get('rfc7592-get')!), { client_name: 'DCR conformance A (updated)' }), answeredWith(200)),
    manage('rfc7592-get-after-put', ['rfc7592-put'], ['GET', 'PUT'], 'GET', undefined, answeredWith(200)),
    ...sweepSteps(rfc7592PutSweep),
    manage('rfc7592-get-after-put-probes', ['rfc7592-put'], ['GET', 'PUT'], 'GET', undefined, answeredWith(200)),
    manage('rfc7592-put-omit', ['rfc7592-get-after-put-probes'], ['GET', 'PUT'], 'PUT', (p) => putBody(lastRead(p, 'rfc7592-get-after-put-probes'), { client_name: undefined })),
    manage('rfc7592-get-after-omit', ['rfc7592-put-omit'], ['GET', 'PUT'], 'GET'),
    manage('rfc7592-delete', ['rfc7592-get'], ['DELETE'], 'DELETE', undefined, answeredWith(204, 200)),
    manage('rfc7592-get-after-delete', ['rfc7592-delete'], ['GET', 'DELETE'], 'GET'),
  ],
  checks: [...rfc7592Checks, ...sweepChecks(rfc7592TokenSweep), ...sweepChecks(rfc7592PutSweep)],
});
