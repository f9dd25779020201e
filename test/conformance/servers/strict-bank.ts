/**
 * An independent, strict OBIE DCR v3.3 bank, for proving the conformance pack against a bank we
 * did not write. It is written from the specifications (OBIE DCR v3.3 and its data dictionary,
 * RFC 7591, RFC 7592, RFC 8705, RFC 7523, RFC 6749, RFC 6750, RFC 7519, RFC 8725, FAPI 1.0
 * Advanced), NOT from mock-server/: the only thing it borrows is the DN parser
 * (mock-server/core/dn parseDn), and it compares DNs itself.
 *
 * The validation rules are pure functions (no I/O, the clock passed in); the HTTP layer keeps the
 * state (clients, tokens, used jti values). Each `Bug` switches one rule to a realistic wrong
 * implementation, so a test can show the pack catches it.
 *
 * The network is simulated: the directory's trust (its issuer name, JWKS and keystore host) and the
 * software JWKS served at each software_jwks_endpoint are given, so nothing is fetched; only under
 * the ssa-jwks-host-unchecked bug does the bank fetch an https software_jwks_endpoint on 127.0.0.1
 * that the map does not hold (fetchLoopbackJwks: 2 s, 64 KiB), as such a bank would fetch any host.
 */
import https from 'node:https';
import { createHash, createPublicKey, randomBytes, randomUUID, timingSafeEqual, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { compactVerify, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { parseDn } from '../../../common/dn';

/** One realistic wrong implementation each; see BUG_NOTES for what each does. */
export const BUGS = [
  // redirect_uris (OBIE REQ-08, RFC 6749 3.1.2.3: exact string comparison)
  'redirect-prefix', 'redirect-case-insensitive', 'redirect-slash-ignored', 'redirect-query-ignored', 'redirect-host-prefix', 'redirect-host-endswith', 'redirect-origin-only', 'redirect-port-ignored', 'redirect-origin-startswith',
  // tls_client_auth_subject_dn (RFC 8705 2.1.2)
  'dn-subset', 'dn-unchecked',
  // the request JWS (OBIE GEN-07, RFC 8725, FAPI 1 Advanced 8.6)
  'kid-ignored', 'alg-confusion', 'alg-none', 'rs256', 'x5c-ignored', 'x5c-honoured', 'jwk-header-trusted', 'jwks-claim-trusted',
  // the request claims (RFC 7519 4.1, OBIE REQ-03..06)
  'aud-substring', 'aud-prefix', 'aud-unchecked', 'jti-replay', 'exp-unchecked', 'iat-future', 'scope-roles-ignored',
  // transport of POST /register (OBIE GEN-04)
  'register-no-cert', 'register-untrusted-ca',
  // the software statement (OBIE REQ-07, GEN-06)
  'ssa-signature-unverified', 'ssa-exp-unchecked', 'ssa-nbf-ignored', 'ssa-iat-future', 'ssa-unknown-kid-unverified', 'ssa-kid-ignored', 'ssa-hs256', 'ssa-alg-confusion', 'ssa-jwks-host-unchecked', 'ssa-iss-not-checked',
  // PUT /register/{ClientId} (RFC 7592 2.2)
  'put-signature-unverified', 'put-software-id-change', 'put-client-id-ignored', 'put-redirect-unchecked', 'put-cross-client',
  // the registration response (RFC 7591 3.2.1, OBIE data dictionary)
  'secret-43', 'response-jws', 'response-no-software-id',
  // the token endpoint (RFC 8705, RFC 7523, RFC 6749 2.3.1 / 5.2)
  'token-unbound', 'pkjwt-token-unbound', 'secret-token-unbound', 'token-binding-any-cert', 'token-untrusted-cert', 'token-other-dn', 'token-no-cert',
  'assertion-aud-unchecked', 'assertion-sub-unchecked', 'assertion-replay', 'assertion-exp-unchecked', 'assertion-alg-none', 'secret-unchecked', 'basic-no-challenge',
  // GET/PUT/DELETE /register/{ClientId} (OBIE MGT-01/02, DEL-01, RFC 6750 3)
  'get-cross-client', 'delete-cross-client', 'unknown-client-404', 'delete-keeps-tokens', 'deleted-client-404', 'no-www-authenticate',
  // added with the one-change sweep: identifiers, read-back, tolerance
  'manage-by-software-id', 'client-id-case-insensitive', 'client-id-prefix', 'put-stores-nothing', 'unknown-metadata-refused',
] as const;
export type Bug = (typeof BUGS)[number];
export type Bugs = ReadonlySet<Bug>;

/** What each bug does, in one line. */
export const BUG_NOTES: Readonly<Record<Bug, string>> = {
  'redirect-prefix': 'a redirect_uri is accepted when it starts with an SSA URI (startsWith)',
  'redirect-case-insensitive': 'redirect_uris compared case-insensitively',
  'redirect-slash-ignored': 'a trailing slash is ignored when comparing redirect_uris',
  'redirect-query-ignored': 'the query is ignored when comparing redirect_uris',
  'redirect-host-prefix': 'the redirect host compared with startsWith (tpp.example.com.evil.example passes)',
  'redirect-host-endswith': 'the redirect host compared with endsWith (eviltpp.example.com passes)',
  'redirect-origin-only': 'only the origin (scheme, host, port) of a redirect_uri is compared with the SSA URIs',
  'redirect-port-ignored': 'the port is ignored when comparing redirect_uris',
  'redirect-origin-startswith': 'a redirect_uri is accepted when it starts with the origin of an SSA URI (string prefix)',
  'dn-subset': 'tls_client_auth_subject_dn accepted when its RDNs are a subset of the certificate\'s',
  'dn-unchecked': 'tls_client_auth_subject_dn not compared with the presented certificate at all',
  'kid-ignored': 'the request is verified with the first software JWKS key whatever its kid',
  'alg-confusion': 'an HS256 request is verified with the software public key (SPKI PEM) as the HMAC secret',
  'alg-none': 'an unsigned request (alg none) is accepted',
  'rs256': 'RS256 is accepted for the request',
  'x5c-ignored': 'an x5c header is ignored (the request is verified with the JWKS as usual)',
  'x5c-honoured': 'the request is verified with the certificate given in its x5c header',
  'jwk-header-trusted': 'the request is verified with the key given in its own jwk header',
  'jwks-claim-trusted': 'the request is verified against the jwks claim inside the request itself',
  'aud-substring': 'aud accepted when it contains the issuer (String.includes)',
  'aud-prefix': 'aud accepted when it starts with the issuer',
  'aud-unchecked': 'aud not checked',
  'jti-replay': 'a replayed request jti is accepted',
  'exp-unchecked': 'the request exp is not compared with the clock',
  'iat-future': 'a request iat in the future is accepted',
  'scope-roles-ignored': 'scope is checked against the supported scopes but not against the SSA software_roles',
  'register-no-cert': 'POST /register without a client certificate is accepted',
  'register-untrusted-ca': 'POST /register with a certificate from an untrusted CA is accepted',
  'ssa-signature-unverified': 'the SSA signature is not verified (decoded only)',
  'ssa-exp-unchecked': 'the SSA exp is not compared with the clock',
  'ssa-nbf-ignored': 'the SSA nbf is ignored',
  'ssa-iat-future': 'an SSA iat in the future is accepted',
  'ssa-unknown-kid-unverified': 'an SSA whose kid is not in the directory JWKS is accepted unverified',
  'ssa-kid-ignored': 'the SSA is verified with the first directory key whatever its kid',
  'ssa-hs256': 'HS256 SSAs are accepted unverified (taken for sandbox self-signed SSAs)',
  'ssa-alg-confusion': 'an HS256 SSA is verified with the directory public key (SPKI PEM) as the HMAC secret',
  'ssa-jwks-host-unchecked': 'software_jwks_endpoint is fetched from any host, not only the directory keystore (here: any https URL on 127.0.0.1, whatever its certificate)',
  'ssa-iss-not-checked': 'the SSA is verified with the directory key but its iss is not compared',
  'put-signature-unverified': 'PUT decodes the request without verifying its signature',
  'put-software-id-change': 'PUT stores the software_id claim, letting it change',
  'put-client-id-ignored': 'PUT ignores the client_id claim (need not equal the path ClientId)',
  'put-redirect-unchecked': 'PUT does not compare redirect_uris with the SSA',
  'put-cross-client': 'PUT accepts another client\'s token',
  'secret-43': 'client_secret is 43 characters (32 random bytes, base64url), over OBIE Max36Text',
  'response-jws': 'the POST answer is a signed JWS (application/jose), not JSON',
  'response-no-software-id': 'the client JSON has no software_id',
  'token-unbound': 'access tokens are not bound to the client certificate',
  'pkjwt-token-unbound': 'tokens of private_key_jwt clients are not bound to the certificate',
  'secret-token-unbound': 'tokens of client_secret_basic clients are not bound to the certificate',
  'token-binding-any-cert': 'a bound token is accepted with any client certificate (presence checked, not the thumbprint)',
  'token-untrusted-cert': 'the token endpoint accepts a certificate that does not chain to the CA',
  'token-other-dn': 'tls_client_auth at the token endpoint does not compare the certificate DN with the registered one',
  'token-no-cert': 'the token endpoint accepts a request without a client certificate (the DN check is skipped)',
  'assertion-aud-unchecked': 'the client assertion aud is not checked',
  'assertion-sub-unchecked': 'the client assertion iss is compared with the client_id, its sub is not',
  'assertion-replay': 'a replayed client assertion is accepted',
  'assertion-exp-unchecked': 'the client assertion exp is not compared with the clock',
  'assertion-alg-none': 'an unsigned client assertion (alg none) is accepted',
  'secret-unchecked': 'client_secret_basic accepts any secret',
  'basic-no-challenge': 'a refused Basic authentication has no WWW-Authenticate: Basic',
  'get-cross-client': 'GET accepts another client\'s token',
  'delete-cross-client': 'DELETE accepts another client\'s token',
  'unknown-client-404': 'an unknown ClientId answers 404 (and the token is not revoked)',
  'delete-keeps-tokens': 'DELETE does not revoke the client\'s tokens',
  'deleted-client-404': 'a deleted ClientId answers 404 before the token is looked at',
  'no-www-authenticate': 'management 401 answers carry no WWW-Authenticate',
  'manage-by-software-id': 'GET/PUT/DELETE /register/{id} also finds the client whose software_id is id',
  'client-id-case-insensitive': 'the ClientId of the path is looked up case-insensitively',
  'client-id-prefix': 'the ClientId of the path is looked up by prefix (the first client whose id starts with it)',
  'put-stores-nothing': 'PUT answers 200 with the new metadata but stores nothing',
  'unknown-metadata-refused': 'a registration with a metadata member the bank does not know is refused (additionalProperties: false)',
};

type Json = Record<string, unknown>;
export interface Jwks {
  keys: JWK[];
}

/** The directory the bank trusts: SSAs with this iss, signed PS256 by a key of this JWKS; software JWKS only on this host. */
export interface DirectoryTrust {
  issuer: string;
  jwks: Jwks;
  keystoreHost: string;
}

export interface StrictBankOptions {
  /** The server certificate and key, and the CA client certificates must chain to. */
  tls: { cert: string; key: string; ca: string };
  directory: DirectoryTrust;
  /** The simulated network: the JWKS served at each software_jwks_endpoint URL. */
  softwareJwks: ReadonlyMap<string, Jwks>;
  bugs?: Iterable<Bug>;
}

export interface StrictBank {
  url: string;
  close(): Promise<void>;
}

/** A refusal: the HTTP status, the OAuth error code and why. */
export class Refusal extends Error {
  constructor(readonly status: number, readonly error: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}
const metadataError = (m: string) => new Refusal(400, 'invalid_client_metadata', m);
const redirectError = (m: string) => new Refusal(400, 'invalid_redirect_uri', m);
const ssaError = (m: string) => new Refusal(400, 'invalid_software_statement', m);

/** Clock skew allowed on iat / nbf (seconds). */
export const SKEW = 60;
export const AUTH_METHODS = ['tls_client_auth', 'private_key_jwt', 'client_secret_basic'] as const;
type AuthMethod = (typeof AUTH_METHODS)[number];
const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'];
const RESPONSE_TYPES = ['code id_token', 'code'];
const SIGNING_ALGS = ['PS256', 'ES256'];
const ROLE_SCOPES: Record<string, string[]> = { AISP: ['accounts'], PISP: ['payments'], CBPII: ['fundsconfirmations'] };
const SCOPES = ['openid', 'accounts', 'payments', 'fundsconfirmations'];
const BASE62 = /^[0-9a-zA-Z]{1,22}$/;
/** The OBIE v3.3 OBClientRegistrationRequest1 members and the JWT claims: what a strict-schema bank knows. */
const KNOWN_CLAIMS = new Set(['iss', 'iat', 'exp', 'aud', 'jti', 'nbf', 'client_id', 'redirect_uris', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'tls_client_auth_subject_dn', 'tls_client_auth_dn', 'grant_types', 'response_types', 'software_id', 'scope', 'software_statement', 'application_type', 'id_token_signed_response_alg', 'request_object_signing_alg', 'jwks', 'jwks_uri', 'backchannel_token_delivery_mode', 'backchannel_client_notification_endpoint', 'backchannel_authentication_request_signing_alg', 'backchannel_user_code_parameter_supported']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isJwks = (v: unknown): v is Jwks => isObject(v) && Array.isArray(v.keys) && v.keys.every(isObject);

// ---------------------------------------------------------------------------------------------
// Pure rules

export interface Jws {
  raw: string;
  header: Json;
  payload: Json;
}

/** A compact JWS with JSON object header and payload (RFC 7515 7.1), not yet verified. */
export function parseJws(raw: string, refuse: (m: string) => Refusal): Jws {
  const parts = raw.trim().split('.');
  if (parts.length !== 3) throw refuse('not a compact JWS (three base64url parts)');
  const decode = (s: string): unknown => {
    try {
      return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  };
  const header = decode(parts[0]!);
  const payload = decode(parts[1]!);
  if (!isObject(header) || !isObject(payload)) throw refuse('the JWS header and payload must be JSON objects');
  return { raw: raw.trim(), header, payload };
}

function keyObject(jwk: JWK): KeyObject {
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}
const pemOf = (jwk: JWK) => keyObject(jwk).export({ type: 'spki', format: 'pem' }).toString();

/** Verifies a JWS signature with one key and one algorithm; false on any failure. */
async function verifies(jws: Jws, key: KeyObject | Uint8Array, alg: string): Promise<boolean> {
  try {
    await compactVerify(jws.raw, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The request JWS: PS256 / ES256 (FAPI 1 Advanced 8.6; never none, HS*, RS256), no x5c / x5u /
 * jku / jwk (OBIE GEN-07: "keys come from the JWKS named in the SSA"), a kid of the software JWKS
 * (RFC 7515 4.1.4), a signature that verifies with that key.
 */
export async function verifyRequestJws(jws: Jws, softwareJwks: Jwks, bugs: Bugs): Promise<void> {
  const { alg, kid } = jws.header;
  if (alg === 'none' && bugs.has('alg-none')) return;
  if (alg === 'HS256' && bugs.has('alg-confusion')) {
    const jwk = softwareJwks.keys.find((k) => k.kid === kid) ?? softwareJwks.keys[0];
    if (jwk && (await verifies(jws, new TextEncoder().encode(pemOf(jwk)), 'HS256'))) return;
    throw metadataError('the request signature does not verify');
  }
  const algs = bugs.has('rs256') ? [...SIGNING_ALGS, 'RS256'] : SIGNING_ALGS;
  if (typeof alg !== 'string' || !algs.includes(alg)) throw metadataError(`the request is signed with ${JSON.stringify(alg)}; this bank accepts ${algs.join(' and ')} (FAPI 1 Advanced 8.6)`);
  const forbidden = ['x5u', 'jku', 'x5c', 'jwk'].filter((h) => !(h === 'x5c' && (bugs.has('x5c-ignored') || bugs.has('x5c-honoured'))) && !(h === 'jwk' && bugs.has('jwk-header-trusted')));
  const present = forbidden.find((h) => jws.header[h] !== undefined);
  if (present) throw metadataError(`the request JWS header carries ${present}: keys come only from the software JWKS named in the SSA (OBIE GEN-07)`);
  let key: KeyObject | undefined;
  if (bugs.has('x5c-honoured') && Array.isArray(jws.header.x5c)) {
    try {
      key = new X509Certificate(Buffer.from(String(jws.header.x5c[0]), 'base64')).publicKey;
    } catch {
      throw metadataError('the x5c certificate cannot be read');
    }
  } else if (bugs.has('jwk-header-trusted') && isObject(jws.header.jwk)) {
    try {
      key = keyObject(jws.header.jwk as JWK);
    } catch {
      throw metadataError('the jwk header is not a public key');
    }
  } else {
    const jwks = bugs.has('jwks-claim-trusted') && isJwks(jws.payload.jwks) ? jws.payload.jwks : softwareJwks;
    const jwk = bugs.has('kid-ignored') ? jwks.keys[0] : jwks.keys.find((k) => typeof kid === 'string' && k.kid === kid);
    if (!jwk) throw metadataError(`kid ${JSON.stringify(kid)} is not in the software JWKS`);
    key = keyObject(jwk);
  }
  if (!(await verifies(jws, key, alg))) throw metadataError('the request signature does not verify with the software key');
}

/**
 * The SSA (OBIE REQ-07, GEN-06): from the trusted directory (iss), PS256 with a key of its JWKS
 * named by kid, within its validity (exp, iat, nbf), with the software claims, and a
 * software_jwks_endpoint on the directory's keystore host.
 */
export async function verifySsa(raw: unknown, dir: DirectoryTrust, now: number, bugs: Bugs): Promise<Json> {
  if (typeof raw !== 'string' || raw === '') throw ssaError('software_statement is required (OBIE REQ-07)');
  const jws = parseJws(raw, ssaError);
  const c = jws.payload;
  const { alg, kid } = jws.header;
  if (c.iss !== dir.issuer && !bugs.has('ssa-iss-not-checked')) {
    throw new Refusal(400, 'unapproved_software_statement', `the SSA issuer ${JSON.stringify(c.iss)} is not a directory this bank trusts`);
  }
  const signatureOk = async (): Promise<boolean> => {
    if (bugs.has('ssa-signature-unverified')) return true;
    if (alg === 'HS256' && bugs.has('ssa-hs256')) return true;
    if (alg === 'HS256' && bugs.has('ssa-alg-confusion')) {
      const jwk = dir.jwks.keys.find((k) => k.kid === kid) ?? dir.jwks.keys[0];
      return !!jwk && verifies(jws, new TextEncoder().encode(pemOf(jwk)), 'HS256');
    }
    if (alg !== 'PS256') throw ssaError(`the SSA is signed with ${JSON.stringify(alg)}; the directory signs PS256`);
    const jwk = bugs.has('ssa-kid-ignored') ? dir.jwks.keys[0] : dir.jwks.keys.find((k) => typeof kid === 'string' && k.kid === kid);
    if (!jwk) {
      if (bugs.has('ssa-unknown-kid-unverified')) return true;
      throw ssaError(`the SSA kid ${JSON.stringify(kid)} is not in the directory JWKS`);
    }
    return verifies(jws, keyObject(jwk), 'PS256');
  };
  if (!(await signatureOk())) throw ssaError('the SSA signature does not verify with the directory key');
  // exp is optional in an SSA (RFC 7519 4.1.4; OB Directory SSAs may carry none), but honoured when present.
  if (c.exp !== undefined && (!isInt(c.exp) || (c.exp <= now && !bugs.has('ssa-exp-unchecked')))) throw ssaError('the SSA has expired');
  if (!isInt(c.iat)) throw ssaError('the SSA has no integer iat');
  if (c.iat > now + SKEW && !bugs.has('ssa-iat-future')) throw ssaError('the SSA is issued in the future');
  if (c.nbf !== undefined && (!isInt(c.nbf) || (c.nbf > now + SKEW && !bugs.has('ssa-nbf-ignored')))) throw ssaError('the SSA is not valid yet (nbf)');
  if (typeof c.software_id !== 'string' || !BASE62.test(c.software_id)) throw ssaError('the SSA software_id is missing or not Base62 of 1 to 22 characters');
  if (typeof c.org_id !== 'string' || c.org_id === '') throw ssaError('the SSA has no org_id');
  if (!isStrings(c.software_redirect_uris) || c.software_redirect_uris.length === 0) throw ssaError('the SSA has no software_redirect_uris');
  if (!isStrings(c.software_roles)) throw ssaError('the SSA has no software_roles');
  const jwksUri = c.software_jwks_endpoint;
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri) || new URL(jwksUri).protocol !== 'https:') throw ssaError('the SSA has no https software_jwks_endpoint');
  if (new URL(jwksUri).hostname !== dir.keystoreHost && !bugs.has('ssa-jwks-host-unchecked')) throw ssaError(`software_jwks_endpoint ${jwksUri} is not on the directory keystore ${dir.keystoreHost}`);
  return c;
}

/**
 * The ssa-jwks-host-unchecked bug's fetch: GET an https URL on 127.0.0.1 (nothing leaves the machine),
 * any certificate, 2 s for the whole exchange, 64 KiB at most; undefined when it is not such a URL or fails.
 */
export function fetchLoopbackJwks(url: string): Promise<Jwks | undefined> {
  if (!URL.canParse(url)) return Promise.resolve(undefined);
  const u = new URL(url);
  if (u.protocol !== 'https:' || u.hostname !== '127.0.0.1') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port: u.port || 443, path: `${u.pathname}${u.search}`, rejectUnauthorized: false, agent: false, timeout: 2000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) req.destroy();
        else chunks.push(c);
      });
      res.on('end', () => {
        try {
          const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          resolve(res.statusCode === 200 && isJwks(v) ? v : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    const timer = setTimeout(() => req.destroy(), 2000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', () => resolve(undefined));
  });
}

/** RFC 7519 4.1.3: the bank's identifier, exactly, as the aud string or one member of the array. */
export function audAccepted(aud: unknown, issuer: string, bugs: Bugs): boolean {
  if (bugs.has('aud-unchecked')) return true;
  const one = (a: unknown) => typeof a === 'string' && (bugs.has('aud-substring') ? a.includes(issuer) : bugs.has('aud-prefix') ? a.startsWith(issuer) : a === issuer);
  return Array.isArray(aud) ? aud.some(one) : one(aud);
}

/** The request's own claims (OBIE REQ-02..06): iss = the SSA software_id, aud, iat, exp, jti. */
export function checkRequestClaims(c: Json, softwareId: string, issuer: string, now: number, bugs: Bugs): void {
  if (c.iss !== softwareId) throw metadataError('iss must be the SSA software_id');
  if (!audAccepted(c.aud, issuer, bugs)) throw metadataError(`aud must be ${issuer}`);
  if (!isInt(c.iat)) throw metadataError('iat is required (integer seconds)');
  if (c.iat > now + SKEW && !bugs.has('iat-future')) throw metadataError('iat is in the future');
  if (!isInt(c.exp)) throw metadataError('exp is required (integer seconds)');
  if (c.exp <= now && !bugs.has('exp-unchecked')) throw metadataError('the request has expired');
  if (typeof c.jti !== 'string' || c.jti === '') throw metadataError('jti is required');
}

/** RFC 6749 3.1.2.3 / OBIE REQ-08: the URI must be one of the SSA's, compared as strings. */
export function redirectMatches(uri: string, ssaUri: string, bugs: Bugs): boolean {
  if (bugs.has('redirect-prefix')) return uri.startsWith(ssaUri);
  if (bugs.has('redirect-case-insensitive')) return uri.toLowerCase() === ssaUri.toLowerCase();
  if (bugs.has('redirect-slash-ignored')) return uri.replace(/\/+$/, '') === ssaUri.replace(/\/+$/, '');
  if (bugs.has('redirect-query-ignored')) return uri.split('?')[0] === ssaUri.split('?')[0];
  if (bugs.has('redirect-origin-only')) return URL.canParse(uri) && new URL(uri).origin === new URL(ssaUri).origin;
  if (bugs.has('redirect-port-ignored') && URL.canParse(uri)) {
    const a = new URL(uri);
    a.port = '';
    return a.toString() === ssaUri;
  }
  if (bugs.has('redirect-origin-startswith')) return uri.startsWith(new URL(ssaUri).origin);
  if (bugs.has('redirect-host-prefix') || bugs.has('redirect-host-endswith')) {
    const a = new URL(uri);
    const b = new URL(ssaUri);
    const host = bugs.has('redirect-host-prefix') ? a.hostname.startsWith(b.hostname) : a.hostname.endsWith(b.hostname);
    return host && a.protocol === b.protocol && a.port === b.port && `${a.pathname}${a.search}` === `${b.pathname}${b.search}`;
  }
  return uri === ssaUri;
}

/** Why a redirect URI is refused (OBIE REQ-08, RFC 7591 2, FAPI 1 Advanced 5.2.2), or undefined. */
export function redirectProblem(uri: unknown, ssaUris: readonly string[], bugs: Bugs, checkSsa = true): string | undefined {
  if (typeof uri !== 'string') return 'is not a string';
  if (uri.length > 256) return 'is longer than 256 characters';
  if (!URL.canParse(uri)) return 'is not a URL';
  const u = new URL(uri);
  if (u.protocol !== 'https:') return 'is not https';
  if (uri.includes('#')) return 'has a fragment';
  const host = u.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]') return 'is a localhost URI';
  if (checkSsa && !ssaUris.some((s) => redirectMatches(uri, s, bugs))) return 'is not one of the SSA software_redirect_uris';
  return undefined;
}

const fold = (v: string) => v.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
function dnKeys(dn: string): string[] {
  return parseDn(dn)
    .flat()
    .map((a) => `${a.type}=${fold(a.value)}`)
    .sort();
}

/** RFC 8705 2.1.2: the registered subject DN is the certificate's: the same attributes, whatever the string form. */
export function dnMatches(registered: string, presented: string, bugs: Bugs = new Set()): boolean {
  try {
    const a = dnKeys(registered);
    const b = dnKeys(presented);
    if (bugs.has('dn-subset')) return a.every((k) => b.includes(k));
    return a.length === b.length && a.every((k, i) => k === b[i]);
  } catch {
    return false;
  }
}

export interface Metadata extends Json {
  redirect_uris: string[];
  token_endpoint_auth_method: AuthMethod;
  grant_types: string[];
  response_types: string[];
  scope: string;
  software_id: string;
}

export interface MetadataContext {
  ssa: Json;
  /** Subject DN of the presented client certificate (undefined: none). */
  peerDn: string | undefined;
  bugs: Bugs;
  put: boolean;
}

/** The client metadata of a registration request (OBIE OBClientRegistration1, RFC 7591 2): what is registered, or a refusal. */
export function registrationMetadata(c: Json, ctx: MetadataContext): Metadata {
  const { ssa, bugs } = ctx;
  const ssaUris = ssa.software_redirect_uris as string[];
  const softwareId = ssa.software_id as string;
  if (c.software_id !== undefined && c.software_id !== softwareId && !(ctx.put && bugs.has('put-software-id-change'))) throw metadataError('software_id must equal the SSA software_id (OBIE REQ-14)');
  // OBIE v3.3: "If the redirect_uris metadata element is omitted ... the entire contents of the software_redirect_uris element in the SSA are considered to be requested".
  const redirectUris = c.redirect_uris === undefined ? [...ssaUris] : c.redirect_uris;
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) throw redirectError('redirect_uris must be a non-empty array');
  for (const uri of redirectUris) {
    const why = redirectProblem(uri, ssaUris, bugs, !(ctx.put && bugs.has('put-redirect-unchecked')));
    if (why) throw redirectError(`redirect_uri ${JSON.stringify(uri).slice(0, 300)} ${why}`);
  }
  const method = c.token_endpoint_auth_method;
  if (!(AUTH_METHODS as readonly unknown[]).includes(method)) throw metadataError(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  const out: Metadata = {
    redirect_uris: redirectUris as string[],
    token_endpoint_auth_method: method as AuthMethod,
    grant_types: ['authorization_code'],
    response_types: ['code id_token'],
    scope: '',
    software_id: ctx.put && bugs.has('put-software-id-change') && typeof c.software_id === 'string' ? c.software_id : softwareId,
  };
  const dn = c.tls_client_auth_subject_dn;
  if (method === 'tls_client_auth') {
    if (typeof dn !== 'string' || dn === '') throw metadataError('tls_client_auth needs tls_client_auth_subject_dn (OBIE REQ-11)');
    if (!bugs.has('dn-unchecked') && (ctx.peerDn === undefined || !dnMatches(dn, ctx.peerDn, bugs))) throw metadataError('tls_client_auth_subject_dn is not the subject DN of the presented certificate (RFC 8705 2.1.2)');
    out.tls_client_auth_subject_dn = dn;
  } else if (dn !== undefined) {
    throw metadataError('tls_client_auth_subject_dn is only for tls_client_auth');
  }
  if (method === 'private_key_jwt') {
    if (!SIGNING_ALGS.includes(c.token_endpoint_auth_signing_alg as string)) throw metadataError('private_key_jwt needs token_endpoint_auth_signing_alg PS256 or ES256 (OBIE REQ-10)');
    out.token_endpoint_auth_signing_alg = c.token_endpoint_auth_signing_alg;
  }
  if (c.grant_types !== undefined) {
    if (!isStrings(c.grant_types) || c.grant_types.length === 0 || c.grant_types.some((g) => !GRANT_TYPES.includes(g))) throw metadataError(`grant_types must be within ${GRANT_TYPES.join(', ')}`);
    out.grant_types = [...c.grant_types];
  }
  if (c.response_types !== undefined) {
    if (!isStrings(c.response_types) || c.response_types.some((t) => !RESPONSE_TYPES.includes(t))) throw metadataError(`response_types must be within ${RESPONSE_TYPES.join(', ')}`);
    out.response_types = [...c.response_types];
  }
  const allowed = ['openid', ...(ssa.software_roles as string[]).flatMap((r) => ROLE_SCOPES[r] ?? [])];
  if (c.scope === undefined) out.scope = allowed.join(' ');
  else {
    // v3.2+: a space-separated string.
    if (typeof c.scope !== 'string' || c.scope.trim() === '') throw metadataError('scope must be a space-separated string');
    const bad = c.scope.split(' ').find((s) => !SCOPES.includes(s) || (!allowed.includes(s) && !bugs.has('scope-roles-ignored')));
    if (bad !== undefined) throw metadataError(`scope ${JSON.stringify(bad)} is not supported or not allowed by the software roles`);
    out.scope = c.scope;
  }
  // OBIE data dictionary: application_type web or mobile.
  if (c.application_type !== undefined) {
    if (c.application_type !== 'web' && c.application_type !== 'mobile') throw metadataError('application_type must be web or mobile');
    out.application_type = c.application_type;
  }
  for (const k of ['id_token_signed_response_alg', 'request_object_signing_alg']) {
    if (c[k] === undefined) continue;
    if (!SIGNING_ALGS.includes(c[k] as string)) throw metadataError(`${k} must be PS256 or ES256 (FAPI 1 Advanced 8.6)`);
    out[k] = c[k];
  }
  if (c.jwks !== undefined && c.jwks_uri !== undefined) throw metadataError('jwks and jwks_uri must not both be given (RFC 7591 2)');
  if (c.jwks !== undefined) {
    if (!isJwks(c.jwks)) throw metadataError('jwks must be a JWK Set');
    out.jwks = c.jwks;
  }
  if (c.jwks_uri !== undefined) {
    if (typeof c.jwks_uri !== 'string' || !URL.canParse(c.jwks_uri) || new URL(c.jwks_uri).protocol !== 'https:') throw metadataError('jwks_uri must be an https URL');
    out.jwks_uri = c.jwks_uri;
  }
  for (const k of ['client_name', 'logo_uri', 'tos_uri', 'policy_uri']) if (typeof c[k] === 'string') out[k] = c[k];
  return out;
}

/** x5t#S256 (RFC 8705 3.1): the SHA-256 of the DER certificate, base64url. */
export const thumbprint = (der: Buffer) => createHash('sha256').update(der).digest('base64url');

// ---------------------------------------------------------------------------------------------
// The bank

interface Peer {
  dn: string;
  x5t: string;
  /** Chains to the CA the bank trusts. */
  trusted: boolean;
}

interface Client {
  clientId: string;
  issuedAt: number;
  metadata: Metadata;
  orgId: string;
  softwareStatement: string;
  jwksEndpoint: string;
  secret?: string;
}

interface AccessToken {
  clientId: string;
  /** x5t#S256 of the certificate it is bound to; undefined: not bound. */
  x5t?: string;
  expiresAt: number;
}

interface Answer {
  status: number;
  body?: Json | string;
  headers?: Record<string, string>;
}

const now = () => Math.floor(Date.now() / 1000);

function peerOf(req: IncomingMessage): Peer | undefined {
  const socket = req.socket as TLSSocket;
  const pc = socket.getPeerCertificate();
  if (!pc || !pc.raw) return undefined;
  const x509 = new X509Certificate(pc.raw);
  return { dn: x509.subject, x5t: thumbprint(pc.raw), trusted: socket.authorized };
}

function constantEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startStrictBank(opts: StrictBankOptions): Promise<StrictBank> {
  const bugs: Bugs = new Set(opts.bugs ?? []);
  const clients = new Map<string, Client>();
  const tokens = new Map<string, AccessToken>();
  const requestJtis = new Set<string>();
  const assertionJtis = new Set<string>();
  const deleted = new Set<string>();
  // The bank's own key: its jwks_uri, and the signed answers of the response-jws bug.
  const bankKey = await generateKeyPair('ES256', { extractable: true });
  const bankJwk: JWK = { ...(await exportJWK(bankKey.publicKey)), kid: 'strict-bank-1', alg: 'ES256', use: 'sig' };
  let base = '';

  const bearerChallenge = (): Record<string, string> => (bugs.has('no-www-authenticate') ? {} : { 'www-authenticate': 'Bearer realm="strict-bank", error="invalid_token"' });
  const invalidToken = (m: string) => new Refusal(401, 'invalid_token', m, bearerChallenge());
  const invalidClient = (m: string, basic = false) =>
    new Refusal(401, 'invalid_client', m, basic && !bugs.has('basic-no-challenge') ? { 'www-authenticate': 'Basic realm="strict-bank"' } : {});

  function clientJson(c: Client): Json {
    const j: Json = {
      client_id: c.clientId,
      client_id_issued_at: c.issuedAt,
      ...c.metadata,
      org_id: c.orgId,
      software_statement: c.softwareStatement,
      registration_client_uri: `${base}/register/${c.clientId}`,
      ...(c.secret ? { client_secret: c.secret, client_secret_expires_at: 0 } : {}),
    };
    if (bugs.has('response-no-software-id')) delete j.software_id;
    return j;
  }

  /** POST and PUT bodies: the same verification (RFC 7592 2.2: the PUT carries the whole registration request). */
  async function verifyRegistration(req: IncomingMessage, body: string, peer: Peer | undefined, put?: Client): Promise<{ metadata: Metadata; ssa: Json; claims: Json }> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/jose' && type !== 'application/jwt') throw metadataError('the body must be a signed JWT sent as application/jose (or application/jwt)');
    const jws = parseJws(body, metadataError);
    const t = now();
    const ssa = await verifySsa(jws.payload.software_statement, opts.directory, t, bugs);
    if (put && ssa.software_id !== put.metadata.software_id && !bugs.has('put-software-id-change')) throw new Refusal(400, 'unapproved_software_statement', 'the SSA is of another software than the client');
    const jwksEndpoint = ssa.software_jwks_endpoint as string;
    const jwks = opts.softwareJwks.get(jwksEndpoint) ?? (bugs.has('ssa-jwks-host-unchecked') ? await fetchLoopbackJwks(jwksEndpoint) : undefined);
    if (!jwks) throw ssaError(`the software JWKS at ${jwksEndpoint} cannot be fetched`);
    if (!(put && bugs.has('put-signature-unverified'))) await verifyRequestJws(jws, jwks, bugs);
    const claims = jws.payload;
    checkRequestClaims(claims, ssa.software_id as string, base, t, bugs);
    if (requestJtis.has(claims.jti as string) && !bugs.has('jti-replay')) throw metadataError('jti has been used before (replay)');
    requestJtis.add(claims.jti as string);
    if (put && claims.client_id !== put.clientId && !bugs.has('put-client-id-ignored')) throw metadataError('client_id must be the ClientId of the path (RFC 7592 2.2)');
    if (bugs.has('unknown-metadata-refused')) {
      const unknown = Object.keys(claims).find((k) => !KNOWN_CLAIMS.has(k));
      if (unknown) throw metadataError(`unknown metadata ${unknown}`);
    }
    const metadata = registrationMetadata(claims, { ssa, peerDn: peer?.dn, bugs, put: !!put });
    return { metadata, ssa, claims };
  }

  async function register(req: IncomingMessage, body: string, peer: Peer | undefined): Promise<Answer> {
    if (!peer && !bugs.has('register-no-cert')) throw invalidClient('POST /register needs a client certificate (OBIE GEN-04)');
    if (peer && !peer.trusted && !bugs.has('register-untrusted-ca')) throw invalidClient('the client certificate does not chain to a CA this bank trusts');
    const { metadata, ssa, claims } = await verifyRegistration(req, body, peer);
    const method = metadata.token_endpoint_auth_method;
    const client: Client = {
      clientId: randomUUID(),
      issuedAt: now(),
      metadata,
      orgId: ssa.org_id as string,
      softwareStatement: claims.software_statement as string,
      jwksEndpoint: ssa.software_jwks_endpoint as string,
      ...(method === 'client_secret_basic' ? { secret: randomBytes(bugs.has('secret-43') ? 32 : 27).toString('base64url') } : {}),
    };
    clients.set(client.clientId, client);
    if (bugs.has('response-jws')) {
      const jws = await new SignJWT(clientJson(client)).setProtectedHeader({ alg: 'ES256', kid: bankJwk.kid! }).sign(bankKey.privateKey as CryptoKey);
      return { status: 201, body: jws, headers: { 'content-type': 'application/jose' } };
    }
    return { status: 201, body: clientJson(client) };
  }

  /** RFC 7523 3: iss = sub = client_id, aud this server, exp, jti used once, signed by a key of the client's software JWKS. */
  async function verifyAssertion(assertion: string, client: Client): Promise<void> {
    let jws: Jws;
    try {
      jws = parseJws(assertion, (m) => invalidClient(m));
    } catch (e) {
      throw e instanceof Refusal ? e : invalidClient('malformed client assertion');
    }
    const { alg, kid } = jws.header;
    if (!(alg === 'none' && bugs.has('assertion-alg-none'))) {
      if (!SIGNING_ALGS.includes(alg as string)) throw invalidClient(`client assertion alg ${JSON.stringify(alg)} is not PS256 or ES256`);
      const jwks = opts.softwareJwks.get(client.jwksEndpoint)?.keys ?? [];
      // A client assertion may have no kid: then every key of the client's JWKS is tried.
      const candidates = kid === undefined ? jwks : jwks.filter((k) => k.kid === kid);
      let ok = false;
      for (const k of candidates) if (!ok) ok = await verifies(jws, keyObject(k), alg as string);
      if (!ok) throw invalidClient('the client assertion signature does not verify with the client\'s key');
    }
    const c = jws.payload;
    const t = now();
    if (c.iss !== client.clientId || (c.sub !== client.clientId && !bugs.has('assertion-sub-unchecked'))) throw invalidClient('client assertion iss and sub must be the client_id');
    const auds = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!bugs.has('assertion-aud-unchecked') && !auds.some((a) => a === `${base}/token` || a === base)) throw invalidClient('client assertion aud must be the token endpoint');
    if (!isInt(c.exp) || (c.exp <= t && !bugs.has('assertion-exp-unchecked'))) throw invalidClient('client assertion expired or without exp');
    if (typeof c.jti !== 'string' || c.jti === '') throw invalidClient('client assertion jti is required');
    if (assertionJtis.has(c.jti) && !bugs.has('assertion-replay')) throw invalidClient('client assertion replayed (jti used before)');
    assertionJtis.add(c.jti);
  }

  async function token(req: IncomingMessage, body: string, peer: Peer | undefined): Promise<Answer> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new Refusal(400, 'invalid_request', 'the token request must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') throw new Refusal(400, 'unsupported_grant_type', 'only client_credentials is supported here');
    const authorization = req.headers.authorization ?? '';
    let method: AuthMethod;
    let client: Client | undefined;
    if (/^Basic /i.test(authorization)) {
      method = 'client_secret_basic';
      // RFC 6749 2.3.1: client_id and secret form-encoded, then joined with ':' and base64.
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const at = decoded.indexOf(':');
      let id = '';
      let secret = '';
      try {
        id = decodeURIComponent(decoded.slice(0, Math.max(at, 0)).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(at + 1).replace(/\+/g, ' '));
      } catch {
        throw invalidClient('malformed Basic credentials', true);
      }
      client = clients.get(id);
      if (at < 0 || !client || client.metadata.token_endpoint_auth_method !== method) throw invalidClient('unknown client or another auth method', true);
      if (!bugs.has('secret-unchecked') && !constantEqual(secret, client.secret ?? '')) throw invalidClient('wrong client secret', true);
    } else if (form.has('client_assertion')) {
      method = 'private_key_jwt';
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw invalidClient('client_assertion_type must be jwt-bearer');
      client = clients.get(form.get('client_id') ?? '');
      if (!client || client.metadata.token_endpoint_auth_method !== method) throw invalidClient('unknown client or another auth method');
      await verifyAssertion(form.get('client_assertion') ?? '', client);
    } else {
      method = 'tls_client_auth';
      client = clients.get(form.get('client_id') ?? '');
      if (!client || client.metadata.token_endpoint_auth_method !== method) throw invalidClient('unknown client or another auth method');
    }
    // Every token is certificate-bound (FAPI 1 Advanced 5.2.2: "shall only issue sender-constrained access tokens"), so a trusted certificate is needed.
    if (!peer && !bugs.has('token-no-cert')) throw invalidClient('a client certificate is required');
    if (peer && !peer.trusted && !bugs.has('token-untrusted-cert')) throw invalidClient('the client certificate does not chain to a CA this bank trusts');
    if (method === 'tls_client_auth' && peer && !bugs.has('token-other-dn') && !dnMatches(client.metadata.tls_client_auth_subject_dn as string, peer.dn)) {
      throw invalidClient('the certificate subject DN is not the client\'s registered tls_client_auth_subject_dn (RFC 8705 2.1.2)');
    }
    if (!client.metadata.grant_types.includes('client_credentials')) throw new Refusal(400, 'unauthorized_client', 'the client is not registered for client_credentials');
    const unbound = bugs.has('token-unbound') || (method === 'private_key_jwt' && bugs.has('pkjwt-token-unbound')) || (method === 'client_secret_basic' && bugs.has('secret-token-unbound'));
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { clientId: client.clientId, ...(peer && !unbound ? { x5t: peer.x5t } : {}), expiresAt: now() + 3600 });
    return { status: 200, body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: client.metadata.scope } };
  }

  async function manage(req: IncomingMessage, id: string, body: string, peer: Peer | undefined): Promise<Answer> {
    const method = req.method ?? 'GET';
    if (!['GET', 'PUT', 'DELETE'].includes(method)) return { status: 405, body: { error: 'invalid_request', error_description: 'GET, PUT or DELETE' }, headers: { allow: 'GET, PUT, DELETE' } };
    if (bugs.has('deleted-client-404') && deleted.has(id)) return { status: 404, body: { error: 'not_found', error_description: 'the client was deleted' } };
    // RFC 6750 2.1 / 3.1: a Bearer token, known, not expired, and (RFC 8705 3) presented with the certificate it is bound to.
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '');
    if (!m) throw invalidToken('a Bearer access token is required');
    const presented = m[1]!;
    const t = tokens.get(presented);
    if (!t || t.expiresAt <= now()) throw invalidToken('the access token is unknown, revoked or expired');
    if (t.x5t !== undefined && (!peer || (peer.x5t !== t.x5t && !bugs.has('token-binding-any-cert')))) throw invalidToken('the access token is bound to another certificate (RFC 8705 3)');
    const client = clients.get(id) ?? lookalike(id, t.clientId);
    if (!client) {
      if (bugs.has('unknown-client-404')) return { status: 404, body: { error: 'not_found', error_description: 'no such client' } };
      // OBIE MGT-01: 401 and the presented token is revoked at once.
      tokens.delete(presented);
      throw invalidToken('unknown client; the access token is revoked');
    }
    const crossAllowed = (method === 'GET' && bugs.has('get-cross-client')) || (method === 'PUT' && bugs.has('put-cross-client')) || (method === 'DELETE' && bugs.has('delete-cross-client'));
    if (t.clientId !== client.clientId && !crossAllowed) return { status: 403, body: { error: 'access_denied', error_description: 'the access token was issued to another client (OBIE MGT-02)' } };
    if (method === 'GET') return { status: 200, body: clientJson(client) };
    if (method === 'DELETE') {
      clients.delete(client.clientId);
      deleted.add(client.clientId);
      if (!bugs.has('delete-keeps-tokens')) for (const [k, v] of tokens) if (v.clientId === client.clientId) tokens.delete(k);
      return { status: 204 };
    }
    const { metadata, ssa, claims } = await verifyRegistration(req, body, peer, client);
    const secret = metadata.token_endpoint_auth_method === 'client_secret_basic' ? (client.secret ?? randomBytes(27).toString('base64url')) : undefined;
    const { secret: _old, ...rest } = client;
    const updated: Client = { ...rest, metadata, orgId: ssa.org_id as string, softwareStatement: claims.software_statement as string, jwksEndpoint: ssa.software_jwks_endpoint as string, ...(secret ? { secret } : {}) };
    if (!bugs.has('put-stores-nothing')) clients.set(client.clientId, updated);
    return { status: 200, body: clientJson(updated) };
  }

  /** The wrong lookups some banks make when the path's ClientId is not a client's id (bug switches only). */
  function lookalike(id: string, tokenClient: string): Client | undefined {
    // The token's own client first, as a bank that resolves "the caller's client" by either identifier would.
    const all = [...clients.values()].sort((a, b) => Number(b.clientId === tokenClient) - Number(a.clientId === tokenClient));
    if (bugs.has('manage-by-software-id')) return all.find((c) => c.metadata.software_id === id);
    if (bugs.has('client-id-case-insensitive')) return all.find((c) => c.clientId.toLowerCase() === id.toLowerCase());
    if (bugs.has('client-id-prefix')) return all.find((c) => c.clientId.startsWith(id));
    return undefined;
  }

  const discovery = () => ({
    issuer: base,
    registration_endpoint: `${base}/register`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: SIGNING_ALGS,
    tls_client_certificate_bound_access_tokens: true,
    grant_types_supported: GRANT_TYPES,
    response_types_supported: RESPONSE_TYPES,
    scopes_supported: SCOPES,
    request_object_signing_alg_values_supported: SIGNING_ALGS,
    id_token_signing_alg_values_supported: SIGNING_ALGS,
  });

  async function route(req: IncomingMessage, body: string): Promise<Answer> {
    const path = new URL(req.url ?? '/', 'https://bank.invalid').pathname;
    const peer = peerOf(req);
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') return { status: 200, body: discovery() };
    if (req.method === 'GET' && path === '/jwks') return { status: 200, body: { keys: [bankJwk] } };
    if (path === '/register' && req.method === 'POST') return register(req, body, peer);
    if (path === '/token' && req.method === 'POST') return token(req, body, peer);
    const m = /^\/register\/([^/]+)$/.exec(path);
    if (m) return manage(req, decodeURIComponent(m[1]!), body, peer);
    return { status: 404, body: { error: 'not_found', error_description: `no ${req.method} ${path}` } };
  }

  function send(res: ServerResponse, a: Answer): void {
    const headers: Record<string, string> = { 'cache-control': 'no-store', ...a.headers };
    if (a.body === undefined) {
      res.writeHead(a.status, headers).end();
      return;
    }
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': 'application/json', ...headers }).end(text);
  }

  const server = https.createServer({ key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 256 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      if (size > 256 * 1024) return send(res, { status: 413, body: { error: 'invalid_request', error_description: 'body too large' } });
      route(req, Buffer.concat(chunks).toString('utf8'))
        .then((a) => send(res, a))
        .catch((e: unknown) => {
          if (e instanceof Refusal) return send(res, { status: e.status, body: { error: e.error, error_description: e.message.slice(0, 500) }, headers: e.headers });
          send(res, { status: 500, body: { error: 'server_error', error_description: (e as Error).message.slice(0, 500) } });
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
