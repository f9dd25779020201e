import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { ExchangeStep } from '../plans/plan';
import type { AuthMethod } from '../target';
import { blocked, defineCheck, evidenceOf, fail, pass, skip, type Check } from '../rules/define';
import { DD, DISCOVERY, q } from '../rules/quotes';
import { METHOD_STEPS, TOKEN_AUTH_METHODS } from '../rules/token';
import type { SigningKey } from '../../fixtures/keys';
import { firstMethod, noTokenEndpoint, offered, sendToken, validTokenRequest } from './token';

/**
 * Every capability discovery advertises is exercised: each token_endpoint_auth_method registers (its
 * token is judged by AUTH-METHOD-*), each token_endpoint_auth_signing_alg the pack can sign with
 * registers a private_key_jwt client with that alg and gets a token with an assertion signed in it, and
 * each grant the pack can use (client_credentials; refresh_token, when the bank issues one) works.
 * A capability that fails is a failure naming the discovery field; one not advertised is a declared
 * skip; one the pack cannot build (an alg it has no key for) is blocked, never failed.
 */
const list = (s: Session, field: string): unknown[] => {
  if ('skipped' in s.discovery) return [];
  const v = body(s.discovery as Recorded)[field];
  return Array.isArray(v) ? v : [];
};
const kebab = (m: string) => m.replace(/_/g, '-').toUpperCase();
const registered = (r: Recorded) => r.status >= 200 && r.status < 300 && !!r.clientId;
const issued = (r: Recorded) => r.status === 200 && typeof body(r).access_token === 'string' && body(r).access_token !== '';
const redacted = (r: Recorded, extra: Record<string, unknown> = {}) => evidenceOf(r, { ...(r.status === 200 ? { body: '(token redacted)' } : {}), ...extra });
/** A step that was not sent because the one it builds on gave nothing to use: recorded as such, judged by the check. */
const notSent = (name: string, why: string): Recorded => ({ name, request: { method: 'POST', url: '', headers: {} }, status: 0, headers: {}, text: '', json: undefined, ms: 0, sent: { notSent: why } });

/** The check that a method discovery advertises registers: reads that method's registration (the token plan's). */
function advertisedRegistersCheck(method: AuthMethod): Check {
  return defineCheck({
    id: `ADVERTISED-AUTH-METHOD-${kebab(method)}-REGISTERS`,
    title: `A token_endpoint_auth_method ${method} that discovery advertises can be registered`,
    spec: ['RFC8414-2', 'OIDC-DISCOVERY', 'OBDCR-REQ'],
    severity: 'MUST',
    tags: ['token', 'auth-method', 'advertised', method],
    rules: ['TOKEN-AUTH-METHODS'],
    quotes: [DISCOVERY.asAuthMethods, DD.wellKnown, DD.unsupported],
    exchanges: [METHOD_STEPS[method].register],
    check: (r) => {
      if (r.sent.advertised !== true) return skip(`discovery does not advertise ${method} in token_endpoint_auth_methods_supported (it is registered because the target declares it: judged by AUTH-METHOD-${kebab(method)})`);
      if (!registered(r)) return fail(`discovery advertises ${method} in token_endpoint_auth_methods_supported, but registering a client with it answered ${summarize(r)}`, evidenceOf(r, { expected: '201 with a client_id', field: 'token_endpoint_auth_methods_supported', method }));
      return pass(evidenceOf(r, { method }));
    },
  });
}

/** The algorithms the pack can sign a client assertion with. */
type SigningAlg = 'PS256' | 'ES256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['PS256', 'ES256'];

/** The software key of an alg: the session's own when it is of that alg, else another key the software JWKS holds. */
function keyFor(s: Session, alg: SigningAlg): SigningKey | undefined {
  return s.key.alg === alg ? s.key : s.extraKeys.find((k) => k.alg === alg);
}

const algSteps = (alg: SigningAlg) => ({ register: `cap-register-pkjwt-${alg.toLowerCase()}`, token: `cap-token-pkjwt-${alg.toLowerCase()}`, del: `cap-delete-pkjwt-${alg.toLowerCase()}` });
const pkjwtOffered = offered('private_key_jwt');
const anyAnswer = () => undefined;

/** For each alg: register private_key_jwt with it, get a token with an assertion signed in it, delete the client. */
function signingAlgSteps(): ExchangeStep[] {
  return SIGNING_ALGS.flatMap((alg): ExchangeStep[] => {
    const { register, token, del } = algSteps(alg);
    const skipIf = (s: Session) =>
      pkjwtOffered(s) ??
      (list(s, 'token_endpoint_auth_signing_alg_values_supported').includes(alg) ? undefined : `discovery does not advertise ${alg} in token_endpoint_auth_signing_alg_values_supported`);
    return [
      {
        name: register,
        kind: 'registration',
        skipIf,
        // Any answer: a refusal is this capability's failure, judged by its check (not a block).
        accepted: anyAnswer,
        run: async (s) => {
          if (!keyFor(s, alg)) throw new Error(`the software JWKS holds no ${alg} key the pack can sign with (the pack adds one when it hosts the JWKS; else give extraSigningKeys)`);
          const claims = s.claims({ token_endpoint_auth_signing_alg: alg }, { method: 'private_key_jwt' });
          return s.post(register, await s.sign(claims), { sent: { claims } });
        },
      },
      {
        name: token,
        kind: 'token',
        needs: [register],
        accepted: (r) => (issued(r) ? undefined : `answered ${summarize(r)}`),
        run: async (s, p) => {
          const reg = p.get(register)!;
          if (!registered(reg)) return notSent(token, `the registration answered ${summarize(reg)}`);
          const key = keyFor(s, alg)!;
          const req = validTokenRequest(s, p, 'private_key_jwt', register);
          return sendToken(s, token, { ...req, assertion: { ...req.assertion!, header: { alg: key.alg, kid: key.kid, typ: 'JWT' }, signer: { key } } });
        },
      },
      // The session's cleanup signs its assertion with the main key: this client, registered for another alg, is deleted here.
      {
        name: del,
        kind: 'management',
        needs: [token],
        skipIf: (s) => (s.target.capabilities.operations.includes('DELETE') ? undefined : 'the target does not declare DELETE'),
        run: (s, p) => s.manage(del, 'DELETE', s.registered(p.get(register)!).clientId, String(body(p.get(token)!).access_token ?? '')),
      },
    ];
  });
}

const signingAlgChecks: Check[] = SIGNING_ALGS.map((alg) => {
  const { register, token } = algSteps(alg);
  return defineCheck({
    id: `ADVERTISED-SIGNING-ALG-${alg}`,
    title: `A token_endpoint_auth_signing_alg ${alg} that discovery advertises registers a private_key_jwt client and gets a token with an assertion signed ${alg}`,
    spec: ['RFC8414-2', 'RFC7523-3', 'OBDCR-REQ'],
    severity: 'MUST',
    tags: ['token', 'private_key_jwt', 'advertised'],
    rules: ['TOKEN-ASSERTION-ALG', 'REQ-AUTH-SIGNING-ALG'],
    quotes: [
      q('RFC8414-2', 'token_endpoint_auth_signing_alg_values_supported OPTIONAL. JSON array containing a list of the JWS signing algorithms ("alg" values) supported by the token endpoint for the signature on the JWT [JWT] used to authenticate the client at the token endpoint ...'),
      DD.wellKnown,
      DD.signingAlg,
    ],
    exchanges: [register, token],
    check: (reg, tok) => {
      const field = 'token_endpoint_auth_signing_alg_values_supported';
      if (!registered(reg)) return fail(`discovery advertises ${alg} in ${field}, but registering private_key_jwt with token_endpoint_auth_signing_alg ${alg} answered ${summarize(reg)}`, evidenceOf(reg, { expected: '201 with a client_id', field, alg }));
      const answered = body(reg).token_endpoint_auth_signing_alg;
      if (answered !== undefined && answered !== alg) return fail(`registered with token_endpoint_auth_signing_alg ${JSON.stringify(answered)}, not the advertised ${alg}`, evidenceOf(reg, { expected: alg, actual: answered, field }));
      return issued(tok)
        ? pass(redacted(tok, { alg }))
        : fail(`discovery advertises ${alg} in ${field}, but a client assertion signed ${alg} answered ${summarize(tok)}`, redacted(tok, { expected: '200 with an access_token', field, alg }));
    },
  });
});

const grantAdvertised = (grant: string) => (s: Session) =>
  noTokenEndpoint(s) ?? (list(s, 'grant_types_supported').includes(grant) ? undefined : `discovery does not advertise ${grant} in grant_types_supported`);
const GRANT_QUOTE = q('RFC8414-2', 'grant_types_supported OPTIONAL. JSON array containing a list of the OAuth 2.0 grant type values that this authorization server supports.');

/** client_credentials: a new token request of the target's first method's client (the method's own checks judge its registration). */
const CC = 'cap-grant-client-credentials';
const REFRESH = { register: 'cap-register-refresh-token', token: 'cap-token-refresh-token', refresh: 'cap-refresh-token' } as const;

function grantSteps(): ExchangeStep[] {
  const ccMethod = (s: Session) => firstMethod(s) ?? 'tls_client_auth';
  return [
    {
      name: CC,
      kind: 'token',
      needs: TOKEN_AUTH_METHODS.map((m) => METHOD_STEPS[m].register),
      needsFor: (s) => [METHOD_STEPS[ccMethod(s)].register],
      skipIf: (s) => grantAdvertised('client_credentials')(s) ?? (firstMethod(s) ? undefined : 'no auth method the pack can use is advertised or declared'),
      run: (s, p) => sendToken(s, CC, validTokenRequest(s, p, ccMethod(s))),
    },
    {
      name: REFRESH.register,
      kind: 'registration',
      skipIf: (s) => grantAdvertised('refresh_token')(s) ?? (firstMethod(s) ? undefined : 'no auth method the pack can use is advertised or declared'),
      accepted: anyAnswer,
      run: async (s) => {
        const method = ccMethod(s);
        const base = s.claims({}, { method });
        const grants = Array.isArray(base.grant_types) ? (base.grant_types as string[]) : [];
        const claims = { ...base, grant_types: [...new Set([...grants, 'client_credentials', 'refresh_token'])] };
        return s.post(REFRESH.register, await s.sign(claims), { sent: { claims } });
      },
    },
    {
      name: REFRESH.token,
      kind: 'token',
      needs: [REFRESH.register],
      accepted: anyAnswer,
      run: async (s, p) => {
        const reg = p.get(REFRESH.register)!;
        if (!registered(reg)) return notSent(REFRESH.token, `the registration answered ${summarize(reg)}`);
        return sendToken(s, REFRESH.token, validTokenRequest(s, p, s.registered(reg).method as AuthMethod, REFRESH.register));
      },
    },
    {
      name: REFRESH.refresh,
      kind: 'token',
      needs: [REFRESH.token],
      run: async (s, p) => {
        const tok = p.get(REFRESH.token)!;
        const rt = body(tok).refresh_token;
        if (!issued(tok) || typeof rt !== 'string' || rt === '') return notSent(REFRESH.refresh, issued(tok) ? 'the token answer carries no refresh_token' : `the token request answered ${summarize(tok)}`);
        const reg = p.get(REFRESH.register)!;
        // RFC 6749 6: the refresh request authenticates the (confidential) client as the first one did.
        const req = validTokenRequest(s, p, s.registered(reg).method as AuthMethod, REFRESH.register);
        return sendToken(s, REFRESH.refresh, { ...req, form: { ...req.form, grant_type: 'refresh_token', refresh_token: rt } });
      },
    },
  ];
}

const grantChecks: Check[] = [
  defineCheck({
    id: 'ADVERTISED-GRANT-CLIENT-CREDENTIALS',
    title: 'A client_credentials grant that discovery advertises issues a token',
    spec: ['RFC8414-2', 'RFC6749-4.4.2', 'OBDCR-GEN'],
    severity: 'MUST',
    tags: ['token', 'advertised', 'grants-scope'],
    rules: ['TOKEN-AUTH-METHODS'],
    quotes: [GRANT_QUOTE, q('OBDCR-GEN', 'TPPs must authenticate themselves with a client credentials grant in order to get access to the GET, PUT and DELETE operations.')],
    exchanges: [CC],
    check: (r) =>
      issued(r)
        ? pass(redacted(r))
        : fail(`discovery advertises client_credentials in grant_types_supported, but the request answered ${summarize(r)}`, redacted(r, { expected: '200 with an access_token', field: 'grant_types_supported' })),
  }),
  defineCheck({
    id: 'ADVERTISED-GRANT-REFRESH-TOKEN',
    title: 'A refresh_token grant that discovery advertises can be registered, and a refresh token the bank issues gets a new access token',
    spec: ['RFC8414-2', 'OBDCR-REQ', 'RFC6749-6'],
    severity: 'MUST',
    tags: ['token', 'advertised', 'grants-scope'],
    rules: ['REQ-GRANT-TYPES'],
    quotes: [GRANT_QUOTE, DD.grantTypes, DD.unsupported, q('RFC6749-6', 'If valid and authorized, the authorization server issues an access token as described in Section 5.1.')],
    exchanges: [REFRESH.register, REFRESH.token, REFRESH.refresh],
    check: (reg, tok, refresh) => {
      if (!registered(reg)) return fail(`discovery advertises refresh_token in grant_types_supported, but registering grant_types with it answered ${summarize(reg)}`, evidenceOf(reg, { expected: '201 with a client_id', field: 'grant_types_supported', grant: 'refresh_token' }));
      const grants = body(reg).grant_types;
      if (Array.isArray(grants) && !grants.includes('refresh_token')) return fail('discovery advertises refresh_token in grant_types_supported, but the bank registered the client without it', evidenceOf(reg, { expected: 'grant_types with refresh_token', actual: grants, field: 'grant_types_supported' }));
      if (!issued(tok)) return blocked(tok.name, `the client's client_credentials token request answered ${summarize(tok)}: no refresh token to use (judged by the token checks)`, redacted(tok));
      if (refresh.sent.notSent) return pass(evidenceOf(reg), 'registered with refresh_token; the bank issued no refresh token with client_credentials (RFC 6749 4.4.3: "A refresh token SHOULD NOT be included"), so there is none to use');
      return issued(refresh)
        ? pass(redacted(refresh), 'the refresh token got a new access token')
        : fail(`the bank issued a refresh token, but using it (grant_type=refresh_token) answered ${summarize(refresh)}`, redacted(refresh, { expected: '200 with an access_token', field: 'grant_types_supported' }));
    },
  }),
];

/** The steps that exercise each advertised capability. */
export const capabilitySteps: ExchangeStep[] = [...signingAlgSteps(), ...grantSteps()];

/** Their checks: each advertised method registers, each advertised signing alg and grant works. */
export const capabilityChecks: readonly Check[] = [...TOKEN_AUTH_METHODS.map(advertisedRegistersCheck), ...signingAlgChecks, ...grantChecks];
