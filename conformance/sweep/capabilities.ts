import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { ExchangeStep } from '../plans/plan';
import type { AuthMethod } from '../target';
import { defineCheck, evidenceOf, fail, pass, skip, type Check } from '../rules/define';
import { DISCOVERY, RFC7591, q } from '../rules/quotes';
import type { SigningKey } from '../../fixtures/keys';
import { compactJws, defaultHeader } from './jws';

/**
 * Every capability discovery advertises is exercised: each token_endpoint_auth_method registers
 * (its token is judged by AUTH-METHOD-*), and each token_endpoint_auth_signing_alg the pack can sign
 * with registers a private_key_jwt client with that alg and gets a token with an assertion signed in it.
 * A capability that fails is a failure naming the discovery field; one not advertised is a declared skip.
 */
const list = (s: Session, field: string): unknown[] => {
  if ('skipped' in s.discovery) return [];
  const v = body(s.discovery as Recorded)[field];
  return Array.isArray(v) ? v : [];
};
export const advertisedMethod = (s: Session, m: AuthMethod) => list(s, 'token_endpoint_auth_methods_supported').includes(m);

/** The check that a method discovery advertises registers: reads that method's registration (the token plan's). */
export function advertisedRegistersCheck(method: AuthMethod, register: string): Check {
  return defineCheck({
    id: `ADVERTISED-AUTH-METHOD-${method.replace(/_/g, '-').toUpperCase()}-REGISTERS`,
    title: `A token_endpoint_auth_method ${method} that discovery advertises can be registered`,
    spec: ['RFC8414-2', 'OIDC-DISCOVERY', 'RFC7591-2'],
    severity: 'MUST',
    tags: ['token', 'auth-method', 'advertised', method],
    rules: ['TOKEN-AUTH-METHODS'],
    quotes: [DISCOVERY.asAuthMethods, q('RFC7591-2', 'token_endpoint_auth_method String indicator of the requested authentication method for the token endpoint.', 'a method the server advertises is one a client may request')],
    exchanges: [register],
    check: (r) => {
      if (r.sent.advertised !== true) return skip(`discovery does not advertise ${method} in token_endpoint_auth_methods_supported (registered because the target declares it)`);
      return r.status >= 200 && r.status < 300 && r.clientId
        ? pass(evidenceOf(r))
        : fail(`discovery advertises ${method} in token_endpoint_auth_methods_supported, but registering a client with it answered ${summarize(r)}`, evidenceOf(r, { expected: '201 with a client_id', field: 'token_endpoint_auth_methods_supported' }));
    },
  });
}

type SigningAlg = 'PS256' | 'ES256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['PS256', 'ES256'];

/** The software key of an alg: the session's own when it is of that alg, else the shared one the hosted JWKS also holds. */
function keyFor(s: Session, alg: SigningAlg): SigningKey | undefined {
  return s.key.alg === alg ? s.key : s.extraKeys.find((k) => k.alg === alg);
}

const capNames = (alg: SigningAlg) => ({ register: `cap-register-pkjwt-${alg.toLowerCase()}`, token: `cap-token-pkjwt-${alg.toLowerCase()}` });

/** For each alg: register private_key_jwt with it, then get a token with an assertion signed in it. */
export function signingAlgSteps(management: (s: Session) => string | undefined): ExchangeStep[] {
  return SIGNING_ALGS.flatMap((alg): ExchangeStep[] => {
    const { register, token } = capNames(alg);
    const skipIf = (s: Session) =>
      management(s) ??
      (list(s, 'token_endpoint_auth_signing_alg_values_supported').includes(alg) ? undefined : `discovery does not advertise ${alg} in token_endpoint_auth_signing_alg_values_supported`) ??
      (list(s, 'token_endpoint_auth_methods_supported').includes('private_key_jwt') ? undefined : 'discovery does not advertise private_key_jwt') ??
      (s.key.alg === alg || s.extraKeys.some((k) => k.alg === alg) ? undefined : `the software JWKS holds no ${alg} key the pack can sign with (it hosts one only when it hosts the JWKS)`);
    return [
      {
        name: register,
        kind: 'registration',
        skipIf,
        run: async (s) => {
          const claims = s.claims({ token_endpoint_auth_signing_alg: alg }, { method: 'private_key_jwt' });
          return s.post(register, compactJws(defaultHeader(s.key), claims, { key: s.key }), { sent: { claims } });
        },
      },
      {
        name: token,
        kind: 'token',
        needs: [register],
        accepted: (r) => (r.status === 200 && typeof body(r).access_token === 'string' ? undefined : `answered ${summarize(r)}`),
        run: async (s, p) => {
          const key = keyFor(s, alg)!;
          return s.token(token, s.registered(p.get(register)!).clientId, { method: 'private_key_jwt', assertion: { key } });
        },
      },
      // The session's cleanup signs its assertion with the main key: this client, registered for another alg, is deleted here.
      {
        name: `cap-delete-pkjwt-${alg.toLowerCase()}`,
        kind: 'management',
        needs: [token],
        skipIf: (s) => (s.target.capabilities.operations.includes('DELETE') ? undefined : 'the target does not declare DELETE'),
        run: (s, p) => s.manage(`cap-delete-pkjwt-${alg.toLowerCase()}`, 'DELETE', s.registered(p.get(register)!).clientId, String(body(p.get(token)!).access_token ?? '')),
      },
    ];
  });
}

export const signingAlgChecks: Check[] = SIGNING_ALGS.map((alg) => {
  const { register, token } = capNames(alg);
  return defineCheck({
    id: `ADVERTISED-SIGNING-ALG-${alg}`,
    title: `A token_endpoint_auth_signing_alg ${alg} that discovery advertises registers a private_key_jwt client and gets a token with an assertion signed ${alg}`,
    spec: ['RFC8414-2', 'RFC7523-3', 'RFC7591-2'],
    severity: 'MUST',
    tags: ['token', 'private_key_jwt', 'advertised'],
    rules: ['TOKEN-ASSERTION-ALG', 'REQ-AUTH-SIGNING-ALG'],
    quotes: [q('RFC8414-2', 'token_endpoint_auth_signing_alg_values_supported OPTIONAL. JSON array containing a list of the JWS signing algorithms ("alg" values) supported by the token endpoint for the signature on the JWT [JWT] used to authenticate the client at the token endpoint ...'), RFC7591.allMetadata],
    exchanges: [register, token],
    check: (reg, tok) => {
      const answered = body(reg).token_endpoint_auth_signing_alg;
      if (answered !== undefined && answered !== alg) return fail(`registered with token_endpoint_auth_signing_alg ${JSON.stringify(answered)}, not the advertised ${alg}`, evidenceOf(reg, { expected: alg, actual: answered, field: 'token_endpoint_auth_signing_alg_values_supported' }));
      return tok.status === 200 && typeof body(tok).access_token === 'string'
        ? pass(evidenceOf(tok, { body: '(token redacted)' }))
        : fail(`discovery advertises ${alg} in token_endpoint_auth_signing_alg_values_supported, but an assertion signed ${alg} answered ${summarize(tok)}`, evidenceOf(tok, { expected: 200, field: 'token_endpoint_auth_signing_alg_values_supported' }));
    },
  });
});

