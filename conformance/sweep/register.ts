import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { foreignKey, sharedKey, signingKeyFromJwk, OWN_KEY_ROLES, type SigningKey } from '../../fixtures/keys';
import type { Credentials } from '../../fixtures/https';
import { selfSignedCert } from '../../fixtures/untrusted';
import { nearMiss } from '../near-miss';
import type { Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { AuthMethod } from '../target';
import { evidenceOf, fail, pass } from '../rules/define';
import { refusalVerdict } from '../rules/refusal';
import { DD, FAPI, JWT, MTLS, OB, RFC7591, q } from '../rules/quotes';
import { compactJws, defaultHeader, flipSignature, publicKeyEncodings, stripSignature, type Signer } from './jws';
import type { SweepRow, SweepTable } from './table';
import type { ExchangeStep } from '../plans/plan';
import type { JwksHost } from '../jwks-host';
import { hostRowAlone, hostVerdict, viaHost } from './host';
import { clientRegistered } from '../plans/controls';

/** A registration request, element by element: what a row changes one of. */
export interface RegistrationRequest {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signer: Signer;
  /** The TLS identity: the transport certificate when undefined, none when null. */
  client?: Credentials | null;
  /** A last change to the compact JWS (the signature stripped or flipped). */
  finish?: (jws: string) => string;
  /** For a row naming the pack's own host: puts its document there and returns the request to send (sweep/host.ts). */
  onHost?: (host: JwksHost) => RegistrationRequest | Promise<RegistrationRequest>;
}

/** The registration with each auth method: the positive control of every probe registering with that method. */
export const METHOD_CONTROL: Readonly<Record<AuthMethod, string>> = {
  tls_client_auth: 'register-tls-client-auth',
  private_key_jwt: 'register-private-key-jwt',
  client_secret_basic: 'register-client-secret-basic',
  client_secret_post: 'register-client-secret-post',
};

export const supports = (m: AuthMethod) => (s: Session) =>
  s.target.capabilities.authMethods.includes(m) ? undefined : `the target does not declare ${m} in authMethods`;

const now = () => Math.floor(Date.now() / 1000);
const CRIT = 'urn:dcr-conformance:unknown-extension';
/** The public half of a key, with its kid: what a JWS would carry to name its own key. */
const publicJwk = (k: SigningKey): JWK => ({ ...k.publicJwk, kid: k.kid, alg: k.alg });

/** The control's request: the session's valid claims (with the row's method), signed by the software key. */
export function validRegistration(s: Session, method?: AuthMethod): RegistrationRequest {
  return { header: defaultHeader(s.key), claims: s.claims({}, method ? { method } : {}), signer: { key: s.key } };
}

/** Sends a registration request as built: the JWS made byte by byte, over the row's TLS identity. */
export function sendRegistration(s: Session, name: string, req: RegistrationRequest): Promise<Recorded> {
  const jws = compactJws(req.header, req.claims, req.signer);
  return s.post(name, req.finish ? req.finish(jws) : jws, { ...(req.client !== undefined ? { client: req.client } : {}), sent: { claims: req.claims } });
}

/** Claim overrides: undefined deletes the claim. */
function withClaims(req: RegistrationRequest, overrides: Record<string, unknown>): RegistrationRequest {
  const claims = { ...req.claims };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return { ...req, claims };
}

type Row = SweepRow<RegistrationRequest>;
type Meta = Omit<Row, 'mutate' | 'element' | 'change'>;

/** A row changing claims (one claim, or the claims one element stands for). */
const claim = (element: string, change: string, overrides: (s: Session, req: RegistrationRequest) => Record<string, unknown>, meta: Meta): Row => ({
  ...meta,
  element,
  change,
  mutate: (req, s) => withClaims(req, overrides(s, req)),
});

/** A row changing the JOSE header or how the JWS is signed. */
const jose = (element: string, change: string, mutate: Row['mutate'], meta: Meta): Row => ({ ...meta, element, change, mutate });

/** A row for an auth method's own registration (its control is that method's). */
const forMethod = (m: AuthMethod): Pick<Row, 'control' | 'skipIf'> => ({ control: METHOD_CONTROL[m], skipIf: supports(m) });

const DN_CLAIMS = { tls_client_auth_subject_dn: undefined, tls_client_auth_dn: undefined };
const REDIRECT_ERRORS = ['invalid_redirect_uri', 'invalid_client_metadata'];
const uri0 = (s: Session) => s.target.redirectUris[0]!;

/** The row's auth method, for the control's request: rows of a method's control register with that method. */
function methodOf(row: Row): AuthMethod | undefined {
  const c = typeof row.control === 'string' ? row.control : undefined;
  return (Object.entries(METHOD_CONTROL) as Array<[AuthMethod, string]>).find(([, name]) => name === c)?.[0];
}

export const HS256_ENCODINGS: Array<[string, string, string]> = [
  ['JWS-HS256-PUBLIC-KEY', 'spki-pem', 'the SPKI PEM (trailing newline included)'],
  ['JWS-HS256-PUBLIC-KEY-PEM-NO-NEWLINE', 'spki-pem-no-newline', 'the SPKI PEM without its trailing newline'],
  ['JWS-HS256-PUBLIC-KEY-SPKI-DER', 'spki-der', 'the SPKI DER bytes'],
  ['JWS-HS256-PUBLIC-KEY-PKCS1-PEM', 'pkcs1-pem', 'the PKCS#1 PEM (RSA keys)'],
  ['JWS-HS256-PUBLIC-KEY-PKCS1-DER', 'pkcs1-der', 'the PKCS#1 DER bytes (RSA keys)'],
  ['JWS-HS256-PUBLIC-KEY-JWK-JSON', 'jwk-json', 'the public JWK as JSON text'],
];

/** The software public key in one encoding, as the HMAC secret; undefined when the key type has none (PKCS#1 for EC). */
const encoding = (s: Session, name: string) => publicKeyEncodings(s.key.publicJwk as Record<string, unknown>).find((e) => e.name === name)?.bytes;

/** Rows of the request JWS and its signature. Ids of rows that were hand-written checks are kept. */
const joseRows: Row[] = [
  jose('header.alg', 'RS256', (req, s) => ({ ...req, header: defaultHeader(s.rsKey), signer: { key: s.rsKey } }), { id: 'DCR-004-RS256', exchange: 'register-rs256', title: 'A request signed with RS256 is refused', rules: ['JWS-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['DCR-004', 'jws'] }),
  jose('header.alg', 'none', (req) => ({ ...req, header: { ...req.header, alg: 'none' }, signer: { none: true } }), { id: 'JWS-ALG-NONE', exchange: 'register-alg-none', title: 'An unsigned request (alg none) is refused', rules: ['JWS-ALG', 'JWS-SIGNATURE'], spec: ['RFC8725-3.1', 'OBDCR-REQ'], tags: ['jws'] }),
  jose('header.alg', 'HS256 with a random secret', (req) => ({ ...req, header: { ...req.header, alg: 'HS256' }, signer: { hmac: new TextEncoder().encode(randomUUID()) } }), { id: 'JWS-ALG-HS256', exchange: 'register-hs256', title: 'A request signed with HS256 is refused', rules: ['JWS-ALG', 'JWS-SIGNATURE'], spec: ['RFC8725-3.1', 'FAPI1-ADV-8.6'], tags: ['jws'] }),
  jose('header.alg', 'PS256 spelt ps256', (req) => ({ ...req, header: { ...req.header, alg: String(req.header.alg).toLowerCase() } }), {
    id: 'JWS-ALG-CASE', title: 'A request whose alg is the right algorithm in lower case (ps256) is refused: alg is case-sensitive', rules: ['JWS-ALG', 'JWS-SIGNATURE'], spec: ['RFC7515-4.1', 'RFC8725-3.1'], tags: ['jws', 'near-miss'],
    quotes: [q('RFC7515-4.1', 'The "alg" value is a case-sensitive ASCII string containing a StringOrURI value.'), JWT.algSet],
  }),
  jose('header.x5c', 'a bogus certificate', (req) => ({ ...req, header: { ...req.header, x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] } }), { id: 'JWS-NO-X5C', exchange: 'register-x5c', title: 'A request carrying an x5c header is refused', rules: ['JWS-NO-X5'], spec: ['OBDCR-GEN'], tags: ['jws', 'GEN-07'] }),
  jose('header.jku', 'a URL on another host', (req) => ({ ...req, header: { ...req.header, jku: 'https://attacker.example.com/jwks.json' } }), {
    id: 'JWS-NO-JKU', title: 'A request naming a key set URL of its own (jku header) is refused', rules: ['JWS-NO-X5'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss'],
    quotes: [q('OBDCR-GEN', OB.noEmbeddedUrl.text, 'a jku header is the URL of a JWK Set, as x5u is of a certificate'), q('RFC7515-4.1', 'The "jku" (JWK Set URL) Header Parameter is a URI [RFC3986] that refers to a resource for a set of JSON-encoded public keys, one of which corresponds to the key used to digitally sign the JWS.')],
  }),
  jose('header.x5u', 'a URL on another host', (req) => ({ ...req, header: { ...req.header, x5u: 'https://attacker.example.com/cert.pem' } }), {
    id: 'JWS-NO-X5U', title: 'A request naming a certificate URL of its own (x5u header) is refused', rules: ['JWS-NO-X5'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss'],
    quotes: [OB.noEmbeddedUrl],
  }),
  // The same headers naming a URL the bank can reach (the pack's own host), serving a key the request is signed with that the
  // software JWKS lacks: a bank that follows jku or x5u verifies and accepts, where the unreachable URL above is refused for
  // the failed fetch alone. Fails too when the bank merely connects (sweep/host.ts); sent alone, as the record is read by time.
  {
    ...jose('header.jku', "a key set on the pack's own host, signed by its key", async (req, s) => {
      // A key of its own (not the foreign key of JWS-FOREIGN-KEY): a bank that kept it for the kid cannot change that row.
      const own = { ...(await sharedKey(OWN_KEY_ROLES.jku, 'PS256')), kid: s.key.kid };
      return { ...req, onHost: (host) => ({ ...req, header: { ...defaultHeader(own), jku: host.serve(`/${randomUUID()}/jku.json`, { keys: [publicJwk(own)] }) }, signer: { key: own } }) };
    }, {
      id: 'JWS-JKU-HOSTED', title: "A request naming a key set on a host the bank can reach (jku on the pack's host), signed by a key of it the software JWKS lacks, is refused without fetching it", rules: ['JWS-NO-X5', 'JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss', 'host'],
      alone: hostRowAlone,
      quotes: [q('OBDCR-GEN', OB.noEmbeddedUrl.text, 'a jku header is the URL of a JWK Set, as x5u is of a certificate'), OB.jwksAgreed],
    }),
    check: hostVerdict('the request jku header', ['invalid_client_metadata']),
  },
  {
    ...jose('header.x5u', "a certificate on the pack's own host, signed by its key", async (req, s) => {
      const self = await selfSignedCert('Conformance x5u Software', OWN_KEY_ROLES.x5u);
      const key = await signingKeyFromJwk({ ...(createPrivateKey(self.key).export({ format: 'jwk' }) as JWK), alg: 'PS256', kid: s.key.kid });
      return { ...req, onHost: (host) => ({ ...req, header: { ...defaultHeader(key), x5u: host.serve(`/${randomUUID()}/cert.pem`, self.cert) }, signer: { key } }) };
    }, {
      id: 'JWS-X5U-HOSTED', title: "A request naming a certificate on a host the bank can reach (x5u on the pack's host), signed by its key, is refused without fetching it", rules: ['JWS-NO-X5', 'JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss', 'host'],
      alone: hostRowAlone,
      quotes: [OB.noEmbeddedUrl, OB.jwksAgreed],
    }),
    check: hostVerdict('the request x5u header', ['invalid_client_metadata']),
  },
  jose('signature.key', 'a foreign key under the software kid', async (req, s) => ({ ...req, signer: { key: { ...(await foreignKey('PS256')), kid: s.key.kid } }, header: { ...req.header, alg: 'PS256' } }), { id: 'JWS-FOREIGN-KEY', exchange: 'register-foreign-key', title: 'A request signed by a key not in the software JWKS (same kid) is refused', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'fork'] }),
  jose('header.kid', 'unknown, signed by its own foreign key', async (req) => {
    const k = await foreignKey('PS256');
    return { ...req, header: defaultHeader(k), signer: { key: k } };
  }, { id: 'JWS-UNKNOWN-KID', exchange: 'register-unknown-kid', title: 'A request whose kid is not in the software JWKS is refused', rules: ['JWS-KID', 'JWS-SIGNATURE'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'gap'] }),
  jose('header.kid', 'unknown, the real software key', (req, s) => ({ ...req, header: { ...req.header, kid: `${s.key.kid ?? 'key'}-unknown` } }), { id: 'JWS-REAL-KEY-UNKNOWN-KID', exchange: 'register-real-key-unknown-kid', title: 'A request signed by the real software key under an unknown kid is refused', rules: ['JWS-KID'], spec: ['OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'near-miss'], severity: 'SHOULD' }),
  jose('signature', 'stripped (alg unchanged)', (req) => ({ ...req, finish: stripSignature }), {
    id: 'JWS-SIGNATURE-STRIPPED', title: 'A request with its signature removed (header still naming the algorithm) is refused', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-POST', 'RFC8725-3.1'], tags: ['jws', 'near-miss'],
    quotes: [q('OBDCR-POST', 'The TPP submits a JWS payload that describes the characteristics of the client to be created.', 'a JWS whose signature is missing is not a JWS signed by the software key'), JWT.algSet],
  }),
  jose('signature', 'one bit flipped', (req) => ({ ...req, finish: flipSignature }), {
    id: 'JWS-SIGNATURE-ALTERED', title: 'A request whose signature has one bit flipped is refused', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ'], tags: ['jws', 'near-miss'],
    quotes: [q('OBDCR-GEN', 'In order to verify the contents of the request and the SSA the ecosystem has to rely on a set of JSON Web Key Stores (JWKS) that store the public part of key used to sign the JWT.', 'a signature that does not verify with that key proves nothing')],
  }),
  jose('header.crit', 'an unknown extension', (req) => ({ ...req, header: { ...req.header, crit: [CRIT], [CRIT]: true } }), { id: 'JWS-CRIT-UNKNOWN', exchange: 'register-crit-unknown', title: 'A request marking an unknown header extension as critical (crit) is refused', rules: ['JWS-SIGNATURE'], spec: ['RFC7515-4.1', 'OBDCR-REQ'], tags: ['jws', 'near-miss'] }),
  // Keys the request brings itself (jwk header, x5c certificate, jwks claim), under the software's kid: never trusted.
  jose('header.jwk', 'its own key, signed by it', async (req, s) => {
    const own = { ...(await sharedKey(OWN_KEY_ROLES.jwkHeader)), kid: s.key.kid };
    return { ...req, header: { ...defaultHeader(own), jwk: publicJwk(own) }, signer: { key: own } };
  }, { id: 'JWS-EMBEDDED-JWK', exchange: 'register-jwk-header', title: 'A request signed by a key carried in its own jwk header (not in the software JWKS) is refused', rules: ['JWS-NO-X5', 'JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss'] }),
  jose('header.x5c', 'a self-signed certificate, signed by its key', async (req, s) => {
    const self = await selfSignedCert('Conformance Self-Signed Software', OWN_KEY_ROLES.x5c);
    const key = await signingKeyFromJwk({ ...(createPrivateKey(self.key).export({ format: 'jwk' }) as JWK), alg: 'PS256', kid: s.key.kid });
    return { ...req, header: { ...defaultHeader(key), x5c: [new X509Certificate(self.cert).raw.toString('base64')] }, signer: { key } };
  }, { id: 'JWS-EMBEDDED-X5C', exchange: 'register-x5c-self-signed', title: 'A request signed by the key of a self-signed certificate in its own x5c header is refused', rules: ['JWS-NO-X5', 'JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ', 'RFC7515-4.1'], tags: ['jws', 'GEN-07', 'near-miss'] }),
  jose('claim.jwks', 'its own key, signed by it', async (req, s) => {
    const own = { ...(await sharedKey(OWN_KEY_ROLES.jwksClaim)), kid: s.key.kid };
    return { ...withClaims(req, { jwks: { keys: [publicJwk(own)] } }), header: defaultHeader(own), signer: { key: own } };
  }, { id: 'JWS-SELF-JWKS', exchange: 'register-self-jwks', title: 'A request signed by a key it lists in its own jwks claim (not in the software JWKS) is refused', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-REQ', 'RFC7591-2'], tags: ['jws', 'GEN-07', 'near-miss'] }),
  // RFC 8725 2.1: algorithm confusion. A verifier that takes "the key" as an HMAC secret uses the bytes its key store holds; each encoding a bank may hold.
  ...HS256_ENCODINGS.map(([id, name, what], i): Row =>
    jose('header.alg', `HS256 keyed with ${what}`, (req, s) => ({ ...req, header: { ...req.header, alg: 'HS256' }, signer: { hmac: encoding(s, name)! } }), {
      id,
      ...(i === 0 ? { exchange: 'register-hs256-public-key' } : {}),
      title: `A request signed HS256 with ${what} of the software public key as the secret is refused (algorithm confusion)`,
      rules: ['JWS-ALG', 'JWS-SIGNATURE'],
      spec: ['RFC8725-3.1', 'FAPI1-ADV-8.6'],
      tags: ['jws', 'near-miss', 'alg-confusion'],
      ...(i === 0 ? {} : { quotes: [JWT.oneAlgPerKey, FAPI.psOrEs] }),
      ...(name.startsWith('pkcs1') ? { skipIf: (s: Session) => (s.key.publicJwk.kty === 'RSA' ? undefined : `the software key is ${String(s.key.publicJwk.kty)}: PKCS#1 encodes RSA keys only`) } : {}),
    }),
  ),
];

const claimRows: Row[] = [
  claim('claim.exp', 'in the past', () => ({ iat: now() - 900, exp: now() - 600 }), { id: 'DCR-004-EXP', exchange: 'register-expired', title: 'A request with an expired exp is refused', rules: ['REQ-EXP'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-04'] }),
  claim('claim.exp', 'absent', () => ({ exp: undefined }), { id: 'REQ-EXP-MISSING', exchange: 'register-no-exp', title: 'A request without exp is refused', rules: ['REQ-EXP'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-04'] }),
  claim('claim.exp', 'a numeric string', (_s, req) => ({ exp: String(req.claims.exp) }), {
    id: 'REQ-EXP-STRING', title: 'A request whose exp is a string of digits, not a number, is refused', rules: ['REQ-EXP'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-04', 'type'],
    quotes: [q('RFC7519-4.1', 'Its value MUST be a number containing a NumericDate value.', 'of "exp": "1700000000" is a string'), DD.expRequired],
  }),
  claim('claim.iss', 'another software id', () => ({ iss: 'notTheSoftwareId' }), { id: 'DCR-004-ISS-INVALID', exchange: 'register-iss-invalid', title: 'A request whose iss is not the SSA software_id is refused', rules: ['REQ-ISS'], spec: ['OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  claim('claim.iss', 'empty', () => ({ iss: '' }), { id: 'DCR-004-ISS-EMPTY', exchange: 'register-iss-empty', title: 'A request with an empty iss is refused', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  claim('claim.iss', '30 characters', () => ({ iss: 'a'.repeat(30) }), { id: 'DCR-004-ISS-LONG', exchange: 'register-iss-long', title: 'A request with a 30-character iss is refused', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ', 'OBDCR-3.1'], tags: ['DCR-004', 'claims', 'REQ-02'] }),
  claim('claim.iss', 'absent', () => ({ iss: undefined }), { id: 'REQ-ISS-MISSING', exchange: 'register-no-iss', title: 'A request without iss is refused', rules: ['REQ-ISS'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-02'] }),
  claim('claim.iss', 'the software id re-cased', (s) => ({ iss: recase(s.target.softwareId) }), {
    id: 'REQ-ISS-CASE', title: 'A request whose iss is the software_id with its case changed is refused: no case-insensitive matching', rules: ['REQ-ISS'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-02', 'near-miss'],
    quotes: [q('OBDCR-REQ', DD.issSoftwareId.text, 'Base62 is case-sensitive: another case is another id'), q('RFC7519-4.1', 'The "iss" value is a case-sensitive string containing a StringOrURI value.')],
  }),
  claim('claim.iss', 'a number', () => ({ iss: 42 }), {
    id: 'REQ-ISS-NUMBER', title: 'A request whose iss is a number is refused', rules: ['REQ-ISS', 'REQ-ISS-FORMAT'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-02', 'type'],
    quotes: [q('RFC7519-4.1', 'The "iss" value is a case-sensitive string containing a StringOrURI value.'), DD.issSoftwareId],
  }),
  claim('claim.iat', 'an hour in the future', () => ({ iat: now() + 3600 }), { id: 'REQ-IAT-FUTURE', exchange: 'register-iat-future', title: 'A request issued an hour in the future is refused', rules: ['REQ-IAT'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-03'], severity: 'SHOULD' }),
  claim('claim.iat', 'absent', () => ({ iat: undefined }), { id: 'REQ-IAT-MISSING', exchange: 'register-no-iat', title: 'A request without iat is refused', rules: ['REQ-IAT'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-03'] }),
  claim('claim.iat', 'a numeric string', (_s, req) => ({ iat: String(req.claims.iat) }), {
    id: 'REQ-IAT-STRING', title: 'A request whose iat is a string of digits, not a number, is refused', rules: ['REQ-IAT'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-03', 'type'],
    quotes: [q('RFC7519-4.1', 'Its value MUST be a number containing a NumericDate value.', 'of "iat": a string is not a NumericDate'), DD.iat],
  }),
  claim('claim.jti', 'absent', () => ({ jti: undefined }), { id: 'REQ-JTI-MISSING', exchange: 'register-no-jti', title: 'A request without jti is refused', rules: ['REQ-JTI'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-06'] }),
  claim('claim.jti', 'empty', () => ({ jti: '' }), {
    id: 'REQ-JTI-EMPTY', title: 'A request with an empty jti is refused', rules: ['REQ-JTI'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-06', 'near-miss'],
    quotes: [q('OBDCR-REQ', DD.jti.text, 'an empty string identifies nothing'), JWT.jti],
  }),
  claim('claim.jti', 'a number', () => ({ jti: 42 }), {
    id: 'REQ-JTI-NUMBER', title: 'A request whose jti is a number is refused', rules: ['REQ-JTI'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-06', 'type'],
    quotes: [q('RFC7519-4.1', 'The "jti" value is a case-sensitive string.'), DD.jti],
  }),
  claim('claim.aud', 'absent', () => ({ aud: undefined }), { id: 'REQ-AUD-MISSING', exchange: 'register-no-aud', title: 'A request without aud is refused', rules: ['REQ-AUD'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-05'] }),
  claim('claim.aud', 'another bank', () => ({ aud: 'https://another-bank.example.com' }), { id: 'REQ-AUD-OTHER', exchange: 'register-aud-other', title: 'A request addressed to another bank (aud) is refused', rules: ['REQ-AUD'], spec: ['OBDCR-REQ', 'RFC7519-4.1'], tags: ['claims', 'REQ-05'] }),
  claim('claim.aud', 'extended', (s) => ({ aud: `${s.aud}.evil.example` }), { id: 'REQ-AUD-EXTENDED', exchange: 'register-aud-extended', title: "An aud that extends the bank's id (<aud>.evil.example) is refused: no prefix matching", rules: ['REQ-AUD'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-05', 'near-miss'] }),
  claim('claim.aud', 'contains the id', (s) => ({ aud: `https://evil.example/?${s.aud}` }), { id: 'REQ-AUD-CONTAINS-ISSUER', exchange: 'register-aud-contains', title: "An aud that merely contains the bank's id is refused: no substring matching", rules: ['REQ-AUD'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-05', 'near-miss'] }),
  claim('claim.aud', 'an array of another bank', () => ({ aud: ['https://another-bank.example.com'] }), {
    id: 'REQ-AUD-ARRAY-OTHER', title: 'A request whose aud is an array naming only another bank is refused', rules: ['REQ-AUD'], spec: ['RFC7519-4.1', 'OBDCR-REQ'], tags: ['claims', 'REQ-05', 'near-miss'],
    quotes: [JWT.aud, DD.aud],
  }),
  claim('claim.software_id', 'another software', () => ({ software_id: 'someOtherSoftware1' }), { id: 'REQ-SOFTWARE-ID-MISMATCH', exchange: 'register-software-id-other', title: 'A software_id other than the SSA software_id is refused', rules: ['REQ-SOFTWARE-ID'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-14'] }),
  claim('claim.software_statement', 'absent', () => ({ software_statement: undefined }), { id: 'SSA-MISSING', exchange: 'register-no-ssa', title: 'A request without software_statement is refused with invalid_software_statement', rules: ['SSA-PRESENT'], spec: ['OBDCR-REQ', 'RFC7591-2.3'], errors: ['invalid_software_statement', 'invalid_client_metadata'], tags: ['ssa', 'REQ-07'] }),
  claim('claim.(unknown)', 'an extra member no spec defines', () => ({ x_dcr_conformance_unknown: 'ignored' }), {
    id: 'REQ-UNKNOWN-METADATA-IGNORED', expect: 'accept', title: 'A request with one metadata member no spec defines is accepted (the member ignored)', rules: ['REQ-SOFTWARE-ID'], spec: ['RFC7591-2'], tags: ['claims', 'tolerance'],
    quotes: [q('RFC7591-2', 'The authorization server MUST ignore any client metadata sent by the client that it does not understand (for instance, by silently removing unknown metadata from the client\'s registration record during processing).')],
  }),
  // Metadata
  claim('claim.response_types', '["id_token","token"]', () => ({ response_types: ['id_token', 'token'] }), { id: 'DCR-011-RESPONSE-TYPES', exchange: 'register-response-types', title: 'response_types ["id_token","token"] is refused, or substituted and returned', rules: ['REQ-RESPONSE-TYPES'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['DCR-011', 'claims', 'REQ-13'], substitutes: { field: 'response_types', refused: (v) => !Array.isArray(v) || v.some((t) => t !== 'code' && t !== 'code id_token') } }),
  claim('claim.token_endpoint_auth_method', 'none', () => ({ token_endpoint_auth_method: 'none', ...DN_CLAIMS }), { id: 'REQ-AUTH-METHOD-UNKNOWN', exchange: 'register-auth-method-none', title: 'token_endpoint_auth_method "none" is refused', rules: ['REQ-AUTH-METHOD'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-09'] }),
  claim('claim.token_endpoint_auth_signing_alg', 'absent', () => ({ token_endpoint_auth_signing_alg: undefined }), { ...forMethod('private_key_jwt'), id: 'REQ-AUTH-SIGNING-ALG-MISSING', exchange: 'register-pkjwt-no-alg', title: 'private_key_jwt without token_endpoint_auth_signing_alg is refused', rules: ['REQ-AUTH-SIGNING-ALG'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-10'] }),
  claim('claim.token_endpoint_auth_signing_alg', 'none', () => ({ token_endpoint_auth_signing_alg: 'none' }), {
    ...forMethod('private_key_jwt'), id: 'REQ-AUTH-SIGNING-ALG-NONE', title: 'private_key_jwt with token_endpoint_auth_signing_alg "none" is refused, or substituted and returned', rules: ['REQ-AUTH-SIGNING-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-10', 'near-miss'],
    substitutes: { field: 'token_endpoint_auth_signing_alg', refused: (v) => v === 'none' || typeof v !== 'string' },
    quotes: [FAPI.notNone, DD.signingAlg],
  }),
  claim('claim.tls_client_auth_subject_dn', 'absent', () => DN_CLAIMS, { ...forMethod('tls_client_auth'), id: 'REQ-TLS-DN-MISSING', exchange: 'register-tls-no-dn', title: 'tls_client_auth without a subject DN is refused', rules: ['REQ-TLS-DN-PRESENCE'], spec: ['OBDCR-REQ', 'RFC8705-2'], tags: ['claims', 'REQ-11'] }),
  claim('claim.tls_client_auth_subject_dn', 'another DN', () => ({ tls_client_auth_subject_dn: 'CN=someone else,OU=0015800001041RHAAY,O=Other Ltd,C=GB', tls_client_auth_dn: undefined }), { ...forMethod('tls_client_auth'), id: 'REQ-TLS-DN-MISMATCH', exchange: 'register-dn-mismatch', title: 'A subject DN other than the transport certificate DN is refused', rules: ['REQ-TLS-DN-MATCH'], spec: ['OBDCR-REQ', 'RFC8705-2'], tags: ['claims', 'REQ-11', 'gap'] }),
  claim('claim.tls_client_auth_subject_dn', 'a strict subset', (s) => ({ tls_client_auth_subject_dn: nearMiss.dnSubset(s.target.subjectDn), tls_client_auth_dn: undefined }), { ...forMethod('tls_client_auth'), id: 'REQ-TLS-DN-SUBSET', exchange: 'register-dn-subset', title: 'A subject DN that is a strict subset of the transport certificate DN is refused: no subset comparison', rules: ['REQ-TLS-DN-MATCH'], spec: ['RFC8705-2', 'OBDCR-REQ'], tags: ['claims', 'REQ-11', 'near-miss'], severity: 'SHOULD' }),
  claim('claim.tls_client_auth_subject_dn', 'one value extended', (s) => ({ tls_client_auth_subject_dn: nearMiss.dnAltered(s.target.subjectDn), tls_client_auth_dn: undefined }), { ...forMethod('tls_client_auth'), id: 'REQ-TLS-DN-ALTERED', exchange: 'register-dn-altered', title: 'A subject DN with one value extended by a character is refused: no prefix comparison', rules: ['REQ-TLS-DN-MATCH'], spec: ['RFC8705-2', 'OBDCR-REQ'], tags: ['claims', 'REQ-11', 'near-miss'], severity: 'SHOULD' }),
  claim('claim.grant_types', '["password"]', () => ({ grant_types: ['password'] }), { id: 'REQ-GRANT-TYPE-UNSUPPORTED', exchange: 'register-grant-password', title: 'grant_types ["password"] is refused, or substituted and returned', rules: ['REQ-GRANT-TYPES'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-12'], substitutes: { field: 'grant_types', refused: (v) => !Array.isArray(v) || v.includes('password') } }),
  claim('claim.scope', 'a scope outside the allowed set', () => ({ scope: 'openid makepayment' }), { id: 'REQ-SCOPE-UNSUPPORTED', exchange: 'register-scope-unsupported', title: 'A scope outside the allowed set is refused, or substituted and returned', rules: ['REQ-SCOPE-ROLES'], spec: ['OBDCR-REQ'], tags: ['claims', 'REQ-15'], substitutes: { field: 'scope', refused: (v) => scopeList(v).includes('makepayment') } }),
  claim('claim.scope', 'a number', () => ({ scope: 42 }), { id: 'REQ-SCOPE-SHAPE', exchange: 'register-scope-number', title: 'A scope that is neither a string nor an array is refused', rules: ['REQ-SCOPE-FORMAT'], spec: ['OBDCR-REQ', 'OBDCR-3.1'], tags: ['claims', 'REQ-15'] }),
  claim('claim.application_type', 'native', () => ({ application_type: 'native' }), { id: 'REQ-APPLICATION-TYPE-NATIVE', exchange: 'register-application-type', title: 'application_type "native" is refused, or substituted and returned', rules: ['REQ-APPLICATION-TYPE'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['claims', 'REQ-16'], substitutes: { field: 'application_type', refused: (v) => v === 'native' } }),
  claim('claim.id_token_signed_response_alg', 'RS256', () => ({ id_token_signed_response_alg: 'RS256' }), { id: 'REQ-ID-TOKEN-ALG-RS256', exchange: 'register-id-token-rs256', title: 'id_token_signed_response_alg RS256 is refused, or substituted and returned', rules: ['REQ-ID-TOKEN-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17'], substitutes: { field: 'id_token_signed_response_alg', refused: (v) => v === 'RS256' || v === 'none' || typeof v !== 'string' } }),
  claim('claim.id_token_signed_response_alg', 'none', () => ({ id_token_signed_response_alg: 'none' }), {
    id: 'REQ-ID-TOKEN-ALG-NONE', title: 'id_token_signed_response_alg none is refused, or substituted and returned', rules: ['REQ-ID-TOKEN-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17', 'near-miss'],
    substitutes: { field: 'id_token_signed_response_alg', refused: (v) => v === 'none' || typeof v !== 'string' },
    quotes: [FAPI.notNone],
  }),
  claim('claim.request_object_signing_alg', 'none', () => ({ request_object_signing_alg: 'none' }), { id: 'REQ-REQUEST-OBJECT-ALG-NONE', exchange: 'register-request-object-none', title: 'request_object_signing_alg none is refused, or substituted and returned', rules: ['REQ-REQUEST-OBJECT-ALG'], spec: ['FAPI1-ADV-8.6', 'OBDCR-REQ'], tags: ['claims', 'REQ-17'], substitutes: { field: 'request_object_signing_alg', refused: (v) => v === 'none' || typeof v !== 'string' } }),
  claim('claim.jwks', 'beside jwks_uri', () => ({ jwks: { keys: [] }, jwks_uri: 'https://tpp.example.com/jwks' }), { id: 'REQ-JWKS-AND-JWKS-URI', exchange: 'register-jwks-both', title: 'jwks together with jwks_uri is refused', rules: ['REQ-JWKS-EXCLUSIVE'], spec: ['RFC7591-2'], tags: ['claims', 'gap'] }),
];

const redirect = (id: string, exchange: string, change: string, title: string, make: (uri: string) => string, meta: Partial<Meta> = {}): Row =>
  claim('claim.redirect_uris', change, (s) => ({ redirect_uris: [make(uri0(s))] }), { id, exchange, title, rules: ['REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: REDIRECT_ERRORS, tags: ['redirect', 'REQ-08', 'near-miss'], ...meta });

/** The redirect URIs a listed-URI row registers, by its exchange: the fragment or http form of the first target URI. */
const LISTED: Readonly<Record<string, (uri: string) => string>> = {
  'register-redirect-fragment': (uri) => withFragment(uri),
  'register-redirect-http-listed': (uri) => uri.replace(/^https:/, 'http:'),
};
const listedControlOf = (exchange: string) => `${exchange}-control`;

/**
 * The controls of the listed-URI rows: an SSA listing the target's URIs and the row's URI beside them, registering the
 * plain one. Accepted, the row's registration differs only by naming the listed URI: only that URI's own rule can refuse it.
 */
export function listedRedirectControls(): ExchangeStep[] {
  return Object.entries(LISTED).map(([exchange, listed]) => {
    const name = listedControlOf(exchange);
    return {
      name,
      concurrent: true,
      accepted: clientRegistered,
      skipIf: (s: Session) => (s.directory.mint ? undefined : 'the target gives a fixed SSA: an SSA that lists such a URI needs a directory signing key or the mock directory endpoint'),
      run: async (s: Session) => {
        const ssa = await s.directory.mint!({ software_redirect_uris: [...s.target.redirectUris, listed(uri0(s))] });
        const r = await sendRegistration(s, name, { ...validRegistration(s), claims: s.claims({ software_statement: ssa }) });
        return { ...r, sent: { ...r.sent, ssa } };
      },
    };
  });
}

/** A row registering a URI its control's SSA lists, but a rule of its own forbids. */
function listedRedirect(id: string, exchange: string, change: string, title: string, meta: Pick<Meta, 'rules' | 'spec'> & Partial<Meta>): Row {
  const control = listedControlOf(exchange);
  return {
    id, exchange, element: 'claim.redirect_uris', change, control, title, errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'], ...meta,
    mutate: (req, s, prior) => withClaims(req, { software_statement: String(prior.get(control)!.sent.ssa), redirect_uris: [LISTED[exchange]!(uri0(s))] }),
  };
}

/** OBIE REQ-08: every redirect_uri is one of the SSA software_redirect_uris (RFC 6749 3.1.2.3 compares as strings). */
const redirectRows: Row[] = [
  claim('claim.redirect_uris', 'outside the SSA', () => ({ redirect_uris: ['https://evil.example.com/cb'] }), { id: 'REDIRECT-NOT-IN-SSA', exchange: 'register-redirect-foreign', title: 'A redirect_uri outside the SSA software_redirect_uris is refused with invalid_redirect_uri', rules: ['REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'fork', 'REQ-08'] }),
  claim('claim.redirect_uris', 'http', (s) => ({ redirect_uris: [uri0(s).replace(/^https:/, 'http:')] }), { id: 'REDIRECT-HTTP', exchange: 'register-redirect-http', title: 'An http redirect_uri is refused with invalid_redirect_uri', rules: ['REQ-REDIRECT-HTTPS', 'REQ-REDIRECT-SUBSET'], spec: ['FAPI1-ADV-5.2.2', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'] }),
  claim('claim.redirect_uris', 'localhost', () => ({ redirect_uris: ['https://localhost/callback'] }), { id: 'REDIRECT-LOCALHOST', exchange: 'register-redirect-localhost', title: 'A localhost redirect_uri is refused with invalid_redirect_uri', rules: ['REQ-REDIRECT-LOCALHOST', 'REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'] }),
  // The fragment and http URIs are ones the SSA lists (their controls register the SSA's plain URI): only that URI's own rule can refuse them.
  listedRedirect('REDIRECT-FRAGMENT', 'register-redirect-fragment', 'a fragment (the SSA lists it)', 'A redirect_uri with a fragment is refused with invalid_redirect_uri, even when the SSA lists it', {
    rules: ['REQ-REDIRECT-FRAGMENT'], spec: ['RFC7591-2', 'RFC7591-3.2.2'],
  }),
  listedRedirect('REDIRECT-HTTP-IN-SSA', 'register-redirect-http-listed', 'http (the SSA lists it)', 'An http redirect_uri is refused with invalid_redirect_uri, even when the SSA lists it', {
    rules: ['REQ-REDIRECT-HTTPS'], spec: ['OBDCR-REQ', 'FAPI1-ADV-5.2.2', 'RFC7591-3.2.2'],
    quotes: [q('OBDCR-REQ', DD.redirectHttps.text, 'the SSA listing the URI does not lift the rule'), RFC7591.invalidRedirect],
  }),
  claim('claim.redirect_uris', 'over 256 characters', () => ({ redirect_uris: [`https://tpp.example.com/${'a'.repeat(260)}`] }), { id: 'REDIRECT-TOO-LONG', exchange: 'register-redirect-long', title: 'A redirect_uri over 256 characters is refused with invalid_redirect_uri', rules: ['REQ-REDIRECT-LENGTH', 'REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri'], tags: ['redirect', 'REQ-08'], severity: 'SHOULD' }),
  claim('claim.redirect_uris', 'a string, not an array', (s) => ({ redirect_uris: uri0(s) }), {
    id: 'REDIRECT-NOT-ARRAY', title: 'redirect_uris given as a string, not an array, is refused', rules: ['REQ-REDIRECT-PRESENT'], spec: ['RFC7591-2', 'OBDCR-REQ'], errors: REDIRECT_ERRORS, tags: ['redirect', 'REQ-08', 'type'],
    quotes: [q('RFC7591-2', 'redirect_uris Array of redirection URI strings for use in redirect-based flows such as the authorization code and implicit flows.'), DD.redirectLength],
  }),
  {
    id: 'REDIRECT-MISSING', exchange: 'register-redirect-missing', element: 'claim.redirect_uris', change: 'absent',
    title: 'A request without redirect_uris is refused, or registers exactly the SSA software_redirect_uris', rules: ['REQ-REDIRECT-PRESENT'], spec: ['OBDCR-REQ', 'RFC7591-2'], tags: ['redirect', 'REQ-08'],
    mutate: (req) => withClaims(req, { redirect_uris: undefined }),
    check: (r) => {
      if (r.status < 200 || r.status >= 300) return refusalVerdict(r, REDIRECT_ERRORS);
      const ssaUris = softwareRedirectUris(r);
      const got = (r.json as Record<string, unknown> | undefined)?.redirect_uris;
      const same = Array.isArray(got) && ssaUris !== undefined && got.length === ssaUris.length && ssaUris.every((u) => got.includes(u));
      return same
        ? pass(evidenceOf(r, { actual: got }), 'registered with the SSA software_redirect_uris, as the OBIE data dictionary allows')
        : fail('redirect_uris was omitted: the bank must refuse, or register exactly the SSA software_redirect_uris (OBIE v3.3 data dictionary)', evidenceOf(r, { expected: ssaUris, actual: got }));
    },
  },
  redirect('REDIRECT-EXTENDED', 'register-redirect-extended', 'path extended', 'An SSA redirect URI with characters appended to its path is refused: no prefix matching', nearMiss.extended),
  redirect('REDIRECT-CASE', 'register-redirect-case', 'path re-cased', 'An SSA redirect URI with its path re-cased is refused: no case-insensitive matching', nearMiss.recased),
  redirect('REDIRECT-TRAILING-SLASH', 'register-redirect-slash', 'trailing slash', 'An SSA redirect URI with a trailing slash added or removed is refused: exact matching', nearMiss.slash),
  redirect('REDIRECT-QUERY', 'register-redirect-query', 'query added', 'An SSA redirect URI with a query string added is refused: exact matching', nearMiss.query),
  redirect('REDIRECT-HOST-SUFFIX', 'register-redirect-host-suffix', 'host extended', 'An SSA redirect URI whose host is extended into another domain is refused', nearMiss.hostSuffix),
  redirect('REDIRECT-HOST-PREFIX', 'register-redirect-host-prefix', 'host prefixed', 'An SSA redirect URI with characters put before its host (another domain ending like it) is refused', nearMiss.hostPrefix),
  redirect('REDIRECT-OTHER-PATH', 'register-redirect-other-path', 'other path', "A redirect URI on an SSA URI's origin but another path is refused: no origin-only matching", nearMiss.otherPath),
  redirect('REDIRECT-PORT', 'register-redirect-port', 'other port', 'An SSA redirect URI on another port is refused: the port is part of the URI', nearMiss.port),
  redirect('REDIRECT-USERINFO', 'register-redirect-userinfo', 'origin as userinfo', 'The SSA origin as userinfo before another host (https://<ssa-host>@evil.example/...) is refused: no string prefix matching on the origin', nearMiss.userinfo),
];

/** The TLS identity the request is sent with (the claims unchanged). */
const tlsRows: Row[] = [
  {
    ...forMethod('tls_client_auth'),
    id: 'TLS-OTHER-TRUSTED-CERT', element: 'tls.certificate', change: 'another trusted certificate (another DN)',
    title: 'A tls_client_auth registration naming the transport certificate DN but sent with another trusted certificate is refused',
    rules: ['REQ-TLS-DN-MATCH'], spec: ['RFC8705-2', 'OBDCR-REQ'], errors: ['invalid_client_metadata', 'invalid_client', 'invalid_request', 'access_denied'], statuses: [0, 400, 401, 403], tags: ['transport', 'REQ-11', 'near-miss'],
    skipIf: (s) => supports('tls_client_auth')(s) ?? (s.target.altTransport ? undefined : 'the target gives no altTransportCert / altTransportKey (a second certificate the bank trusts, with another subject DN)'),
    quotes: [DD.tlsDn, MTLS.subject],
    mutate: (req, s) => ({ ...req, client: s.target.altTransport! }),
  },
];

export function recase(id: string): string {
  const flipped = id.replace(/[a-zA-Z]/, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
  return flipped === id ? `${id}X` : flipped;
}

/** The URI with a fragment: what RFC 6749 3.1.2 forbids a redirection endpoint to have. */
export const withFragment = (uri: string) => `${uri.replace(/#.*$/, '')}#frag`;

/** A scope value as a list: a space-separated string (v3.2+) or an array (v3.1); anything else is empty. */
export function scopeList(v: unknown): string[] {
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The software_redirect_uris of the SSA a probe sent (decoded from its registration claims). */
function softwareRedirectUris(r: Recorded): string[] | undefined {
  try {
    const claims = (r.sent.claims ?? {}) as Record<string, unknown>;
    const ssa = typeof claims.software_statement === 'string' ? JSON.parse(Buffer.from(claims.software_statement.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown> : {};
    const uris = ssa.software_redirect_uris;
    return Array.isArray(uris) && uris.every((u) => typeof u === 'string') ? (uris as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** POST /register: each element of the accepted registration request, changed one at a time. */
export const registrationSweep: SweepTable<RegistrationRequest> = {
  exchange: 'POST /register',
  kind: 'registration',
  control: 'register-valid',
  tags: ['registration'],
  // Every row is a POST of its own that a correct bank refuses; one a bank wrongly accepts is a client of its own.
  concurrent: true,
  build: async (s, _prior, row) => validRegistration(s, methodOf(row)),
  send: (s, name, req) => (req.onHost ? viaHost(s, name, req.onHost, (r) => sendRegistration(s, name, r)) : sendRegistration(s, name, req)),
  refused: (r, row) => refusalVerdict(r, row.errors ?? ['invalid_client_metadata'], row.statuses, row.substitutes),
  accepted: (r) =>
    r.status >= 200 && r.status < 300 && r.clientId
      ? pass(evidenceOf(r), 'accepted, as the spec requires')
      : fail(`the spec lets this request through, but the bank answered ${summarize(r)}`, evidenceOf(r, { expected: '201 with a client_id' })),
  rows: [...joseRows, ...claimRows, ...redirectRows, ...tlsRows],
};

