import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { foreignKey, sharedKey, signingKeyFromJwk, OWN_KEY_ROLES, type SigningKey } from '../../fixtures/keys';
import { decodePayload } from '../../fixtures/registration';
import { selfSignedCert } from '../../fixtures/untrusted';
import type { Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';
import type { JwksHost } from '../jwks-host';
import { hostRowAlone, hostVerdict, viaHost } from './host';
import { evidenceOf, fail, pass, type Verdict } from '../rules/define';
import { refusalVerdict } from '../rules/refusal';
import { DD, FAPI, JWT, OB, RFC7591, q } from '../rules/quotes';
import { compactJws, flipSignature, publicKeyEncodings, stripSignature, type Signer } from './jws';
import { HS256_ENCODINGS, recase } from './register';
import type { SweepRow, SweepTable } from './table';

/**
 * The software statement, element by element: each row changes one element of an SSA the bank
 * accepted (its JOSE header, its signature, one claim) and registers with it, the registration
 * request itself valid and otherwise as in the control.
 *
 * Two controls: `register-ssa-control`, the base SSA as the target gives it (rows that forge from it
 * need no directory key: another signer, no signature); and `register-ssa-minted-control`, a fresh
 * SSA of the pack's own (signed with the directory key when the pack holds it, else minted by the
 * mock directory endpoint), which rows changing a claim or a header re-sign.
 */
export interface SsaRequest {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** `directory`: the directory's own signature (its key; without it, its mint endpoint; without that, the SSA as given). Else the row's forger. */
  signer: Signer | 'directory';
  /** A last change to the compact JWS (the signature stripped or flipped). */
  finish?: (jws: string) => string;
  /** For a row naming the pack's own host: the SSA, given the host (a document put on it first). */
  onHost?: (host: JwksHost) => SsaRequest | Promise<SsaRequest>;
  /** The control's claims and header as built: what a mint endpoint is asked to change, when the pack has no key. */
  readonly base: { readonly header: Readonly<Record<string, unknown>>; readonly claims: Readonly<Record<string, unknown>>; /** The compact SSA they are the parts of, when the control sends it as is (the base SSA). */ readonly jws?: string };
}

export const SSA_CONTROL = 'register-ssa-control';
export const SSA_MINTED_CONTROL = 'register-ssa-minted-control';
const SSA_ERRORS = ['invalid_software_statement', 'unapproved_software_statement'];
const ISSUER_ERRORS = ['unapproved_software_statement', 'invalid_software_statement'];
const OTHER_ISSUER = 'Untrusted Conformance Directory';
const HOURS = 3600;
const now = () => Math.floor(Date.now() / 1000);
const decodeHeader = (jws: string): Record<string, unknown> => JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const publicJwk = (k: SigningKey): JWK => ({ ...k.publicJwk, kid: k.kid, alg: k.alg });

/**
 * Needs: a fresh directory signature (the key or the mint endpoint), or the directory key itself. A row
 * whose change a mint endpoint does not make (it puts iss, software_id and software_jwks_endpoint back,
 * and takes only integer times) needs the key; ssaJws refuses to send an SSA missing its change.
 */
const MINT_SKIP = 'the target gives a fixed SSA: re-signing it with one claim changed needs a directory signing key or the mock directory endpoint';
const KEY_SKIP = 'the pack does not hold the directory signing key (directory local-key, or directoryKey beside a mock directory endpoint)';
const minted = (s: Session) => (s.directory.withKey || s.directory.mint ? undefined : MINT_SKIP);
const keyed = (s: Session) => (s.directory.withKey ? undefined : KEY_SKIP);

/** The control's SSA, element by element: the base SSA's header and claims; fresh iat, exp and jti when the pack signs it itself. */
function controlSsa(s: Session, fresh: boolean): SsaRequest {
  const header = decodeHeader(s.ssa);
  let claims = decodePayload(s.ssa);
  if (fresh && s.directory.withKey) {
    const t = now();
    claims = { ...claims, iat: t, exp: t + HOURS, jti: randomUUID() };
  }
  return { header, claims, signer: 'directory', base: { header, claims, ...(fresh ? {} : { jws: s.ssa }) } };
}

/** The claims that differ from the control's, null for a removed one: what the mock directory's mint is asked for. */
function changes(base: Readonly<Record<string, unknown>>, claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(base), ...Object.keys(claims)])) {
    if (!(k in claims)) out[k] = null;
    else if (JSON.stringify(base[k]) !== JSON.stringify(claims[k])) out[k] = claims[k];
  }
  return out;
}

/** The compact SSA of a request: forged as the row says, or signed by the directory (its key, its mint endpoint, or as given). */
export async function ssaJws(s: Session, req: SsaRequest): Promise<string> {
  const finish = req.finish ?? ((j: string) => j);
  if (req.signer !== 'directory') return finish(compactJws(req.header, req.claims, req.signer));
  const sameHeader = JSON.stringify(req.header) === JSON.stringify(req.base.header);
  const overrides = changes(req.base.claims, req.claims);
  const unchanged = sameHeader && Object.keys(overrides).length === 0;
  // The base SSA unchanged (its signature stripped or flipped at most): its very bytes.
  if (unchanged && req.base.jws) return finish(req.base.jws);
  const key = await s.directory.withKey?.key();
  if (key) return finish(compactJws(req.header, req.claims, { key }));
  if (!sameHeader) throw new Error(KEY_SKIP);
  if (unchanged) return finish(s.ssa);
  if (!s.directory.mint) throw new Error(MINT_SKIP);
  const minted = await s.directory.mint(overrides);
  // A mint endpoint sets some claims itself: a row whose change it did not make is not sent (it would judge another SSA).
  const got = decodePayload(minted);
  const missed = Object.entries(overrides).find(([k, v]) => (v === null ? k in got : JSON.stringify(got[k]) !== JSON.stringify(v)));
  if (missed) throw new Error(`the directory's mint endpoint did not make the change (${missed[0]} ${missed[1] === null ? 'removed' : `= ${JSON.stringify(missed[1])}`}): it needs the directory signing key`);
  return finish(minted);
}

/** Registers with this SSA: the session's valid request around it, signed by the software key. */
export async function sendSsa(s: Session, name: string, req: SsaRequest, sent: Record<string, unknown> = {}): Promise<Recorded> {
  const ssa = await ssaJws(s, req);
  const claims = s.claims({}, { ssa });
  return s.post(name, await s.sign(claims), { sent: { ssa, claims, ...sent } });
}

type Row = SweepRow<SsaRequest>;
type Meta = Omit<Row, 'mutate' | 'element' | 'change'>;

/** A row forging from the base SSA: no directory key needed. */
const forged = (element: string, change: string, mutate: Row['mutate'], meta: Meta): Row => ({ control: SSA_CONTROL, ...meta, element, change, mutate });

/** A row changing claims of a fresh SSA, re-signed by the directory (undefined deletes a claim). */
const claim = (element: string, change: string, overrides: (s: Session, req: SsaRequest) => Record<string, unknown>, meta: Meta): Row => ({
  control: SSA_MINTED_CONTROL,
  skipIf: minted,
  ...meta,
  element,
  change,
  mutate: (req, s) => {
    const claims = { ...req.claims };
    for (const [k, v] of Object.entries(overrides(s, req))) {
      if (v === undefined) delete claims[k];
      else claims[k] = v;
    }
    return { ...req, claims };
  },
});

/** A row that needs the directory key itself (a header change under its signature, its public key as an HMAC secret). */
const withKey = (element: string, change: string, mutate: Row['mutate'], meta: Meta): Row => ({ control: SSA_MINTED_CONTROL, skipIf: keyed, ...meta, element, change, mutate });

const directoryKty = (s: Session) => (s.target.directory.mode === 'given' || s.target.directory.mode === 'none' ? undefined : s.target.directory.key?.kty);
const directoryPublicJwk = async (s: Session) => (await s.directory.withKey!.key()).publicJwk as Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// The pack's own host: a key set the directory never vouched for

/** The software JWKS the bank would need, under the software kids: the right keys, on the wrong host. */
const softwareJwks = (s: Session) => ({ keys: [s.key, ...(s.rsKey.kid !== s.key.kid ? [s.rsKey] : [])].map(publicJwk) });

// ---------------------------------------------------------------------------------------------
// The rows

/** The JOSE header and the signature of the SSA. Ids of rows that were hand-written checks are kept. */
const joseRows: Row[] = [
  forged('header.alg', 'none', (req) => ({ ...req, header: { ...req.header, alg: 'none' }, signer: { none: true } }), {
    id: 'SSA-ALG-NONE', exchange: 'register-ssa-none', title: 'An unsigned SSA (alg none) is refused', rules: ['SSA-ALG', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC8725-3.1'], errors: SSA_ERRORS, tags: ['ssa', 'fork', 'GEN-06'],
  }),
  forged('header.alg', 'HS256 with a random secret', (req) => ({ ...req, header: { ...req.header, alg: 'HS256' }, signer: { hmac: new TextEncoder().encode(randomUUID()) } }), {
    id: 'SSA-ALG-HS256', exchange: 'register-ssa-hs256', title: 'An HS256 SSA is refused', rules: ['SSA-ALG', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC8725-3.1'], errors: SSA_ERRORS, tags: ['ssa', 'gap'],
  }),
  withKey('header.alg', 'PS256 spelt ps256', (req) => ({ ...req, header: { ...req.header, alg: String(req.header.alg).toLowerCase() } }), {
    id: 'SSA-ALG-CASE', title: 'An SSA whose alg is the directory algorithm in lower case (ps256), signed by the directory key, is refused: alg is case-sensitive', rules: ['SSA-ALG', 'SSA-SIGNATURE'], spec: ['RFC7515-4.1', 'OBDCR-SSA'], errors: SSA_ERRORS, tags: ['ssa', 'near-miss'],
    quotes: [q('RFC7515-4.1', 'The "alg" value is a case-sensitive ASCII string containing a StringOrURI value.'), JWT.algSet],
  }),
  forged('header.kid', 'absent, signed by a foreign key', async (req) => {
    const { kid: _kid, ...header } = req.header;
    return { ...req, header: { ...header, alg: 'PS256' }, signer: { key: await foreignKey('PS256') } };
  }, {
    id: 'SSA-KID-ABSENT', title: 'An SSA without a kid, signed by a key the directory JWKS does not hold, is refused', rules: ['SSA-KID', 'SSA-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7591-2.3'], errors: SSA_ERRORS, tags: ['ssa', 'near-miss'],
    quotes: [q('OBDCR-GEN', OB.jwks.text, 'without a kid the statement must still verify with a key of the directory JWKS: a foreign key is none of them'), RFC7591.ssaSigned],
  }),
  forged('header.kid', 'unknown, signed by its own foreign key', async (req) => {
    const k = await foreignKey('PS256');
    return { ...req, header: { ...req.header, alg: 'PS256', kid: k.kid }, signer: { key: k } };
  }, { id: 'SSA-UNKNOWN-KID', exchange: 'register-ssa-unknown-kid', title: 'An SSA whose kid is not in the directory JWKS is refused', rules: ['SSA-KID', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA'], errors: SSA_ERRORS, tags: ['ssa', 'gap'] }),
  // Near misses with the directory's real key: under a kid its JWKS does not hold.
  withKey('header.kid', 'unknown, the real directory key', (req) => ({ ...req, header: { ...req.header, kid: `${String(req.header.kid ?? 'kid')}-unknown` } }), {
    id: 'SSA-REAL-KEY-UNKNOWN-KID', exchange: 'register-ssa-real-key-unknown-kid', title: 'An SSA signed by the real directory key under a kid its JWKS does not hold is refused', rules: ['SSA-KID', 'SSA-SIGNATURE'], spec: ['OBDCR-SSA', 'RFC7515-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'near-miss'], severity: 'SHOULD',
  }),
  forged('signature.key', 'a foreign key under the directory kid', async (req) => ({ ...req, header: { ...req.header, alg: 'PS256' }, signer: { key: await foreignKey('PS256') } }), {
    id: 'SSA-WRONG-KEY', exchange: 'register-ssa-foreign-key', title: 'An SSA re-signed with a foreign key under the directory kid is refused', rules: ['SSA-SIGNATURE'], spec: ['OBDCR-SSA'], errors: SSA_ERRORS, tags: ['ssa', 'fork', 'REQ-07'],
  }),
  forged('signature', 'stripped (alg unchanged)', (req) => ({ ...req, finish: stripSignature }), {
    id: 'SSA-SIGNATURE-STRIPPED', title: 'An SSA with its signature removed (the header still naming the algorithm) is refused', rules: ['SSA-SIGNATURE'], spec: ['RFC7591-2.3', 'RFC8725-3.1'], errors: SSA_ERRORS, tags: ['ssa', 'near-miss'],
    quotes: [RFC7591.ssaSigned, JWT.algSet],
  }),
  forged('signature', 'one bit flipped', (req) => ({ ...req, finish: flipSignature }), {
    id: 'SSA-SIGNATURE-ALTERED', title: 'An SSA whose signature has one bit flipped is refused', rules: ['SSA-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7591-2.3'], errors: SSA_ERRORS, tags: ['ssa', 'near-miss'],
    quotes: [q('OBDCR-GEN', OB.jwks.text, 'a signature that does not verify with the directory key proves nothing'), RFC7591.ssaSigned],
  }),
  // Keys the statement brings itself (jwk header, x5c certificate, jku URL), under the directory's kid: never trusted.
  forged('header.jwk', 'its own key, signed by it', async (req) => {
    const own = await sharedKey(OWN_KEY_ROLES.jwkHeader);
    return { ...req, header: { ...req.header, alg: 'PS256', jwk: publicJwk({ ...own, kid: String(req.header.kid) }) }, signer: { key: own } };
  }, {
    id: 'SSA-EMBEDDED-JWK', title: 'An SSA signed by a key carried in its own jwk header (not in the directory JWKS) is refused', rules: ['SSA-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'GEN-07', 'near-miss'],
    quotes: [q('OBDCR-GEN', OB.noEmbeddedKey.text, 'a "jwk" header embeds the public key in the statement as x5c does'), JWT.jwk],
  }),
  forged('header.x5c', 'a self-signed certificate, signed by its key', async (req) => {
    const self = await selfSignedCert('Conformance Self-Signed Directory', OWN_KEY_ROLES.x5c);
    const key = await signingKeyFromJwk({ ...(createPrivateKey(self.key).export({ format: 'jwk' }) as JWK), alg: 'PS256', kid: String(req.header.kid) });
    return { ...req, header: { ...req.header, alg: 'PS256', x5c: [new X509Certificate(self.cert).raw.toString('base64')] }, signer: { key } };
  }, {
    id: 'SSA-EMBEDDED-X5C', title: 'An SSA signed by the key of a self-signed certificate in its own x5c header is refused', rules: ['SSA-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'GEN-07', 'near-miss'],
    quotes: [OB.noEmbeddedKey, JWT.x5c],
  }),
  {
    ...forged('header.jku', "a key set on the pack's own host, signed by its key", async (req) => {
      const key = await foreignKey('PS256');
      const own = { ...key, kid: String(req.header.kid) };
      return { ...req, onHost: (host) => ({ ...req, header: { ...req.header, alg: 'PS256', jku: host.serve(`/${randomUUID()}/jku.json`, { keys: [publicJwk(own)] }) }, signer: { key: own } }) };
    }, {
      alone: hostRowAlone,
      id: 'SSA-JKU', title: "An SSA naming a key set of its own (jku on the pack's host), signed by a key of it under the directory kid, is refused without fetching it", rules: ['SSA-SIGNATURE'], spec: ['OBDCR-GEN', 'RFC7515-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'GEN-07', 'near-miss', 'host'],
      quotes: [q('OBDCR-GEN', 'The URL for the JWKS must not be embedded in the payload itself (e.g. by using x5u claim in the JOSE header)', 'a jku header embeds the URL of a key set in the statement as x5u does'), OB.jwksAgreed],
    }),
    check: hostVerdict('the SSA jku header', SSA_ERRORS),
  },
];

/** The SSA's claims. */
const claimRows: Row[] = [
  forged('claim.iss', 'another issuer, signed by a foreign key', async (req) => {
    const k = await foreignKey('PS256');
    return { ...req, header: { ...req.header, alg: 'PS256', kid: k.kid }, claims: { ...req.claims, iss: OTHER_ISSUER }, signer: { key: k } };
  }, { id: 'SSA-UNTRUSTED-ISSUER', exchange: 'register-ssa-untrusted-issuer', title: 'An SSA from an untrusted issuer is refused', rules: ['SSA-ISSUER'], spec: ['OBDCR-GEN', 'OBDCR-SSA'], errors: ISSUER_ERRORS, tags: ['ssa', 'GEN-06'] }),
  // Near miss: the directory's real key, another issuer name. A bank that verifies the signature but never compares iss accepts it.
  claim('claim.iss', 'another issuer', () => ({ iss: OTHER_ISSUER }), {
    id: 'SSA-OTHER-ISS-REAL-KEY', exchange: 'register-ssa-other-iss-real-key', title: 'An SSA signed by the trusted directory key but naming another issuer (iss) is refused', rules: ['SSA-ISSUER'], spec: ['OBDCR-SSA', 'OBDCR-GEN', 'RFC7591-2.3'], errors: ISSUER_ERRORS, tags: ['ssa', 'GEN-06', 'near-miss'],
  }),
  claim('claim.iss', 'absent', () => ({ iss: undefined }), {
    id: 'SSA-ISS-MISSING', skipIf: keyed, title: 'An SSA without iss, signed by the directory key, is refused', rules: ['SSA-ISSUER'], spec: ['RFC7591-2.3', 'OBDCR-SSA'], errors: ISSUER_ERRORS, tags: ['ssa', 'GEN-06'],
    quotes: [RFC7591.ssaIss, OB.trusted],
  }),
  claim('claim.iss', 'the issuer re-cased', (_s, req) => ({ iss: recase(String(req.claims.iss ?? '')) }), {
    id: 'SSA-ISS-CASE', skipIf: keyed, title: 'An SSA naming the trusted issuer with its case changed is refused: no case-insensitive matching', rules: ['SSA-ISSUER'], spec: ['RFC7519-4.1', 'OBDCR-SSA'], errors: ISSUER_ERRORS, tags: ['ssa', 'GEN-06', 'near-miss'],
    quotes: [q('RFC7519-4.1', 'The "iss" value is a case-sensitive string containing a StringOrURI value.', 'another case names another issuer'), OB.trusted],
  }),
  claim('claim.exp', 'in the past', () => ({ iat: now() - 2 * HOURS, exp: now() - HOURS }), { id: 'SSA-EXPIRED', exchange: 'register-ssa-expired', title: 'An expired SSA is refused', rules: ['SSA-EXP'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'gap', 'REQ-07'] }),
  claim('claim.exp', 'a numeric string', (_s, req) => ({ exp: String(req.claims.exp ?? now() + HOURS) }), {
    id: 'SSA-EXP-STRING', skipIf: keyed, title: 'An SSA whose exp is a string of digits, not a number, is refused', rules: ['SSA-EXP'], spec: ['RFC7519-4.1', 'OBDCR-SSA'], errors: SSA_ERRORS, tags: ['ssa', 'REQ-07', 'type'],
    quotes: [q('RFC7519-4.1', 'Its value MUST be a number containing a NumericDate value.', 'of "exp": a string is not a NumericDate'), JWT.exp],
  }),
  claim('claim.iat', 'an hour in the future', () => ({ iat: now() + HOURS, exp: now() + 2 * HOURS }), { id: 'SSA-NOT-YET-VALID', exchange: 'register-ssa-future', title: 'An SSA issued in the future is refused', rules: ['SSA-IAT'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'gap', 'REQ-07'], severity: 'SHOULD' }),
  claim('claim.nbf', 'an hour in the future', () => ({ nbf: now() + HOURS }), { id: 'SSA-NBF-FUTURE', exchange: 'register-ssa-nbf', title: 'An SSA with nbf in the future is refused', rules: ['SSA-IAT'], spec: ['OBDCR-SSA', 'RFC7519-4.1'], errors: SSA_ERRORS, tags: ['ssa', 'gap', 'REQ-07'] }),
  claim('claim.software_id', 'absent', () => ({ software_id: undefined }), {
    id: 'SSA-SOFTWARE-ID-MISSING', skipIf: keyed, title: 'An SSA without software_id is refused (the request names one, which it cannot match)', rules: ['SSA-CLAIMS', 'REQ-ISS', 'REQ-SOFTWARE-ID'], spec: ['OBDCR-REQ', 'OBDCR-SSA'], errors: [...SSA_ERRORS, 'invalid_client_metadata'], tags: ['ssa', 'REQ-14'],
    quotes: [q('OBDCR-REQ', DD.softwareId.text, 'the request names its software_id; an SSA without one has none for it to match'), DD.issSoftwareId],
  }),
  claim('claim.software_id', 'another software (not the request\'s)', (s) => ({ software_id: `${s.target.softwareId.slice(0, -1)}${s.target.softwareId.endsWith('Z') ? 'Y' : 'Z'}` }), {
    id: 'SSA-SOFTWARE-ID-OTHER', title: 'An SSA of another software_id than the request\'s iss and software_id is refused', rules: ['REQ-ISS', 'REQ-SOFTWARE-ID'], spec: ['OBDCR-REQ', 'OBDCR-SSA'], errors: ['invalid_client_metadata', ...SSA_ERRORS], tags: ['ssa', 'REQ-14', 'REQ-02'],
    quotes: [DD.softwareId, DD.issSoftwareId],
  }),
  claim('claim.software_redirect_uris', 'another URI only (not the request\'s)', () => ({ software_redirect_uris: ['https://tpp.example.com/not-the-requested-uri'] }), {
    id: 'SSA-REDIRECT-URIS-OTHER', title: 'An SSA whose software_redirect_uris do not hold the requested redirect_uri is refused with invalid_redirect_uri', rules: ['REQ-REDIRECT-SUBSET'], spec: ['OBDCR-REQ', 'RFC7591-3.2.2'], errors: ['invalid_redirect_uri', 'invalid_client_metadata'], tags: ['ssa', 'redirect', 'REQ-08'],
    quotes: [DD.redirectSubset, RFC7591.invalidRedirect],
  }),
  claim('claim.software_jwks_endpoint', 'absent', () => ({ software_jwks_endpoint: undefined }), { id: 'SSA-CLAIMS-MISSING', skipIf: keyed, exchange: 'register-ssa-no-jwks-endpoint', title: 'An SSA without software_jwks_endpoint is refused', rules: ['SSA-CLAIMS', 'JWS-SIGNATURE'], spec: ['OBDCR-SSA'], errors: SSA_ERRORS, tags: ['ssa'] }),
  claim('claim.software_jwks_endpoint', 'a host no bank can reach', () => ({ software_jwks_endpoint: 'https://attacker.example.com/jwks' }), {
    id: 'SSA-JWKS-UNTRUSTED-HOST', exchange: 'register-ssa-foreign-jwks', title: 'An SSA naming a software_jwks_endpoint outside the directory is refused', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-SSA'], errors: [...SSA_ERRORS, 'invalid_client_metadata'], tags: ['ssa'],
  }),
  claim('claim.software_jwks_endpoint', 'http, not https', (_s, req) => ({ software_jwks_endpoint: String(req.claims.software_jwks_endpoint ?? '').replace(/^https:/, 'http:') }), {
    id: 'SSA-JWKS-HTTP', title: 'An SSA whose software_jwks_endpoint is the directory\'s over http, not https, is refused', rules: ['JWS-SIGNATURE'], spec: ['OBDCR-GEN'], errors: [...SSA_ERRORS, 'invalid_client_metadata'], tags: ['ssa', 'transport'],
    skipIf: (s) => minted(s) ?? (String(decodePayload(s.ssa).software_jwks_endpoint ?? '').startsWith('https:') ? undefined : 'the base SSA names no https software_jwks_endpoint to change'),
    quotes: [q('OBDCR-GEN', 'The JWKS must be secured over TLS using TLS 1.2 and the FAPI approved set of ciphers as defined in https://openid.net/specs/openid-financial-api-part-2.html#tls-considerations.')],
  }),
  // Item 4 of issue 20: the right software JWKS, on a host of the pack's own. Only a bank that fetches whatever the SSA names can tell it from the directory's.
  {
    ...withKey('claim.software_jwks_endpoint', "the right JWKS on the pack's own host", (req, s) => ({
      ...req,
      onHost: (host) => ({ ...req, claims: { ...req.claims, software_jwks_endpoint: host.serve(`/${randomUUID()}/software.jwks`, softwareJwks(s)) } }),
    }), {
      alone: hostRowAlone,
      id: 'SSA-JWKS-OTHER-HOST', title: "An SSA naming a software_jwks_endpoint on the pack's own host (serving the right software JWKS) is refused without fetching it", rules: ['JWS-SIGNATURE'], spec: ['OBDCR-GEN', 'OBDCR-SSA'], errors: [...SSA_ERRORS, 'invalid_client_metadata'], tags: ['ssa', 'host', 'near-miss'],
      quotes: [q('OBDCR-GEN', OB.jwksAgreed.text, "a host of the pack's own is no JWKS the directory agreed with anyone, however right the keys it serves"), OB.jwks],
    }),
    check: hostVerdict('the SSA software_jwks_endpoint', SSA_ERRORS),
  },
];

/** Sends a row: through the pack's host when the row names it, else as is. */
async function send(s: Session, name: string, req: SsaRequest): Promise<Recorded> {
  return req.onHost ? viaHost(s, name, req.onHost, (r) => sendSsa(s, name, r)) : sendSsa(s, name, req);
}

// RFC 8725 2.1 / 3.1: algorithm confusion on the SSA. HS256 keyed with the directory's public key, in each encoding a bank may hold it.
const confusionRows: Row[] = HS256_ENCODINGS.map(([jwsId, name, what], i): Row =>
  withKey('header.alg', `HS256 keyed with ${what}`, async (req, s) => {
    const secret = publicKeyEncodings(await directoryPublicJwk(s)).find((e) => e.name === name)?.bytes;
    if (!secret) throw new Error(`the directory key has no ${name} encoding`);
    return { ...req, header: { ...req.header, alg: 'HS256' }, signer: { hmac: secret } };
  }, {
    id: jwsId.replace(/^JWS-/, 'SSA-'),
    ...(i === 0 ? { exchange: 'register-ssa-hs256-public-key' } : {}),
    title: `An SSA signed HS256 with ${what} of the directory public key as the secret is refused (algorithm confusion)`,
    rules: ['SSA-ALG', 'SSA-SIGNATURE'],
    spec: ['OBDCR-SSA', 'RFC8725-3.1'],
    errors: SSA_ERRORS,
    tags: ['ssa', 'near-miss', 'alg-confusion'],
    ...(i === 0 ? {} : { quotes: [JWT.oneAlgPerKey, FAPI.psOrEs] }),
    ...(name.startsWith('pkcs1') ? { skipIf: (s: Session) => keyed(s) ?? (directoryKty(s) === 'RSA' ? undefined : `the directory key is ${String(directoryKty(s))}: PKCS#1 encodes RSA keys only`) } : {}),
  }),
);

/** POST /register with a changed software statement: each element of the accepted SSA, changed one at a time. */
export const ssaSweep: SweepTable<SsaRequest> = {
  exchange: 'POST /register (software statement)',
  kind: 'ssa',
  control: SSA_CONTROL,
  controls: [SSA_MINTED_CONTROL],
  tags: ['registration'],
  // Each row a registration of its own; the two naming the pack's host are sent alone (their verdict reads what reached it meanwhile).
  concurrent: true,
  build: async (s, _prior, row) => controlSsa(s, row.control === SSA_MINTED_CONTROL),
  send,
  refused: (r, row) => refusalVerdict(r, row.errors ?? SSA_ERRORS, row.statuses, row.substitutes),
  accepted: (r) =>
    r.status >= 200 && r.status < 300 && r.clientId
      ? pass(evidenceOf(r), 'accepted, as the spec allows')
      : fail(`the spec lets this SSA through, but the bank answered ${summarize(r)}`, evidenceOf(r, { expected: '201 with a client_id' })),
  rows: [...joseRows, ...confusionRows, ...claimRows],
};

/** The controls: the base SSA as given, and a fresh SSA of the pack's own (no change). */
export const ssaControls = {
  base: (s: Session) => sendSsa(s, SSA_CONTROL, controlSsa(s, false)),
  minted: (s: Session) => sendSsa(s, SSA_MINTED_CONTROL, controlSsa(s, true)),
  mintSkip: minted,
};
