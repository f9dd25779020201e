/**
 * A small, independent Open Finance Brasil authorization server (DCR 1.0 implementers draft 3,
 * "Open Finance Brasil OpenID Connect Registration Provisions", RFC 7591 / 7592), written from the
 * specification text and nothing of the mock bank: its own JSON handling, PS256 verification with
 * node:crypto, its own DER reader and RFC 4514 / RFC 4517 code. For proving the pack's obf checks:
 * the correct bank must pass them all, and each `Bug` switches one rule to a realistic wrong
 * implementation that exactly its checks must catch. HTTPS on 127.0.0.1 only, mutual TLS requested
 * (and required where the spec says), bodies bounded, state in memory.
 */
import https from 'node:https';
import { createPublicKey, randomBytes, randomUUID, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PemPair } from '../../../common/certs';
import { listenLocal, readBody, Refusal, type LocalServer } from './local-https';

export const OBF_BANK_BUGS = [
  // discovery and the registration answer
  'no-mtls-alias', 'register-200',
  // the software statement (items 2, 3)
  'ssa-optional', 'ssa-signature-unchecked', 'iat-unchecked', 'iat-one-minute',
  // keys, redirect URIs, scopes, precedence (items 4, 5, 6, 9, 10; server defaults)
  'jwks-accepted', 'jwks-uri-unchecked', 'jwks-uri-required', 'redirect-unchecked', 'redirect-optional', 'scope-unchecked', 'scope-default-openid', 'request-precedence',
  // the certificate and the subject DN (items 1, 12, 13, 15; DN parsing)
  'no-mtls', 'uid-unchecked', 'dn-exact-string', 'dn-any-descriptor', 'dn-unordered', 'dn-unchecked', 'san-accepted',
  // management (RFC 7592; POST /register 6, maintenance 2, 3)
  'mgmt-no-mtls', 'get-text-plain', 'rat-unchecked', 'old-rat-kept', 'put-stores-nothing', 'delete-200', 'delete-keeps-client',
] as const;
export type ObfBankBug = (typeof OBF_BANK_BUGS)[number];

export interface ObfBankOptions {
  /** The server certificate (for 127.0.0.1) and the CA whose client certificates are trusted. */
  tls: PemPair;
  clientCa: string;
  /** The directory whose statements are accepted: its iss and public signing keys. */
  directory: { issuer: string; keys: JsonWebKey[] };
  bugs?: readonly ObfBankBug[];
}

export type ObfBank = LocalServer;

type Json = Record<string, unknown>;
const bad = (code: string, why: string) => new Refusal(400, code, why);

/** The scopes of each regulatory role ("Regulatory Roles for OpenID and OAuth 2.0 Mappings"). */
const ROLE_SCOPES: Record<string, string[]> = {
  DADOS: 'openid accounts credit-cards-accounts consents customers invoice-financings financings loans unarranged-accounts-overdraft resources'.split(' '),
  PAGTO: ['openid', 'payments'],
  CONTA: ['openid'],
  CCORR: ['openid'],
};

// --- DER and distinguished names --------------------------------------------------------

interface Tlv { tag: number; body: Buffer; whole: Buffer }
/** The TLVs one after another in `buf`. */
function* tlvs(buf: Buffer): Generator<Tlv> {
  let i = 0;
  while (i < buf.length) {
    const tag = buf[i]!;
    let len = buf[i + 1]!;
    let head = 2;
    if (len > 0x7f) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = (len << 8) | buf[i + 2 + k]!;
      head += n;
    }
    yield { tag, body: buf.subarray(i + head, i + head + len), whole: buf.subarray(i, i + head + len) };
    i += head + len;
  }
}
const first = (buf: Buffer) => tlvs(buf).next().value as Tlv;

function oidText(b: Buffer): string {
  const out = [Math.floor(b[0]! / 40), b[0]! % 40];
  let acc = 0;
  for (const byte of b.subarray(1)) {
    acc = acc * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      out.push(acc);
      acc = 0;
    }
  }
  return out.join('.');
}

/** One attribute of a name: its OID and value (text for string types, else the encoding's hex). */
interface Ava { oid: string; value: string; text: boolean; hex: string }
const TEXT_TAGS = [0x0c, 0x13, 0x16, 0x14, 0x12, 0x1a];
const avaOf = (oid: string, v: Tlv): Ava => (TEXT_TAGS.includes(v.tag) ? { oid, value: v.body.toString(v.tag === 0x14 ? 'latin1' : 'utf8'), text: true, hex: v.whole.toString('hex') } : { oid, value: v.whole.toString('hex'), text: false, hex: v.whole.toString('hex') });

/** The subject of a DER certificate, RDN by RDN, in the certificate's order. */
function subjectOf(der: Buffer): Ava[][] {
  const tbs = [...tlvs(first(first(der).body).body)];
  const fields = tbs[0]!.tag === 0xa0 ? tbs.slice(1) : tbs;
  const subject = fields[4]!; // serialNumber, signature, issuer, validity, subject
  return [...tlvs(subject.body)].map((set) => [...tlvs(set.body)].map((seq) => {
    const [oid, value] = [...tlvs(seq.body)];
    return avaOf(oidText(oid!.body), value!);
  }));
}

/** The descriptors RFC 4514 clause 3 lists (the only names OBF accepts in string format). */
const DESCRIPTORS: Record<string, string> = { CN: '2.5.4.3', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6', STREET: '2.5.4.9', DC: '0.9.2342.19200300.100.1.25', UID: '0.9.2342.19200300.100.1.1' };
/** What a lenient parser also takes (the bug dn-any-descriptor): OpenSSL's names of the OBF OIDs. */
const LENIENT: Record<string, string> = { ORGANIZATIONIDENTIFIER: '2.5.4.97', SERIALNUMBER: '2.5.4.5', BUSINESSCATEGORY: '2.5.4.15', JURISDICTIONC: '1.3.6.1.4.1.311.60.2.1.3', JURISDICTIONCOUNTRYNAME: '1.3.6.1.4.1.311.60.2.1.3' };

/** Splits at separators not escaped by a backslash. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i]! + s[i + 1]!;
      i++;
    } else if (s[i] === sep) {
      parts.push(cur);
      cur = '';
    } else cur += s[i];
  }
  parts.push(cur);
  return parts;
}

function unescapeValue(v: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9a-f]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(v[i + 1] ?? '', 'utf8'));
        i++;
      }
    } else bytes.push(...Buffer.from(v[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A tls_client_auth_subject_dn in the strict form of "Certificate Distinguished Name Parsing". Throws on anything else. */
function parseSubjectDn(dn: string, lenient: boolean): Ava[][] {
  return splitUnescaped(dn, ',').map((rdn) => splitUnescaped(rdn, '+').map((ava) => {
    const eq = ava.indexOf('=');
    if (eq <= 0) throw bad('invalid_client_metadata', 'tls_client_auth_subject_dn: an attribute without "="');
    const type = ava.slice(0, eq);
    const value = ava.slice(eq + 1);
    if (/^[0-9]+(\.[0-9]+)+$/.test(type)) {
      if (!/^#([0-9a-f]{2})+$/i.test(value)) throw bad('invalid_client_metadata', `tls_client_auth_subject_dn: ${type} must carry its ASN.1 value as #hex`);
      return avaOf(type, first(Buffer.from(value.slice(1), 'hex')));
    }
    const oid = DESCRIPTORS[type.toUpperCase()] ?? (lenient ? LENIENT[type.toUpperCase()] : undefined);
    if (!oid) throw bad('invalid_client_metadata', `tls_client_auth_subject_dn: "${type}" is not an RFC 4514 descriptor`);
    if (value.startsWith('#')) return avaOf(oid, first(Buffer.from(value.slice(1), 'hex')));
    return { oid, value: unescapeValue(value), text: true, hex: '' };
  }));
}

/** caseIgnoreMatch's preparation: insignificant spaces, case. */
const prep = (v: string) => v.trim().replace(/ +/g, ' ').toLocaleLowerCase('en');
const avaKey = (a: Ava) => `${a.oid}|${a.text ? prep(a.value) : a.value.toLowerCase()}`;
/** RFC 4517 distinguishedNameMatch: the same number of RDNs, each the same (as sets of AVAs) at the same position. */
const dnMatch = (a: Ava[][], b: Ava[][]) => a.length === b.length && a.every((rdn, i) => rdn.length === b[i]!.length && rdn.every((x) => b[i]!.some((y) => avaKey(x) === avaKey(y))));
/** The certificate subject written as OBF says (reversed, #hex for non-descriptors), for the exact-string bug. */
const canonical = (rdns: Ava[][]) => [...rdns].reverse().map((rdn) => rdn.map((a) => {
  const name = Object.entries(DESCRIPTORS).find(([, o]) => o === a.oid)?.[0];
  return name && a.text ? `${name}=${a.value}` : `${a.oid}=#${a.hex.toUpperCase()}`;
}).join('+')).join(',');

// --- the software statement ----------------------------------------------------------

function verifyStatement(jwt: string, opts: ObfBankOptions, bug: (b: ObfBankBug) => boolean, now: number): Json {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw bad('invalid_software_statement', 'software_statement is not a compact JWS');
  let header: Json;
  let claims: Json;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString());
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString());
  } catch {
    throw bad('invalid_software_statement', 'software_statement is not JSON');
  }
  if (header.alg !== 'PS256') throw bad('invalid_software_statement', 'software_statement must be signed PS256');
  if (claims.iss !== opts.directory.issuer) throw bad('invalid_software_statement', 'software_statement is not from the Directory of Participants');
  if (!bug('ssa-signature-unchecked')) {
    const keys = opts.directory.keys.filter((k) => header.kid === undefined || (k as { kid?: string }).kid === header.kid);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    const ok = keys.some((k) => verifySignature('sha256', data, { key: createPublicKey({ key: k, format: 'jwk' }), padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, sig));
    if (!ok) throw bad('invalid_software_statement', 'software_statement signature does not verify with the directory keys');
  }
  const iat = claims.iat;
  if (typeof iat !== 'number') throw bad('invalid_software_statement', 'software_statement has no iat');
  const maxAge = bug('iat-one-minute') ? 60 : 300;
  if (!bug('iat-unchecked') && now - iat > maxAge) throw bad('invalid_software_statement', 'software_statement is older than 5 minutes');
  return claims;
}

// --- registration ---------------------------------------------------------------------

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The registered metadata of a request (POST, or a PUT's body), or a refusal. */
function registration(input: Json, cert: Buffer | undefined, opts: ObfBankOptions, bug: (b: ObfBankBug) => boolean): Json {
  const now = Math.floor(Date.now() / 1000);
  const ssa = typeof input.software_statement === 'string' ? verifyStatement(input.software_statement, opts, bug, now) : undefined;
  if (!ssa && !bug('ssa-optional')) throw bad('invalid_software_statement', 'software_statement is required');
  if (ssa && cert) {
    const subject = subjectOf(cert).flat();
    const orgIdentifier = subject.find((a) => a.oid === '2.5.4.97')?.value;
    if (orgIdentifier !== `OFBBR-${ssa.org_id}`) throw bad('invalid_client_metadata', 'the certificate is of another organisation than the software_statement');
    const uid = subject.find((a) => a.oid === '0.9.2342.19200300.100.1.1')?.value;
    if (uid !== ssa.software_id && !bug('uid-unchecked')) throw bad('invalid_client_metadata', 'the certificate UID is not the software_id');
  }
  const m: Json = {};
  for (const k of ['redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg', 'tls_client_auth_subject_dn', 'jwks_uri', 'jwks', 'scope', 'client_name', 'id_token_signed_response_alg']) if (input[k] !== undefined) m[k] = input[k];
  if (m.jwks !== undefined && !bug('jwks-accepted')) throw bad('invalid_client_metadata', 'jwks is not accepted: give jwks_uri');
  if (ssa) {
    if (m.jwks_uri === undefined && bug('jwks-uri-required')) throw bad('invalid_client_metadata', 'jwks_uri is required');
    if (m.jwks_uri !== undefined && m.jwks_uri !== ssa.software_jwks_uri && !bug('jwks-uri-unchecked')) throw bad('invalid_client_metadata', 'jwks_uri is not software_jwks_uri');
    if (m.jwks_uri === undefined && m.jwks === undefined) m.jwks_uri = ssa.software_jwks_uri;
  }
  if (!strings(m.redirect_uris) || m.redirect_uris.length === 0) {
    if (!bug('redirect-optional')) throw bad('invalid_redirect_uri', 'redirect_uris is required');
  } else if (ssa && !bug('redirect-unchecked') && m.redirect_uris.some((u) => !(ssa.software_redirect_uris as string[]).includes(u))) {
    throw bad('invalid_redirect_uri', 'a redirect_uri is not in software_redirect_uris');
  }
  const roles = ssa && Array.isArray(ssa.software_statement_roles) ? (ssa.software_statement_roles as Json[]).filter((r) => r.status === 'Active').map((r) => String(r.role)) : [];
  const allowed = [...new Set(roles.flatMap((r) => ROLE_SCOPES[r] ?? []))];
  if (m.scope === undefined) m.scope = bug('scope-default-openid') ? 'openid' : allowed.join(' ');
  else if (typeof m.scope !== 'string') throw bad('invalid_client_metadata', 'scope is a string');
  else if (!bug('scope-unchecked') && m.scope.split(' ').some((x) => !allowed.includes(x))) throw bad('invalid_client_metadata', 'a scope is not allowed by the roles');
  if (ssa && typeof ssa.software_client_name === 'string' && !(bug('request-precedence') && m.client_name !== undefined)) m.client_name = ssa.software_client_name;
  m.token_endpoint_auth_method ??= 'private_key_jwt';
  if (m.token_endpoint_auth_method === 'tls_client_auth') {
    if (['tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'].some((k) => input[k] !== undefined) && !bug('san-accepted')) throw bad('invalid_client_metadata', 'only tls_client_auth_subject_dn is accepted');
    if (bug('san-accepted') && typeof input.tls_client_auth_san_dns === 'string') m.tls_client_auth_san_dns = input.tls_client_auth_san_dns;
    if (typeof m.tls_client_auth_subject_dn !== 'string') throw bad('invalid_client_metadata', 'tls_client_auth needs tls_client_auth_subject_dn');
    const given = parseSubjectDn(m.tls_client_auth_subject_dn, bug('dn-any-descriptor'));
    if (cert && !bug('dn-unchecked')) {
      const presented = [...subjectOf(cert)].reverse();
      const same = bug('dn-exact-string') ? m.tls_client_auth_subject_dn === canonical(subjectOf(cert))
        : bug('dn-unordered') ? given.flat().map(avaKey).sort().join() === presented.flat().map(avaKey).sort().join()
          : dnMatch(given, presented);
      if (!same) throw bad('invalid_client_metadata', 'tls_client_auth_subject_dn does not match the certificate');
    }
  } else if (m.token_endpoint_auth_method !== 'private_key_jwt') throw bad('invalid_client_metadata', 'token_endpoint_auth_method is private_key_jwt or tls_client_auth');
  if (ssa) m.software_statement = input.software_statement;
  m.software_id = ssa?.software_id;
  return m;
}

// --- HTTP -----------------------------------------------------------------------------

interface Client { record: Json; rat: string; oldRats: string[] }

async function readJson(req: IncomingMessage): Promise<Json> {
  const text = await readBody(req, 64 * 1024, () => bad('invalid_request', 'the body is too large'), { destroy: true });
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Json;
  } catch {
    throw bad('invalid_request', 'the body is not a JSON object');
  }
}

export async function startObfBank(opts: ObfBankOptions): Promise<ObfBank> {
  const bugs = new Set(opts.bugs ?? []);
  const bug = (b: ObfBankBug) => bugs.has(b);
  const clients = new Map<string, Client>();
  let base = '';

  const clientCert = (req: IncomingMessage): Buffer | undefined => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    return peer && peer.raw && socket.authorized ? peer.raw : undefined;
  };
  const answer = (res: ServerResponse, status: number, b?: Json, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(b ? { 'content-type': 'application/json' } : {}), 'cache-control': 'no-store', ...headers });
    res.end(b ? JSON.stringify(b) : undefined);
  };
  const info = (id: string, c: Client): Json => ({ client_id: id, client_id_issued_at: c.record.client_id_issued_at, registration_access_token: c.rat, registration_client_uri: `${base}/register/${id}`, ...c.record });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return answer(res, 200, {
        issuer: base, registration_endpoint: `${base}/register`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`,
        token_endpoint_auth_methods_supported: ['private_key_jwt', 'tls_client_auth'], response_types_supported: ['code id_token'],
        ...(bug('no-mtls-alias') ? {} : { mtls_endpoint_aliases: { registration_endpoint: `${base}/register`, token_endpoint: `${base}/token` } }),
      });
    }
    const cert = clientCert(req);
    if (url.pathname === '/register' && req.method === 'POST') {
      if (!cert && !bug('no-mtls')) throw new Refusal(401, 'invalid_client', 'mutual TLS is required');
      const body = await readJson(req);
      const record = registration(body, cert, opts, bug);
      const id = randomUUID();
      const c: Client = { record: { ...record, client_id_issued_at: Math.floor(Date.now() / 1000) }, rat: randomBytes(24).toString('base64url'), oldRats: [] };
      clients.set(id, c);
      return answer(res, bug('register-200') ? 200 : 201, info(id, c));
    }
    const m = /^\/register\/([^/]+)$/.exec(url.pathname);
    if (!m) return answer(res, 404, { error: 'not_found', error_description: 'no such path' });
    if (!cert && !bug('mgmt-no-mtls')) throw new Refusal(401, 'invalid_client', 'mutual TLS is required');
    const id = decodeURIComponent(m[1]!);
    const c = clients.get(id);
    const token = /^Bearer ([^ ]+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new Refusal(401, 'invalid_token', 'a registration access token is required', 'Bearer');
    const valid = c && (token === c.rat || (bug('old-rat-kept') && c.oldRats.includes(token)) || bug('rat-unchecked'));
    if (!c || !valid) throw new Refusal(401, 'invalid_token', 'the registration access token is not valid', 'Bearer error="invalid_token"');
    if (req.method === 'GET') return bug('get-text-plain') ? answer(res, 200, info(id, c), { 'content-type': 'text/plain' }) : answer(res, 200, info(id, c));
    if (req.method === 'PUT') {
      const body = await readJson(req);
      if (body.client_id !== id) throw bad('invalid_client_metadata', 'client_id is not this client');
      const record = registration(body, cert, opts, bug);
      if (!bug('put-stores-nothing')) c.record = { ...record, client_id_issued_at: c.record.client_id_issued_at };
      c.oldRats.push(c.rat);
      c.rat = randomBytes(24).toString('base64url');
      return answer(res, 200, { ...info(id, c), ...(bug('put-stores-nothing') ? { scope: record.scope } : {}) });
    }
    if (req.method === 'DELETE') {
      if (!bug('delete-keeps-client')) clients.delete(id);
      return answer(res, bug('delete-200') ? 200 : 204, bug('delete-200') ? { deleted: id } : undefined);
    }
    return answer(res, 405, { error: 'invalid_request', error_description: 'method not allowed' }, { allow: 'GET, PUT, DELETE' });
  };

  const server = https.createServer({ key: opts.tls.key, cert: opts.tls.cert, ca: [opts.clientCa], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof Refusal) return answer(res, e.status, { error: e.code, error_description: e.message }, e.challenge ? { 'www-authenticate': e.challenge } : {});
      return answer(res, 500, { error: 'server_error', error_description: 'unexpected error' });
    });
  });
  const local = await listenLocal(server);
  base = local.issuer;
  return local;
}
