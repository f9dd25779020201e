import { randomUUID, X509Certificate } from 'node:crypto';
import { foreignKey } from '../../fixtures/keys';
import { certSubjectDn } from '../../common/dn';
import { untrustedCert } from '../../fixtures/untrusted';
import { parseDn, dnEquals } from '../../common/dn';
import { definePlan, type ExchangeStep } from './plan';
import { body, type Recorded } from '../exchange';
import type { ClientAuth, Session } from '../session';
import type { AuthMethod } from '../target';
import { answeredWith, clientRegistered, tokenIssued } from './controls';
import { METHOD_STEPS, TOKEN_AUTH_METHODS, tokenChecks } from '../rules/token';

const now = () => Math.floor(Date.now() / 1000);

const noTokenEndpoint = (s: Session) =>
  s.target.capabilities.management ? undefined : 'the target declares management: false (no token endpoint, GET/PUT/DELETE /register/{ClientId})';

/** Whether discovery lists the method in token_endpoint_auth_methods_supported. */
function advertised(s: Session, method: AuthMethod): boolean {
  if ('skipped' in s.discovery) return false;
  const list = body(s.discovery).token_endpoint_auth_methods_supported;
  return Array.isArray(list) && list.includes(method);
}

/** A method is tried when discovery advertises it or the target declares it; otherwise a declared skip. */
const offered = (method: AuthMethod) => (s: Session) =>
  noTokenEndpoint(s) ??
  (advertised(s, method) || s.target.capabilities.authMethods.includes(method)
    ? undefined
    : `neither discovery's token_endpoint_auth_methods_supported nor the target's authMethods lists ${method}`);

const registered = (s: Session, prior: ReadonlyMap<string, Recorded>, method: AuthMethod) => s.registered(prior.get(METHOD_STEPS[method].register)!);

/** The valid token request of the method's client. */
function validAuth(s: Session, prior: ReadonlyMap<string, Recorded>, method: AuthMethod): ClientAuth {
  const { secret } = registered(s, prior, method);
  return { method, ...(secret ? { secret } : {}) };
}

/** The registration with a method and its token request: the positive controls of that method's probes. */
function methodSteps(method: AuthMethod): ExchangeStep[] {
  const { register, token } = METHOD_STEPS[method];
  return [
    {
      name: register,
      kind: 'registration',
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
      accepted: tokenIssued,
      run: async (s, p) => {
        const r = await s.token(token, registered(s, p, method).clientId, validAuth(s, p, method));
        return { ...r, sent: { ...r.sent, advertised: advertised(s, method) } };
      },
    },
  ];
}

/** The control's token request with one change (the certificate, the assertion, the secret). */
function probe(name: string, method: AuthMethod, change: (s: Session, prior: ReadonlyMap<string, Recorded>) => Promise<Partial<ClientAuth>>, skipIf?: ExchangeStep['skipIf']): ExchangeStep {
  return {
    name,
    kind: 'token',
    needs: [METHOD_STEPS[method].token],
    ...(skipIf ? { skipIf } : {}),
    run: async (s, p) => s.token(name, registered(s, p, method).clientId, { ...validAuth(s, p, method), ...(await change(s, p)) }),
  };
}

/** Selfsigned's names for the usual DN attributes; others go by OID. */
const ATTRIBUTE_NAMES: Record<string, string> = { '2.5.4.3': 'commonName', '2.5.4.6': 'countryName', '2.5.4.10': 'organizationName', '2.5.4.11': 'OU', '2.5.4.7': 'localityName', '2.5.4.8': 'ST' };

/** A certificate from an untrusted CA (made once per process) with the transport certificate's subject, attribute for attribute. */
async function untrustedTwin(s: Session): Promise<{ cert: string; key: string; sameDn: boolean }> {
  const subject = parseDn(new X509Certificate(s.target.transport!.cert).subject);
  const pair = await untrustedCert(subject.flat().map((a) => ({ name: ATTRIBUTE_NAMES[a.type] ?? a.type, value: a.value })));
  let sameDn = false;
  try {
    sameDn = dnEquals(certSubjectDn(pair.cert), s.target.subjectDn);
  } catch {
    sameDn = false;
  }
  return { ...pair, sameDn };
}

const needsAlt = (s: Session) =>
  s.target.altTransport ? undefined : 'the target gives no altTransportCert / altTransportKey (a second certificate the bank trusts, with another subject DN)';

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

const steps: ExchangeStep[] = [
  ...TOKEN_AUTH_METHODS.flatMap(methodSteps),
  ...TOKEN_AUTH_METHODS.filter((m) => m !== 'tls_client_auth').flatMap(boundSteps),
  // tls_client_auth
  {
    ...probe('token-tls-untrusted-cert', 'tls_client_auth', async () => ({})),
    run: async (s, p) => {
      const twin = await untrustedTwin(s);
      const r = await s.token('token-tls-untrusted-cert', registered(s, p, 'tls_client_auth').clientId, { method: 'tls_client_auth', client: { cert: twin.cert, key: twin.key } });
      return { ...r, sent: { ...r.sent, sameSubjectDn: twin.sameDn } };
    },
  },
  probe('token-tls-no-cert', 'tls_client_auth', async () => ({ client: null })),
  probe('token-tls-other-dn', 'tls_client_auth', async (s) => ({ client: s.target.altTransport! }), needsAlt),
  // private_key_jwt
  probe('token-assertion-aud-other', 'private_key_jwt', async () => ({ assertion: { claims: { aud: 'https://another-bank.example.com/token' } } })),
  probe('token-assertion-iss-other', 'private_key_jwt', async () => ({ assertion: { claims: { iss: 'someOtherClient', sub: 'someOtherClient' } } })),
  // Each alone: a bank comparing only one of the two with the client_id accepts the other changed.
  probe('token-assertion-sub-other', 'private_key_jwt', async () => ({ assertion: { claims: { sub: 'someOtherClient' } } })),
  probe('token-assertion-iss-only-other', 'private_key_jwt', async () => ({ assertion: { claims: { iss: 'someOtherClient' } } })),
  probe('token-assertion-expired', 'private_key_jwt', async () => ({ assertion: { claims: { iat: now() - 600, exp: now() - 300 } } })),
  probe('token-assertion-foreign-key', 'private_key_jwt', async (s) => ({ assertion: { key: { ...(await foreignKey(s.key.alg as 'PS256' | 'RS256' | 'ES256')), kid: s.key.kid } } })),
  probe('token-assertion-no-exp', 'private_key_jwt', async () => ({ assertion: { claims: { exp: undefined } } })),
  probe('token-assertion-no-jti', 'private_key_jwt', async () => ({ assertion: { claims: { jti: undefined } } })),
  probe('token-assertion-alg-none', 'private_key_jwt', async () => ({ assertion: { unsigned: true } })),
  probe('token-assertion-replay', 'private_key_jwt', async (_s, p) => ({ assertion: { jwt: String(p.get(METHOD_STEPS.private_key_jwt.token)!.sent.assertion) } })),
  // client_secret_basic
  probe('token-secret-wrong', 'client_secret_basic', async () => ({ secret: `wrong-${randomUUID()}` })),
  probe('token-secret-post-wrong', 'client_secret_post', async () => ({ secret: `wrong-${randomUUID()}` })),
];

/** The token plan's checks. */
export const tokenPlanChecks = tokenChecks;

/**
 * The token endpoint: every auth method the bank advertises (or the target declares) is tried, then
 * each method's client authentication is probed with one change to the request that got a token.
 */
export const tokenPlan = definePlan({
  id: 'token',
  title: 'Token endpoint client authentication (every advertised method, and its refusals)',
  steps,
  checks: tokenPlanChecks,
});
