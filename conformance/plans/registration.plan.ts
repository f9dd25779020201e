import { untrustedTransportCert } from '../../fixtures/untrusted';
import { definePlan, type ExchangeStep } from './plan';
import type { Session } from '../session';
import { clientRegistered } from './controls';
import type { AuthMethod } from '../target';
import { registrationChecks } from '../rules/registration';
import { transportRefusalChecks } from '../rules/request-refusals';
import { METHOD_CONTROL, listedRedirectControls, registrationSweep, sendRegistration, supports, validRegistration } from '../sweep/register';
import { sweepChecks, sweepSteps } from '../sweep/table';

export { METHOD_CONTROL };

/** A valid registration with one auth method: accepted, it is the control of that method's probes. */
function methodControl(method: AuthMethod): ExchangeStep {
  const name = METHOD_CONTROL[method];
  return { name, concurrent: true, skipIf: supports(method), accepted: clientRegistered, run: (s) => sendRegistration(s, name, validRegistration(s, method)) };
}

/** The auth method of the no-certificate probe: one that needs no certificate, when the target declares one. */
function noCertMethod(s: Session): AuthMethod | undefined {
  return (['private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const).find((m) => s.target.capabilities.authMethods.includes(m));
}

/** A probe whose control is register-valid, built from the session (keys, headers). */
function probe(name: string, run: ExchangeStep['run'], needs = ['register-valid']): ExchangeStep {
  return { name, needs, run, concurrent: true };
}

const steps: ExchangeStep[] = [
  {
    name: 'register-valid',
    accepted: clientRegistered,
    run: async (s) => {
      const claims = s.claims();
      return s.post('register-valid', await s.sign(claims), { sent: { claims } });
    },
  },
  probe('register-content-type-jwt', async (s) => s.post('register-content-type-jwt', await s.sign(s.claims()), { contentType: 'application/jwt' })),
  methodControl('tls_client_auth'),
  methodControl('private_key_jwt'),
  methodControl('client_secret_basic'),
  methodControl('client_secret_post'),
  {
    name: 'register-replay-first',
    concurrent: true,
    accepted: clientRegistered,
    run: async (s) => {
      const jwt = await s.sign(s.claims());
      return s.post('register-replay-first', jwt, { sent: { jwt } });
    },
  },
  {
    name: 'register-replay-second',
    concurrent: true,
    needs: ['register-replay-first'],
    run: async (s, prior) => s.post('register-replay-second', prior.get('register-replay-first')!.sent.jwt as string),
  },
  // Transport
  // Without a client certificate, registered with a method that needs none (private_key_jwt, else a secret method), so that
  // only the transport rule can refuse it: a tls_client_auth request would also be refused for its DN, which proves nothing.
  {
    name: 'register-no-cert',
    concurrent: true,
    needs: ['register-valid', METHOD_CONTROL.private_key_jwt, METHOD_CONTROL.client_secret_basic, METHOD_CONTROL.client_secret_post],
    needsFor: (s) => {
      const method = noCertMethod(s);
      return [method ? METHOD_CONTROL[method] : 'register-valid'];
    },
    run: async (s) => {
      const method = noCertMethod(s);
      const claims = s.claims({}, method ? { method } : {});
      return s.post('register-no-cert', await s.sign(claims), { client: null, sent: { claims, method: method ?? s.target.capabilities.authMethods[0] } });
    },
  },
  {
    name: 'register-untrusted-cert',
    concurrent: true,
    needs: [METHOD_CONTROL.tls_client_auth],
    skipIf: supports('tls_client_auth'),
    run: async (s) => {
      const rogue = await untrustedTransportCert({ software_id: s.target.softwareId, org_id: s.target.orgId || 'org', org_name: 'Conformance TPP' });
      const claims = s.claims({ tls_client_auth_subject_dn: rogue.dn, tls_client_auth_dn: undefined }, { method: 'tls_client_auth' });
      return s.post('register-untrusted-cert', await s.sign(claims), { client: { cert: rogue.cert, key: rogue.key } });
    },
  },
  // The controls of the rows whose redirect URI their SSA lists (fragment, http): conformance/sweep/register.ts.
  ...listedRedirectControls(),
  // The one-change sweep of the valid request: conformance/sweep/register.ts.
  ...sweepSteps(registrationSweep),
];

/** POST /register: the valid request, each auth method, replay and transport, and the one-change sweep of the request. */
export const registrationPlan = definePlan({
  id: 'registration',
  title: 'Registration (POST /register)',
  steps,
  checks: [...registrationChecks, ...transportRefusalChecks, ...sweepChecks(registrationSweep)],
});
