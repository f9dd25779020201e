import { randomUUID, X509Certificate } from 'node:crypto';
import { foreignKey } from '../../fixtures/keys';
import type { Credentials } from '../../fixtures/https';
import { untrustedCert } from '../../fixtures/untrusted';
import { certSubjectDn, dnEquals, parseDn } from '../../common/dn';
import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { AuthMethod } from '../target';
import { evidenceOf, fail, pass, type Verdict } from '../rules/define';
import { ASSERTION, JWT, FAPI, OAUTH, q } from '../rules/quotes';
import { METHOD_STEPS, TOKEN_AUTH_METHODS, clientAuthRefusal } from '../rules/token';
import { compactJws, defaultHeader, flipSignature, publicKeyEncodings, stripSignature, type Signer } from './jws';
import type { SweepRow, SweepTable } from './table';

/**
 * POST /token, element by element: the accepted client_credentials request of each auth method (its
 * control, METHOD_STEPS[m].token) with exactly one element changed: the credential, a JOSE header
 * member, a claim or the signature of the client assertion, a form parameter, the TLS identity.
 */
export interface TokenRequest {
  method: AuthMethod;
  clientId: string;
  /** The form as sent; undefined leaves a parameter out. */
  form: Record<string, string | undefined>;
  /** The Authorization: Basic credentials (client_secret_basic); none when undefined. */
  basic?: { id: string; secret: string };
  /** private_key_jwt: the client assertion, made byte by byte when sent (or `jwt` as is). */
  assertion?: { header: Record<string, unknown>; claims: Record<string, unknown>; signer: Signer; finish?: (jws: string) => string; jwt?: string };
  /** The TLS identity: the transport certificate when undefined, none when null. */
  client?: Credentials | null;
  /** Recorded beside the exchange, for the row's verdict. */
  sent?: Record<string, unknown>;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const now = () => Math.floor(Date.now() / 1000);

/** Whether discovery lists the method in token_endpoint_auth_methods_supported. */
export function advertised(s: Session, method: AuthMethod): boolean {
  if ('skipped' in s.discovery) return false;
  const list = body(s.discovery).token_endpoint_auth_methods_supported;
  return Array.isArray(list) && list.includes(method);
}

export const noTokenEndpoint = (s: Session) =>
  s.target.capabilities.management ? undefined : 'the target declares management: false (no token endpoint, GET/PUT/DELETE /register/{ClientId})';

/** A method is tried when discovery advertises it or the target declares it; otherwise a declared skip. */
export const offered = (method: AuthMethod) => (s: Session) =>
  noTokenEndpoint(s) ??
  (advertised(s, method) || s.target.capabilities.authMethods.includes(method)
    ? undefined
    : `neither discovery's token_endpoint_auth_methods_supported nor the target's authMethods lists ${method}`);

/** The method the method-independent rows use: the target's first declared method that is offered, else the first advertised. */
export function firstMethod(s: Session): AuthMethod | undefined {
  return s.target.capabilities.authMethods.find((m) => TOKEN_AUTH_METHODS.includes(m) && !offered(m)(s)) ?? TOKEN_AUTH_METHODS.find((m) => !offered(m)(s));
}

/** The accepted client_credentials request of a method's client (RFC 7523 3 assertion: iss = sub = client_id, aud the token endpoint, short exp, unique jti). */
export function validTokenRequest(s: Session, prior: ReadonlyMap<string, Recorded>, method: AuthMethod, register = METHOD_STEPS[method].register): TokenRequest {
  const { clientId, secret } = s.registered(prior.get(register)!);
  const form: Record<string, string | undefined> = { grant_type: 'client_credentials', client_id: clientId };
  const req: TokenRequest = { method, clientId, form };
  if (method === 'client_secret_basic') {
    delete form.client_id;
    req.basic = { id: clientId, secret: secret ?? '' };
  } else if (method === 'client_secret_post') {
    form.client_secret = secret ?? '';
  } else if (method === 'private_key_jwt') {
    form.client_assertion_type = JWT_BEARER;
    const t = now();
    req.assertion = { header: defaultHeader(s.key), claims: { iss: clientId, sub: clientId, aud: s.tokenEndpoint ?? '', iat: t, exp: t + 60, jti: randomUUID() }, signer: { key: s.key } };
  }
  return req;
}

/** Sends a token request as built, over its TLS identity; `sent` records the client, the method, the assertion and whether Basic was used. */
export async function sendToken(s: Session, name: string, req: TokenRequest): Promise<Recorded> {
  const url = s.tokenEndpoint;
  if (!url) return { name, request: { method: 'POST', url: '', headers: {} }, status: 0, headers: {}, text: '', json: undefined, ms: 0, transportError: 'discovery advertises no token_endpoint', sent: {} };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (req.basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(req.basic.id)}:${encodeURIComponent(req.basic.secret)}`).toString('base64')}`;
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(req.form)) if (v !== undefined) form.set(k, v);
  let assertion: string | undefined;
  if (req.assertion) {
    const a = req.assertion;
    assertion = a.jwt ?? (a.finish ?? ((j: string) => j))(compactJws(a.header, a.claims, a.signer));
    form.set('client_assertion', assertion);
  }
  const t = s.target;
  const client = req.client === null ? undefined : (req.client ?? t.transport);
  const sent = { clientId: req.clientId, method: req.method, basic: !!req.basic, ...(assertion ? { assertion } : {}), ...req.sent };
  return s.exchange(name, url, { method: 'POST', headers, body: form.toString(), ...(client ? { client } : {}), ...(t.ca ? { ca: t.ca } : {}), insecure: t.insecure, timeoutMs: t.timeoutMs }, sent);
}

type Row = SweepRow<TokenRequest>;
type Meta = Omit<Row, 'mutate' | 'element' | 'change'>;

/** A change to the client assertion's claims (undefined deletes a claim). */
const claims = (element: string, change: string, overrides: (req: TokenRequest) => Record<string, unknown>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  mutate: (req) => {
    const c = { ...req.assertion!.claims };
    for (const [k, v] of Object.entries(overrides(req))) {
      if (v === undefined) delete c[k];
      else c[k] = v;
    }
    return { ...req, assertion: { ...req.assertion!, claims: c } };
  },
});

/** A change to the assertion's header, signer or signature. */
const jose = (element: string, change: string, mutate: (a: NonNullable<TokenRequest['assertion']>, s: Session) => NonNullable<TokenRequest['assertion']> | Promise<NonNullable<TokenRequest['assertion']>>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  mutate: async (req, s) => ({ ...req, assertion: await mutate(req.assertion!, s) }),
});

/** A change to the form (undefined leaves the parameter out). */
const param = (element: string, change: string, values: (req: TokenRequest, s: Session) => Record<string, string | undefined>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  mutate: (req, s) => ({ ...req, form: { ...req.form, ...values(req, s) } }),
});

const ASSERTION_SPEC: Row['spec'] = ['RFC7523-3', 'RFC7523-3.2'];

/** Selfsigned's names for the usual DN attributes; others go by OID. */
const ATTRIBUTE_NAMES: Record<string, string> = { '2.5.4.3': 'commonName', '2.5.4.6': 'countryName', '2.5.4.10': 'organizationName', '2.5.4.11': 'OU', '2.5.4.7': 'localityName', '2.5.4.8': 'ST' };

/** A certificate from an untrusted CA (made once per process) with the transport certificate's subject, attribute for attribute. */
async function untrustedTwin(s: Session): Promise<{ cert: string; key: string; sameDn: boolean }> {
  if (!s.target.transport) throw new Error('the target gives no transport certificate whose subject the untrusted one could copy');
  const subject = parseDn(new X509Certificate(s.target.transport.cert).subject);
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

/** tls_client_auth (RFC 8705 2): the certificate chains to a trusted CA and its subject is the registered DN. */
const tlsRows: Row[] = [
  {
    id: 'TOKEN-TLS-UNTRUSTED-CERT', element: 'tls.certificate', change: "an untrusted CA's, the client's subject DN", title: "tls_client_auth: a certificate from an untrusted CA with the client's subject DN is refused",
    rules: ['TLS-CERT-TRUSTED'], spec: ['RFC8705-2', 'RFC6749-5.2'], tags: ['gap'],
    mutate: async (req, s) => {
      const twin = await untrustedTwin(s);
      return { ...req, client: { cert: twin.cert, key: twin.key }, sent: { sameSubjectDn: twin.sameDn } };
    },
  },
  { id: 'TOKEN-TLS-NO-CERT', element: 'tls.certificate', change: 'none', title: 'tls_client_auth: a token request without a client certificate is refused', rules: ['TLS-CERT-REQUIRED'], spec: ['RFC8705-2', 'RFC6749-5.2'], tags: ['gap'], mutate: (req) => ({ ...req, client: null }) },
  { id: 'TOKEN-TLS-OTHER-DN', element: 'tls.certificate', change: 'another trusted certificate (another DN)', title: 'tls_client_auth: a trusted certificate with another subject DN is refused', rules: ['TOKEN-TLS-DN'], spec: ['RFC8705-2', 'RFC6749-5.2'], tags: ['gap'], skipIf: needsAlt, mutate: (req, s) => ({ ...req, client: s.target.altTransport! }) },
];

const HS256_ENCODINGS: Array<[string, string, string]> = [
  ['TOKEN-ASSERTION-HS256-PUBLIC-KEY', 'spki-pem', 'the SPKI PEM (trailing newline included)'],
  ['TOKEN-ASSERTION-HS256-PUBLIC-KEY-PEM-NO-NEWLINE', 'spki-pem-no-newline', 'the SPKI PEM without its trailing newline'],
  ['TOKEN-ASSERTION-HS256-PUBLIC-KEY-SPKI-DER', 'spki-der', 'the SPKI DER bytes'],
  ['TOKEN-ASSERTION-HS256-PUBLIC-KEY-PKCS1-PEM', 'pkcs1-pem', 'the PKCS#1 PEM (RSA keys)'],
  ['TOKEN-ASSERTION-HS256-PUBLIC-KEY-PKCS1-DER', 'pkcs1-der', 'the PKCS#1 DER bytes (RSA keys)'],
  ['TOKEN-ASSERTION-HS256-PUBLIC-KEY-JWK-JSON', 'jwk-json', 'the public JWK as JSON text'],
];

/** The client's public key (its software key) in one encoding, as the HMAC secret. */
const encoding = (s: Session, name: string) => publicKeyEncodings(s.key.publicJwk as Record<string, unknown>).find((e) => e.name === name)?.bytes;

const RFC7523_ISS = q('RFC7523-3', 'The JWT MUST contain an "iss" (issuer) claim that contains a unique identifier for the entity that issued the JWT.');
const CLIENT_ID_OTHER = 'someOtherClient';

/** private_key_jwt (RFC 7523 3): the assertion signed by the client's key in a FAPI algorithm; iss = sub = client_id, aud the server, exp, jti once. */
const assertionRows: Row[] = [
  // The JOSE header and the signature.
  jose('header.alg', 'none (unsigned)', (a) => ({ ...a, header: { ...a.header, alg: 'none' }, signer: { none: true } }), {
    id: 'TOKEN-ASSERTION-ALG-NONE', title: 'private_key_jwt: an unsigned client assertion (alg none) is refused', rules: ['TOKEN-ASSERTION-ALG', 'TOKEN-ASSERTION-SIGNATURE'], spec: [...ASSERTION_SPEC, 'RFC8725-3.1'], tags: ['gap'],
  }),
  ...HS256_ENCODINGS.map(([id, name, what]): Row =>
    jose('header.alg', `HS256 keyed with ${what}`, (a, s) => ({ ...a, header: { ...a.header, alg: 'HS256' }, signer: { hmac: encoding(s, name)! } }), {
      id,
      title: `private_key_jwt: a client assertion signed HS256 with ${what} of the client's public key as the secret is refused (algorithm confusion)`,
      rules: ['TOKEN-ASSERTION-ALG', 'TOKEN-ASSERTION-SIGNATURE'],
      spec: [...ASSERTION_SPEC, 'RFC8725-3.1', 'FAPI1-ADV-8.6'],
      tags: ['near-miss', 'alg-confusion'],
      quotes: [ASSERTION.signature, JWT.oneAlgPerKey, FAPI.psOrEs],
      ...(name.startsWith('pkcs1') ? { skipIf: (s: Session) => (s.key.publicJwk.kty === 'RSA' ? undefined : `the software key is ${String(s.key.publicJwk.kty)}: PKCS#1 encodes RSA keys only`) } : {}),
    }),
  ),
  jose('header.kid', 'unknown, signed by its own foreign key', async (a) => {
    const k = await foreignKey('PS256');
    return { ...a, header: defaultHeader(k), signer: { key: k } };
  }, {
    id: 'TOKEN-ASSERTION-UNKNOWN-KID', title: "private_key_jwt: a client assertion whose kid is not in the client's JWKS (signed by that unknown key) is refused", rules: ['TOKEN-ASSERTION-SIGNATURE'], spec: [...ASSERTION_SPEC, 'RFC7515-4.1'], tags: ['gap'],
    quotes: [ASSERTION.signature, JWT.kid, ASSERTION.invalidClient],
  }),
  jose('signature.key', 'a foreign key under the client kid', async (a, s) => ({ ...a, signer: { key: { ...(await foreignKey(s.key.alg as 'PS256' | 'RS256' | 'ES256')), kid: s.key.kid } } }), {
    id: 'TOKEN-ASSERTION-FOREIGN-KEY', title: "private_key_jwt: a client assertion signed by a key not in the client's JWKS (same kid) is refused", rules: ['TOKEN-ASSERTION-SIGNATURE'], spec: ASSERTION_SPEC, tags: ['gap'],
  }),
  jose('signature', 'stripped (alg unchanged)', (a) => ({ ...a, finish: stripSignature }), {
    id: 'TOKEN-ASSERTION-SIGNATURE-STRIPPED', title: 'private_key_jwt: a client assertion with its signature removed (header still naming the algorithm) is refused', rules: ['TOKEN-ASSERTION-SIGNATURE'], spec: [...ASSERTION_SPEC, 'RFC8725-3.1'], tags: ['near-miss'],
    quotes: [ASSERTION.signature, ASSERTION.invalidClient],
  }),
  jose('signature', 'one bit flipped', (a) => ({ ...a, finish: flipSignature }), {
    id: 'TOKEN-ASSERTION-SIGNATURE-ALTERED', title: 'private_key_jwt: a client assertion whose signature has one bit flipped is refused', rules: ['TOKEN-ASSERTION-SIGNATURE'], spec: ASSERTION_SPEC, tags: ['near-miss'],
    quotes: [ASSERTION.signature, ASSERTION.invalidClient],
  }),
  // The claims.
  claims('claim.iss+sub', 'another client', () => ({ iss: CLIENT_ID_OTHER, sub: CLIENT_ID_OTHER }), { id: 'TOKEN-ASSERTION-ISS-OTHER', title: 'private_key_jwt: a client assertion whose iss and sub are not the client_id is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['gap'] }),
  // Each alone: a bank comparing only one of the two with the client_id accepts the other changed.
  claims('claim.iss', 'another client', () => ({ iss: CLIENT_ID_OTHER }), { id: 'TOKEN-ASSERTION-ISS-ONLY-OTHER', title: 'private_key_jwt: a client assertion whose iss alone is not the client_id is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['near-miss'] }),
  claims('claim.iss', 'absent', () => ({ iss: undefined }), {
    id: 'TOKEN-ASSERTION-NO-ISS', title: 'private_key_jwt: a client assertion without iss is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['near-miss'],
    quotes: [RFC7523_ISS, ASSERTION.invalidClient],
  }),
  claims('claim.sub', 'another client', () => ({ sub: CLIENT_ID_OTHER }), { id: 'TOKEN-ASSERTION-SUB-OTHER', title: 'private_key_jwt: a client assertion whose sub alone is not the client_id is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['near-miss'] }),
  claims('claim.sub', 'absent', () => ({ sub: undefined }), {
    id: 'TOKEN-ASSERTION-NO-SUB', title: 'private_key_jwt: a client assertion without sub is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['near-miss'],
    quotes: [ASSERTION.sub, ASSERTION.invalidClient],
  }),
  claims('claim.aud', 'another server', () => ({ aud: 'https://another-bank.example.com/token' }), { id: 'TOKEN-ASSERTION-AUD-OTHER', title: 'private_key_jwt: a client assertion addressed to another server (aud) is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['gap'] }),
  claims('claim.aud', 'absent', () => ({ aud: undefined }), {
    id: 'TOKEN-ASSERTION-NO-AUD', title: 'private_key_jwt: a client assertion without aud is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ASSERTION_SPEC, tags: ['near-miss'],
    quotes: [ASSERTION.aud, ASSERTION.invalidClient],
  }),
  claims('claim.exp', 'in the past', () => ({ iat: now() - 600, exp: now() - 300 }), { id: 'TOKEN-ASSERTION-EXPIRED', title: 'private_key_jwt: an expired client assertion is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: [...ASSERTION_SPEC, 'RFC7519-4.1'], tags: ['gap'] }),
  /** RFC 7523 3: "The JWT MUST contain an "exp" (expiration time) claim"; verifiers that only check exp when present accept it. */
  claims('claim.exp', 'absent', () => ({ exp: undefined }), { id: 'TOKEN-ASSERTION-NO-EXP', title: 'private_key_jwt: a client assertion without exp is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: [...ASSERTION_SPEC, 'RFC7519-4.1'], tags: ['near-miss'] }),
  /** OIDC Core 9 (named by FAPI 1 Advanced 5.2.2 for private_key_jwt): jti "REQUIRED. JWT ID. A unique identifier for the token, which can be used to prevent reuse of the token." */
  claims('claim.jti', 'absent', () => ({ jti: undefined }), { id: 'TOKEN-ASSERTION-NO-JTI', title: 'private_key_jwt: a client assertion without jti is refused', rules: ['TOKEN-ASSERTION-CLAIMS'], spec: ['OIDC-CORE-9', ...ASSERTION_SPEC], tags: ['near-miss'] }),
  /**
   * The control's own assertion sent again: the control issued a token (this row needs it accepted), so
   * the second use must be refused. RFC 7523 3 leaves it to the server ("MAY ensure that JWTs are not
   * replayed"), but OIDC Core 9, which FAPI 1 Advanced 5.2.2 names for private_key_jwt, says of jti:
   * "These tokens MUST only be used once, unless conditions for reuse were negotiated between the parties".
   */
  {
    id: 'TOKEN-ASSERTION-REPLAY', element: 'claim.jti', change: "replayed (the control's assertion)", title: 'private_key_jwt: the same client assertion sent twice is refused the second time',
    rules: ['TOKEN-ASSERTION-REPLAY'], spec: ['OIDC-CORE-9', 'FAPI1-ADV-5.2.2', 'RFC7523-3'], tags: ['gap'],
    mutate: (req, _s, prior) => {
      const first = String(prior.get(METHOD_STEPS.private_key_jwt.token)!.sent.assertion ?? '');
      return { ...req, assertion: { ...req.assertion!, jwt: first }, sent: { replayed: first } };
    },
    check: (r) => (r.sent.assertion !== r.sent.replayed || !r.sent.replayed ? fail('the check could not confirm that the request replayed the first assertion', evidenceOf(r)) : clientAuthRefusal(r)),
  },
  // The form parameters of client authentication.
  param('form.client_assertion_type', 'the SAML 2.0 bearer type', () => ({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), {
    id: 'TOKEN-ASSERTION-TYPE-OTHER', title: 'private_key_jwt: a JWT client assertion sent with another client_assertion_type (saml2-bearer) is refused', rules: ['TOKEN-CLIENT-AUTH'], spec: ['RFC7523-2.2', 'RFC7521-4.2'], tags: ['near-miss'],
    quotes: [q('RFC7523-2.2', 'The value of the "client_assertion_type" is "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".'), q('RFC7521-4.2', 'client_assertion_type REQUIRED. The format of the assertion as defined by the authorization server.')],
  }),
  param('form.client_assertion_type', 'absent', () => ({ client_assertion_type: undefined }), {
    id: 'TOKEN-ASSERTION-TYPE-MISSING', title: 'private_key_jwt: a client assertion without client_assertion_type is refused', rules: ['TOKEN-CLIENT-AUTH'], spec: ['RFC7521-4.2', 'RFC7523-2.2'], tags: ['near-miss'],
    quotes: [q('RFC7521-4.2', 'client_assertion_type REQUIRED. The format of the assertion as defined by the authorization server.'), OAUTH.invalidClient],
  }),
  param('form.client_id', 'another client', () => ({ client_id: CLIENT_ID_OTHER }), {
    id: 'TOKEN-ASSERTION-CLIENT-ID-OTHER', title: "private_key_jwt: the client's own assertion sent with another client_id is refused", rules: ['TOKEN-CLIENT-AUTH'], spec: ASSERTION_SPEC, tags: ['near-miss'],
    quotes: [q('RFC7523-3', ASSERTION.sub.text, 'the assertion names another client than the client_id it is sent for'), ASSERTION.invalidClient],
  }),
];

const SECRET_SPEC: Row['spec'] = ['RFC6749-5.2', 'RFC6749-2.3.1'];
const SECRET_QUOTE = q('RFC6749-2.3.1', 'client_secret REQUIRED. The client secret.', 'a value other than the secret issued, even a prefix of it, is not the client secret');
/** The right secret less its last character: a bank comparing only the characters given accepts it. */
const prefixOf = (secret: string) => (secret.length > 1 ? secret.slice(0, -1) : `${secret}x`);

/** client_secret_basic (RFC 6749 2.3.1): the issued secret, in the Authorization header. */
const basicRows: Row[] = [
  { id: 'TOKEN-SECRET-WRONG', element: 'credential.secret', change: 'wrong', title: 'client_secret_basic: a wrong client secret is refused with 401 invalid_client and a Basic challenge', rules: ['TOKEN-SECRET'], spec: SECRET_SPEC, mutate: (req) => ({ ...req, basic: { ...req.basic!, secret: `wrong-${randomUUID()}` } }) },
  {
    id: 'TOKEN-SECRET-PREFIX', element: 'credential.secret', change: 'a prefix of the right one', title: 'client_secret_basic: the client secret less its last character is refused with 401 invalid_client', rules: ['TOKEN-SECRET'], spec: SECRET_SPEC, tags: ['near-miss'],
    quotes: [OAUTH.invalidClient, SECRET_QUOTE], mutate: (req) => ({ ...req, basic: { ...req.basic!, secret: prefixOf(req.basic!.secret) } }),
  },
  {
    id: 'TOKEN-SECRET-EMPTY', element: 'credential.secret', change: 'empty', title: 'client_secret_basic: an empty client secret is refused with 401 invalid_client', rules: ['TOKEN-SECRET'], spec: SECRET_SPEC, tags: ['near-miss'],
    quotes: [OAUTH.invalidClient, SECRET_QUOTE], mutate: (req) => ({ ...req, basic: { ...req.basic!, secret: '' } }),
  },
];

/** client_secret_post (RFC 6749 2.3.1): the issued secret, in the form. */
const postRows: Row[] = [
  { id: 'TOKEN-SECRET-POST-WRONG', element: 'credential.secret', change: 'wrong', title: 'client_secret_post: a wrong client secret is refused with invalid_client', rules: ['TOKEN-SECRET'], spec: SECRET_SPEC, mutate: (req) => ({ ...req, form: { ...req.form, client_secret: `wrong-${randomUUID()}` } }) },
  {
    id: 'TOKEN-SECRET-POST-PREFIX', element: 'credential.secret', change: 'a prefix of the right one', title: 'client_secret_post: the client secret less its last character is refused with invalid_client', rules: ['TOKEN-SECRET'], spec: SECRET_SPEC, tags: ['near-miss'],
    quotes: [OAUTH.invalidClient, SECRET_QUOTE], mutate: (req) => ({ ...req, form: { ...req.form, client_secret: prefixOf(req.form.client_secret ?? '') } }),
  },
  {
    id: 'TOKEN-SECRET-POST-EMPTY', element: 'credential.secret', change: 'empty', title: 'client_secret_post: an empty client_secret is refused with invalid_client', rules: ['TOKEN-SECRET'], spec: ['RFC6749-5.2', 'RFC6749-2.3.1', 'RFC6749-3.2'], tags: ['near-miss'],
    quotes: [OAUTH.invalidClient, q('RFC6749-3.2', 'Parameters sent without a value MUST be treated as if they were omitted from the request.', 'an empty client_secret is no secret: the client did not authenticate')],
    mutate: (req) => ({ ...req, form: { ...req.form, client_secret: '' } }),
  },
];

const issued = (r: Recorded) => r.status === 200 && typeof body(r).access_token === 'string' && body(r).access_token !== '';
/** A 200 token answer's body is not shown: it carries a live access token. */
const shown = (r: Recorded, extra: Record<string, unknown> = {}) => evidenceOf(r, { ...(r.status === 200 ? { body: '(token redacted)' } : {}), ...extra });

/** RFC 6749 5.2: a refused token request answers 400 (401 only for invalid_client) with one of these error codes. */
export function tokenErrorRefusal(r: Recorded, errors: readonly string[]): Verdict {
  const expected = { status: '400 (or 401 with invalid_client)', error: errors.join(' or ') };
  const actual = { status: r.status, error: body(r).error };
  if (r.status === 0) return fail(`no answer: ${r.transportError ?? 'the exchange failed'}`, evidenceOf(r, { expected }));
  if (issued(r)) return fail('the bank issued an access token', shown(r, { expected, actual: { status: r.status, scope: body(r).scope } }));
  if (r.status !== 400 && !(r.status === 401 && body(r).error === 'invalid_client')) return fail(`expected 400 ${errors[0]}, got ${summarize(r)}`, evidenceOf(r, { expected, actual }));
  if (typeof body(r).error !== 'string' || !errors.includes(body(r).error as string)) return fail(`expected error ${errors.join(' or ')}, got ${JSON.stringify(body(r).error)}`, evidenceOf(r, { expected, actual }));
  return pass(evidenceOf(r, { expected, actual }));
}

const UNKNOWN_GRANT = 'urn:dcr-conformance:unknown-grant-type';
const UNREGISTERED_SCOPE = 'urn:dcr-conformance:unregistered-scope';
const scopeList = (v: unknown) => (typeof v === 'string' ? v.split(' ').filter(Boolean) : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A scope the client was not registered with: one discovery lists that the client lacks, else one no bank has. */
function scopeBeyond(s: Session, prior: ReadonlyMap<string, Recorded>, register: string): string {
  const reg = prior.get(register);
  const have = new Set(scopeList(reg ? (body(reg).scope ?? (reg.sent.claims as Record<string, unknown> | undefined)?.scope) : undefined));
  const supported = 'skipped' in s.discovery ? [] : scopeList(body(s.discovery).scopes_supported);
  return supported.find((x) => !have.has(x) && x !== 'openid') ?? UNREGISTERED_SCOPE;
}

const registerOf = (s: Session) => METHOD_STEPS[firstMethod(s) ?? 'tls_client_auth'].register;

/** The grant and its scope (RFC 6749 4.4.2, 3.3), on the client of the target's first method. */
const grantRows: Row[] = [
  param('form.grant_type', 'an unknown grant type', () => ({ grant_type: UNKNOWN_GRANT }), {
    id: 'TOKEN-GRANT-TYPE-OTHER', title: 'A client_credentials request whose grant_type is an unknown grant type is refused (unsupported_grant_type)', rules: ['TOKEN-GRANT-TYPE'], spec: ['RFC6749-4.4.2', 'RFC6749-5.2'],
    errors: ['unsupported_grant_type', 'invalid_request', 'invalid_grant', 'unauthorized_client'],
    quotes: [q('RFC6749-4.4.2', 'grant_type REQUIRED. Value MUST be set to "client_credentials".'), q('RFC6749-5.2', 'unsupported_grant_type The authorization grant type is not supported by the authorization server.')],
  }),
  param('form.grant_type', 'absent', () => ({ grant_type: undefined }), {
    id: 'TOKEN-GRANT-TYPE-MISSING', title: 'A token request without grant_type is refused (invalid_request)', rules: ['TOKEN-REQUEST-FORMAT'], spec: ['RFC6749-4.4.2', 'RFC6749-5.2'],
    errors: ['invalid_request', 'unsupported_grant_type'],
    quotes: [q('RFC6749-4.4.2', 'grant_type REQUIRED. Value MUST be set to "client_credentials".'), q('RFC6749-5.2', 'invalid_request The request is missing a required parameter, includes an unsupported parameter value (other than grant type), repeats a parameter, includes multiple credentials ...')],
  }),
  {
    id: 'TOKEN-SCOPE-BEYOND-CLIENT', element: 'form.scope', change: 'a scope the client did not register', title: 'A token request for a scope the client was not registered with is refused (invalid_scope), or granted without it',
    rules: ['TOKEN-SCOPE'], spec: ['RFC6749-3.3', 'RFC6749-5.2', 'RFC7591-2'], severity: 'SHOULD', tags: ['near-miss'],
    quotes: [
      q('RFC7591-2', 'scope String containing a space-separated list of scope values (as described in Section 3.3 of OAuth 2.0 [RFC6749]) that the client can use when requesting access tokens.', 'a scope the client did not register is not one it can use'),
      q('RFC6749-3.3', 'The authorization server MAY fully or partially ignore the scope requested by the client ... If the issued access token scope is different from the one requested by the client, the authorization server MUST include the "scope" response parameter ...'),
    ],
    mutate: (req, s, prior) => {
      const extra = scopeBeyond(s, prior, registerOf(s));
      return { ...req, form: { ...req.form, scope: extra }, sent: { extraScope: extra } };
    },
    check: (r) => {
      const extra = String(r.sent.extraScope ?? '');
      if (!issued(r)) return tokenErrorRefusal(r, ['invalid_scope']);
      const granted = body(r).scope;
      // RFC 6749 5.1: scope is OPTIONAL "if identical to the scope requested by the client": without it, the request was granted as asked.
      if (typeof granted === 'string' && !scopeList(granted).includes(extra)) return pass(shown(r, { requested: extra, granted }), `granted without ${extra} (RFC 6749 3.3: the server may ignore a requested scope, and said so)`);
      return fail(`the bank issued a token for ${extra}, a scope the client was not registered with`, shown(r, { expected: `400 invalid_scope, or a scope without ${extra}`, actual: { status: r.status, scope: granted ?? '(absent: as requested)' } }));
    },
  },
  {
    id: 'TOKEN-SCOPE-EMPTY', element: 'form.scope', change: 'empty (scope=)', expect: 'accept', title: 'A token request with an empty scope= is answered as one without scope: the default scope granted, or invalid_scope',
    rules: ['TOKEN-SCOPE'], spec: ['RFC6749-3.2', 'RFC6749-3.3'], tags: ['interop'],
    quotes: [
      q('RFC6749-3.3', 'If the client omits the scope parameter when requesting authorization, the authorization server MUST either process the request using a pre-defined default value or fail the request indicating an invalid scope value.'),
      q('RFC6749-3.2', 'Parameters sent without a value MUST be treated as if they were omitted from the request.'),
    ],
    mutate: (req) => ({ ...req, form: { ...req.form, scope: '' } }),
    check: (r) => {
      if (issued(r)) return pass(shown(r, { granted: body(r).scope }), 'granted with the default scope');
      if (r.status === 400 && body(r).error === 'invalid_scope') return pass(evidenceOf(r), 'refused with invalid_scope: RFC 6749 3.3 allows a bank without a default scope to fail the request so');
      return fail(`an empty scope= is an omitted scope (RFC 6749 3.2): the bank must grant its default or answer invalid_scope, but answered ${summarize(r)}`, evidenceOf(r, { expected: '200 with a token, or 400 invalid_scope', actual: { status: r.status, error: body(r).error } }));
    },
  },
];

const tableOf = (method: AuthMethod, rows: Row[]): SweepTable<TokenRequest> => ({
  exchange: `POST /token (${method})`,
  kind: 'token',
  control: METHOD_STEPS[method].token,
  tags: ['token', method],
  // Each row a token request of its own; the bound-token GETs (barriers) have used the controls' tokens before.
  concurrent: true,
  skipIf: offered(method),
  build: async (s, prior) => validTokenRequest(s, prior, method),
  send: (s, name, req) => sendToken(s, name, req),
  // Every row of the client_secret_basic table authenticates with the Authorization header: RFC 6749 5.2 then requires 401 and a Basic challenge.
  refused: (r, row) => clientAuthRefusal(r, { basic: method === 'client_secret_basic', tls: row.element.startsWith('tls.') }),
  accepted: (r) => (issued(r) ? pass(shown(r)) : fail(`the spec lets this request through, but the bank answered ${summarize(r)}`, evidenceOf(r, { expected: '200 with an access_token' }))),
  rows,
});

/** One table per auth method: its accepted token request, each row one change to it. */
export const tokenSweeps: readonly SweepTable<TokenRequest>[] = [
  tableOf('tls_client_auth', tlsRows),
  tableOf('private_key_jwt', assertionRows),
  tableOf('client_secret_basic', basicRows),
  tableOf('client_secret_post', postRows),
];

/** The grant and scope rows: method-independent, on the client of the target's first offered method. */
export const grantSweep: SweepTable<TokenRequest> = {
  exchange: 'POST /token (client_credentials)',
  kind: 'token',
  control: METHOD_STEPS.tls_client_auth.token,
  controls: TOKEN_AUTH_METHODS.filter((m) => m !== 'tls_client_auth').map((m) => METHOD_STEPS[m].token),
  tags: ['token', 'grants-scope'],
  concurrent: true,
  skipIf: (s) => noTokenEndpoint(s) ?? (firstMethod(s) ? undefined : 'no auth method the pack can use is advertised or declared'),
  build: async (s, prior) => validTokenRequest(s, prior, firstMethod(s)!),
  send: (s, name, req) => sendToken(s, name, req),
  refused: (r, row) => tokenErrorRefusal(r, row.errors ?? ['invalid_request']),
  accepted: (r) => (issued(r) ? pass(shown(r)) : fail(`the spec lets this request through, but the bank answered ${summarize(r)}`, evidenceOf(r))),
  rows: grantRows.map((r) => ({ ...r, control: (s: Session) => METHOD_STEPS[firstMethod(s) ?? 'tls_client_auth'].token })),
};
