import { definePlan, type ExchangeStep } from './plan';
import { answeredWith, clientRegistered, tokenIssued } from './controls';
import type { Session } from '../session';
import type { ManagementOperation } from '../target';
import { cdrChecks } from '../rules/cdr';
import { CDR_SCOPE, cdrClaims, cdrPutSweep, cdrRegistrationSweep, cdrTokenSweep, clientOf, sendCdr, sendManage, tokenOf } from '../sweep/cdr';
import { sweepChecks, sweepSteps } from '../sweep/table';

const needsOps = (...ops: ManagementOperation[]) => (s: Session) => {
  if (!s.target.capabilities.management) return 'the target declares management: false';
  const missing = ops.filter((o) => !s.target.capabilities.operations.includes(o));
  return missing.length ? `the target does not declare ${missing.join(', ')} in operations` : undefined;
};

const token = (name: string, scope: string): ExchangeStep => ({
  name, needs: ['cdr-register'], kind: 'token', accepted: tokenIssued, skipIf: needsOps(),
  run: (s, prior) => s.token(name, clientOf(prior), { method: 'private_key_jwt', scope }),
});

/**
 * The Australia CDR dialect in one plan, since a data holder keeps one client per software_id: the
 * registration, its one-change rows (sent while that client exists, so each must be answered by
 * the step it breaks, not as a duplicate), the same request again (ERR-DCR-001), then management
 * of that client with a certificate-bound client_credentials token of scope cdr:registration: GET
 * and its token rows, PUT of a fresh registration JWT and its rows, DELETE and a GET after it.
 */
export const cdrPlan = definePlan({
  id: 'cdr',
  title: 'Australia CDR registration and management (POST/GET/PUT/DELETE /register, application/jwt, cdr:registration)',
  steps: [
    { name: 'cdr-register', kind: 'registration', accepted: clientRegistered, run: (s) => sendCdr(s, 'cdr-register', { claims: cdrClaims(s) }) },
    ...sweepSteps(cdrRegistrationSweep),
    { name: 'cdr-register-duplicate', kind: 'registration', needs: ['cdr-register'], run: (s) => sendCdr(s, 'cdr-register-duplicate', { claims: cdrClaims(s) }) },
    token('cdr-token', CDR_SCOPE),
    token('cdr-token-other-scope', 'openid'),
    { name: 'cdr-get', kind: 'management', needs: ['cdr-token'], skipIf: needsOps('GET'), accepted: answeredWith(200), run: (s, p) => sendManage(s, 'cdr-get', { method: 'GET', clientId: clientOf(p), token: tokenOf(p, 'cdr-token') }) },
    ...sweepSteps(cdrTokenSweep),
    {
      name: 'cdr-put', kind: 'management', needs: ['cdr-get'], skipIf: needsOps('GET', 'PUT'), accepted: answeredWith(200),
      run: async (s, p) => sendManage(s, 'cdr-put', { method: 'PUT', clientId: clientOf(p), token: tokenOf(p, 'cdr-token'), jwt: await s.sign(cdrClaims(s)) }),
    },
    ...sweepSteps(cdrPutSweep),
    { name: 'cdr-delete', kind: 'management', needs: ['cdr-token'], skipIf: needsOps('DELETE'), accepted: answeredWith(204), run: (s, p) => sendManage(s, 'cdr-delete', { method: 'DELETE', clientId: clientOf(p), token: tokenOf(p, 'cdr-token') }) },
    { name: 'cdr-get-after-delete', kind: 'management', needs: ['cdr-delete'], skipIf: needsOps('GET', 'DELETE'), run: (s, p) => sendManage(s, 'cdr-get-after-delete', { method: 'GET', clientId: clientOf(p), token: tokenOf(p, 'cdr-token') }) },
  ],
  checks: [...cdrChecks, ...sweepChecks(cdrRegistrationSweep), ...sweepChecks(cdrTokenSweep), ...sweepChecks(cdrPutSweep)],
});
