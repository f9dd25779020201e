import type { SpecRef } from '../../catalogue/references';
import { body, header, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { AuthMethod } from '../target';
import { defineCheck, evidenceOf, fail, pass, type Check, type Verdict } from './define';
import { bearerUnauthorized } from './refusal';

/** The auth methods the pack can authenticate with at the token endpoint. */
export const TOKEN_AUTH_METHODS: readonly AuthMethod[] = ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'];

const kebab = (m: AuthMethod) => m.replace(/_/g, '-');
/** The registration with a method and its token request: the controls of that method's probes. */
export const METHOD_STEPS: Readonly<Record<AuthMethod, MethodSteps>> = Object.fromEntries(
  TOKEN_AUTH_METHODS.map((m) => [m, { register: `auth-register-${kebab(m)}`, token: `auth-token-${kebab(m)}`, boundGet: `auth-get-${kebab(m)}`, boundNoCert: `auth-get-no-cert-${kebab(m)}` }]),
) as Record<AuthMethod, MethodSteps>;

interface MethodSteps {
  register: string;
  token: string;
  /** GET /register/{ClientId} with the method's token and the transport certificate: the control of boundNoCert. */
  boundGet: string;
  /** The same GET without a client certificate: a sender-constrained token is refused. */
  boundNoCert: string;
}

/** A 200 token answer's body is not shown: it carries a live access token. */
const shown = (r: Recorded, extra: Record<string, unknown> = {}) => evidenceOf(r, { ...(r.status === 200 ? { body: '(token redacted)' } : {}), ...extra });

const issued = (r: Recorded) => r.status === 200 && typeof body(r).access_token === 'string' && body(r).access_token !== '';

/**
 * Discovery's token_endpoint_auth_methods_supported is, in RFC 8414 2's words, the "client
 * authentication methods supported by this token endpoint" (OIDC Discovery: "Client Authentication
 * methods supported by this Token Endpoint"): a client registered with an advertised method must get
 * a token with it. A method the target only declares in authMethods is held to the same.
 */
export function authMethodVerdict(method: AuthMethod, registration: Recorded, token: Recorded): Verdict {
  const answered = body(registration).token_endpoint_auth_method;
  if (typeof answered === 'string' && answered !== method) {
    return fail(`the bank registered the client with ${answered}, not the ${method} it was asked for`, evidenceOf(registration, { expected: method, actual: answered }));
  }
  const why = token.sent.advertised === true ? 'discovery advertises it in token_endpoint_auth_methods_supported (methods "supported by this token endpoint")' : 'the target declares it in authMethods';
  if (issued(token)) return pass(shown(token, { method, advertised: token.sent.advertised === true }));
  return fail(`${method}: ${why}, but the token request authenticating with it answered ${summarize(token)}`, shown(token, { expected: '200 with an access_token', actual: token.status || token.transportError, method }));
}

function authMethodCheck(method: AuthMethod, spec: SpecRef): Check {
  const steps = METHOD_STEPS[method];
  return defineCheck({
    id: `AUTH-METHOD-${kebab(method).toUpperCase()}`,
    title: `A client registered with ${method} gets a client_credentials token authenticating with ${method}`,
    spec: ['RFC8414-2', 'OIDC-DISCOVERY', spec],
    severity: 'MUST',
    tags: ['token', 'auth-method'],
    rules: ['TOKEN-AUTH-METHODS'],
    exchanges: [steps.register, steps.token],
    check: (registration, token) => authMethodVerdict(method, registration, token),
  });
}

/**
 * FAPI 1 Advanced part 2 5.2.2: the authorization server "shall only issue sender-constrained access
 * tokens"; RFC 8705 3: the protected resource "MUST obtain the client certificate ... and verify that it
 * matches the certificate-bound access token". Whatever the client authentication method, a token
 * obtained over mutual TLS is bound to that certificate: used without it, 401 invalid_token.
 */
function boundTokenCheck(method: AuthMethod): Check {
  const steps = METHOD_STEPS[method];
  return defineCheck({
    id: `TOKEN-CERT-BOUND-${kebab(method).toUpperCase()}`,
    title: `A ${method} client's token, obtained over mutual TLS, is refused without the client certificate (sender-constrained)`,
    spec: ['FAPI1-ADV-5.2.2', 'RFC8705-3', 'OBDCR-GET'],
    severity: 'MUST',
    tags: ['token', 'management', 'sender-constrained', method, 'gap'],
    rules: ['MGT-TOKEN-CERT-BOUND'],
    exchanges: [steps.boundNoCert],
    check: (r) =>
      r.status >= 200 && r.status < 300
        ? fail(`the ${method} client's token worked without the certificate it was obtained with (${r.status}): it is a bearer token, not sender-constrained`, evidenceOf(r, { expected: 401, actual: r.status }))
        : bearerUnauthorized(r, `GET with the ${method} client's token but no client certificate`, true),
  });
}

export interface ClientAuthRefusalOptions {
  /** The client authenticated with the Authorization header (client_secret_basic). */
  basic?: boolean;
  /** A refusal at the TLS layer (no answer, the handshake refused) also counts. */
  tls?: boolean;
}

/**
 * RFC 6749 5.2: "invalid_client: Client authentication failed ... The authorization server MAY
 * return an HTTP 401 (Unauthorized) status code ... If the client attempted to authenticate via
 * the "Authorization" request header field, the authorization server MUST respond with an HTTP 401
 * (Unauthorized) status code and include the "WWW-Authenticate" response header field matching the
 * authentication scheme used by the client." Otherwise 400 (the default of 5.2) or 401.
 * RFC 7523 3.2: for an invalid client assertion 'the value of the "error" parameter MUST be the
 * "invalid_client" error code'.
 */
export function clientAuthRefusal(r: Recorded, opts: ClientAuthRefusalOptions = {}): Verdict {
  const statuses = opts.basic ? [401] : [400, 401];
  const expected = { status: statuses.join(' or '), error: 'invalid_client', ...(opts.basic ? { 'www-authenticate': 'Basic ...' } : {}) };
  if (r.status === 0) {
    if (opts.tls && !r.timedOut) return pass(evidenceOf(r, { expected, actual: r.transportError }), 'refused at the TLS layer');
    return fail(`no answer: ${r.transportError ?? 'the exchange failed'}`, evidenceOf(r, { expected }));
  }
  const b = body(r);
  const actual = { status: r.status, error: b.error, 'www-authenticate': header(r, 'www-authenticate') };
  if (issued(r)) return fail('the bank issued an access token', shown(r, { expected, actual: { status: r.status } }));
  if (!statuses.includes(r.status)) return fail(`expected ${expected.status} invalid_client, got ${r.status}`, shown(r, { expected, actual }));
  if (b.error !== 'invalid_client') return fail(`expected error invalid_client, got ${JSON.stringify(b.error)}`, evidenceOf(r, { expected, actual }));
  if (opts.basic && !/(^|,\s*)Basic\b/i.test(header(r, 'www-authenticate') ?? '')) {
    return fail('a refused Basic authentication must carry WWW-Authenticate: Basic', evidenceOf(r, { expected, actual }));
  }
  return pass(evidenceOf(r, { expected, actual }));
}

export const tokenChecks: readonly Check[] = [
  authMethodCheck('tls_client_auth', 'RFC8705-2'),
  authMethodCheck('private_key_jwt', 'RFC7523-3'),
  authMethodCheck('client_secret_basic', 'RFC6749-2.3.1'),
  authMethodCheck('client_secret_post', 'RFC6749-2.3.1'),
  boundTokenCheck('private_key_jwt'),
  boundTokenCheck('client_secret_basic'),
  boundTokenCheck('client_secret_post'),
];
