import { definePlan, type ExchangeStep } from './plan';
import { body, type Recorded } from '../exchange';
import type { Session } from '../session';
import { managementChecks } from '../rules/management';

const declared = (s: Session) =>
  s.target.capabilities.management ? undefined : 'the target declares management: false (no token endpoint, GET/PUT/DELETE /register/{ClientId})';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const clientOf = (prior: ReadonlyMap<string, Recorded>, name: string) => str(body(prior.get(name)!).client_id);
const tokenOf = (prior: ReadonlyMap<string, Recorded>, name: string) => str(body(prior.get(name)!).access_token);

function step(name: string, needs: string[], run: ExchangeStep['run']): ExchangeStep {
  return { name, needs, skipIf: declared, run };
}

async function registerClient(s: Session, name: string): Promise<Recorded> {
  return s.post(name, await s.sign(s.claims({}, { method: 'tls_client_auth' })));
}

/**
 * RFC 7592 management over the OBIE contract: client_credentials token, GET, PUT, DELETE;
 * then the negative cases (empty, malformed, foreign and revoked tokens, deleted and unknown clients).
 */
export const managementPlan = definePlan({
  id: 'management',
  title: 'Client management (token, GET, PUT, DELETE)',
  steps: [
    step('mgmt-register', [], (s) => registerClient(s, 'mgmt-register')),
    step('mgmt-token', ['mgmt-register'], (s, p) => s.token('mgmt-token', clientOf(p, 'mgmt-register'))),
    step('mgmt-get', ['mgmt-token'], (s, p) => s.manage('mgmt-get', 'GET', clientOf(p, 'mgmt-register'), tokenOf(p, 'mgmt-token'))),
    step('mgmt-get-no-cert', ['mgmt-token'], (s, p) => s.manage('mgmt-get-no-cert', 'GET', clientOf(p, 'mgmt-register'), tokenOf(p, 'mgmt-token'), undefined, true)),
    step('mgmt-get-empty-token', ['mgmt-register'], (s, p) => s.manage('mgmt-get-empty-token', 'GET', clientOf(p, 'mgmt-register'), '')),
    step('mgmt-get-malformed-token', ['mgmt-register'], (s, p) => s.manage('mgmt-get-malformed-token', 'GET', clientOf(p, 'mgmt-register'), 'not a token!')),
    step('mgmt-register-b', [], (s) => registerClient(s, 'mgmt-register-b')),
    step('mgmt-token-b', ['mgmt-register-b'], (s, p) => s.token('mgmt-token-b', clientOf(p, 'mgmt-register-b'))),
    step('mgmt-get-cross', ['mgmt-register', 'mgmt-token-b'], (s, p) => s.manage('mgmt-get-cross', 'GET', clientOf(p, 'mgmt-register'), tokenOf(p, 'mgmt-token-b'))),
    step('mgmt-put', ['mgmt-token'], async (s, p) => {
      const clientId = clientOf(p, 'mgmt-register');
      const jwt = await s.sign(s.claims({ client_id: clientId }, { method: 'tls_client_auth' }));
      return s.manage('mgmt-put', 'PUT', clientId, tokenOf(p, 'mgmt-token'), jwt);
    }),
    step('mgmt-get-after-put', ['mgmt-put'], (s, p) => s.manage('mgmt-get-after-put', 'GET', clientOf(p, 'mgmt-register'), tokenOf(p, 'mgmt-token'))),
    step('mgmt-delete', ['mgmt-token'], (s, p) => s.manage('mgmt-delete', 'DELETE', clientOf(p, 'mgmt-register'), tokenOf(p, 'mgmt-token'))),
    step('mgmt-get-b-with-deleted-token', ['mgmt-delete', 'mgmt-register-b'], (s, p) => s.manage('mgmt-get-b-with-deleted-token', 'GET', clientOf(p, 'mgmt-register-b'), tokenOf(p, 'mgmt-token'))),
    step('mgmt-get-after-delete', ['mgmt-delete'], (s, p) => s.manage('mgmt-get-after-delete', 'GET', clientOf(p, 'mgmt-register'), tokenOf(p, 'mgmt-token'))),
    step('mgmt-put-after-delete', ['mgmt-delete'], async (s, p) => {
      const clientId = clientOf(p, 'mgmt-register');
      return s.manage('mgmt-put-after-delete', 'PUT', clientId, tokenOf(p, 'mgmt-token'), await s.sign(s.claims({ client_id: clientId }, { method: 'tls_client_auth' })));
    }),
    step('mgmt-get-unknown', ['mgmt-token-b'], (s, p) => s.manage('mgmt-get-unknown', 'GET', `unknown-${clientOf(p, 'mgmt-register-b')}`, tokenOf(p, 'mgmt-token-b'))),
    step('mgmt-get-b-after-unknown', ['mgmt-get-unknown'], (s, p) => s.manage('mgmt-get-b-after-unknown', 'GET', clientOf(p, 'mgmt-register-b'), tokenOf(p, 'mgmt-token-b'))),
  ],
  checks: managementChecks,
});
