import { definePlan, type ExchangeStep } from './plan';
import { body, type Recorded } from '../exchange';
import type { Session } from '../session';
import type { AuthMethod } from '../target';
import { answeredWith, clientRegistered, tokenIssued } from './controls';
import { METHOD_STEPS, TOKEN_AUTH_METHODS, tokenChecks } from '../rules/token';
import { sweepChecks, sweepSteps } from '../sweep/table';
import { advertised, grantSweep, offered, sendToken, tokenSweeps, validTokenRequest } from '../sweep/token';
import { capabilityChecks, capabilitySteps } from '../sweep/capabilities';

const registered = (s: Session, prior: ReadonlyMap<string, Recorded>, method: AuthMethod) => s.registered(prior.get(METHOD_STEPS[method].register)!);

/** The registration with a method and its token request: the positive controls of that method's sweep. */
function methodSteps(method: AuthMethod): ExchangeStep[] {
  const { register, token } = METHOD_STEPS[method];
  return [
    {
      name: register,
      kind: 'registration',
      // The methods' registrations and tokens are independent of one another: sent side by side.
      concurrent: true,
      skipIf: offered(method),
      accepted: clientRegistered,
      run: async (s) => {
        const claims = s.claims({}, { method });
        return s.post(register, await s.sign(claims), { sent: { claims, advertised: advertised(s, method) } });
      },
    },
    {
      name: token,
      kind: 'token',
      needs: [register],
      concurrent: true,
      accepted: tokenIssued,
      // Built and sent as every row of the method's table is, so that a row differs from it in its one change only.
      run: (s, p) => sendToken(s, token, { ...validTokenRequest(s, p, method), sent: { advertised: advertised(s, method) } }),
    },
  ];
}

/**
 * Sender-constrained tokens for every method, not only tls_client_auth: the method's token used on
 * GET /register/{ClientId} with the transport certificate (the control, 200), then without it.
 */
function boundSteps(method: AuthMethod): ExchangeStep[] {
  const { token, boundGet, boundNoCert } = METHOD_STEPS[method];
  const getOffered = (s: Session) => offered(method)(s) ?? (s.target.capabilities.operations.includes('GET') ? undefined : 'the target does not declare GET in operations');
  const get = (name: string, client?: null) => async (s: Session, p: ReadonlyMap<string, Recorded>) =>
    s.manage(name, 'GET', registered(s, p, method).clientId, String(body(p.get(token)!).access_token ?? ''), undefined, client === null);
  return [
    { name: boundGet, kind: 'management', needs: [token], skipIf: getOffered, accepted: answeredWith(200), run: get(boundGet) },
    { name: boundNoCert, kind: 'management', needs: [boundGet], skipIf: getOffered, run: get(boundNoCert, null) },
  ];
}

const tables = [...tokenSweeps, grantSweep];

const steps: ExchangeStep[] = [
  ...TOKEN_AUTH_METHODS.flatMap(methodSteps),
  ...TOKEN_AUTH_METHODS.filter((m) => m !== 'tls_client_auth').flatMap(boundSteps),
  // One table per auth method, then the grant and scope rows (conformance/sweep/token.ts).
  ...tables.flatMap((t) => sweepSteps(t)),
  // Each advertised capability, exercised (conformance/sweep/capabilities.ts).
  ...capabilitySteps,
];

/** The token plan's checks: each method's token and its binding, the sweep rows, each advertised capability. */
export const tokenPlanChecks = [...tokenChecks, ...tables.flatMap((t) => sweepChecks(t)), ...capabilityChecks];

/**
 * The token endpoint: every auth method the bank advertises (or the target declares) is tried, then
 * each method's accepted token request is swept, one change at a time, and every advertised
 * capability (auth method, signing alg, grant) is exercised.
 */
export const tokenPlan = definePlan({
  id: 'token',
  title: 'Token endpoint client authentication (every advertised method and capability, and one-change refusals)',
  steps,
  checks: tokenPlanChecks,
});
