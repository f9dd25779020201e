import { X509Certificate } from 'node:crypto';

/**
 * Distinguished names, parsed and compared by attribute rather than as strings.
 *
 * dcr-rules.md: "Subject DNs arrive in different string forms: Go prints most specific first
 * (CN=...,OU=...,O=...,C=GB), OpenSSL and Node the other way round, unknown OIDs as
 * 2.5.4.97=#<hex>. Compare parsed RDNs." Accepted forms: RFC 4514 / RFC 2253 (`,` separated),
 * RFC 1779 (`;` separators, quoted values), and Node's X509Certificate.subject (one RDN a line).
 *
 * Shared by mock-server/ (the bank matching a registered DN against the presented certificate) and
 * conformance/ (the pack judging how a bank matches one); neither imports the other.
 */
export interface DnAttribute {
  /** Dotted OID of the attribute type. */
  readonly type: string;
  readonly value: string;
}

export type Dn = ReadonlyArray<ReadonlyArray<DnAttribute>>;

export class DnParseError extends Error {}

/**
 * Attribute type names, lower case, with their OIDs: RFC 4514's, X.520's, and every name OpenSSL
 * (so Node's X509Certificate.subject) prints for the attributes of eIDAS QWACs and EV certificates.
 * Any other attribute is written by its dotted OID.
 */
const TYPES: Record<string, string> = {
  cn: '2.5.4.3', commonname: '2.5.4.3',
  sn: '2.5.4.4', surname: '2.5.4.4',
  serialnumber: '2.5.4.5',
  c: '2.5.4.6', countryname: '2.5.4.6',
  l: '2.5.4.7', localityname: '2.5.4.7',
  st: '2.5.4.8', s: '2.5.4.8', stateorprovincename: '2.5.4.8',
  street: '2.5.4.9', streetaddress: '2.5.4.9',
  o: '2.5.4.10', organizationname: '2.5.4.10',
  ou: '2.5.4.11', organizationalunitname: '2.5.4.11',
  t: '2.5.4.12', title: '2.5.4.12',
  description: '2.5.4.13',
  searchguide: '2.5.4.14',
  businesscategory: '2.5.4.15',
  postaladdress: '2.5.4.16',
  postalcode: '2.5.4.17',
  postofficebox: '2.5.4.18',
  physicaldeliveryofficename: '2.5.4.19',
  telephonenumber: '2.5.4.20',
  name: '2.5.4.41',
  gn: '2.5.4.42', givenname: '2.5.4.42',
  initials: '2.5.4.43',
  generationqualifier: '2.5.4.44',
  x500uniqueidentifier: '2.5.4.45',
  dnqualifier: '2.5.4.46',
  pseudonym: '2.5.4.65',
  role: '2.5.4.72',
  organizationidentifier: '2.5.4.97',
  countrycode3c: '2.5.4.98',
  countrycode3n: '2.5.4.99',
  dnsname: '2.5.4.100',
  dc: '0.9.2342.19200300.100.1.25', domaincomponent: '0.9.2342.19200300.100.1.25',
  uid: '0.9.2342.19200300.100.1.1', userid: '0.9.2342.19200300.100.1.1',
  e: '1.2.840.113549.1.9.1', emailaddress: '1.2.840.113549.1.9.1',
  unstructuredname: '1.2.840.113549.1.9.2',
  unstructuredaddress: '1.2.840.113549.1.9.8',
  // EV and QWAC jurisdiction of incorporation (CA/Browser Forum EV Guidelines 9.2.4).
  jurisdictionl: '1.3.6.1.4.1.311.60.2.1.1', jurisdictionlocalityname: '1.3.6.1.4.1.311.60.2.1.1',
  jurisdictionst: '1.3.6.1.4.1.311.60.2.1.2', jurisdictionstateorprovincename: '1.3.6.1.4.1.311.60.2.1.2',
  jurisdictionc: '1.3.6.1.4.1.311.60.2.1.3', jurisdictioncountryname: '1.3.6.1.4.1.311.60.2.1.3',
};

function typeOid(raw: string): string {
  const t = raw.trim().replace(/^oid\./i, '');
  if (/^\d+(\.\d+)+$/.test(t)) return t;
  const oid = TYPES[t.toLowerCase()];
  if (!oid) throw new DnParseError(`unknown attribute type "${t}"`);
  return oid;
}

/** A string of an ASN.1 string type, or the encoding itself in hex (the whole TLV) for any other type. */
function decodeAsn1Value(tag: number, content: Buffer, tlvHex: string): string {
  switch (tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return content.toString('utf8');
    case 0x14: // TeletexString, treated as Latin-1
      return content.toString('latin1');
    case 0x1e: // BMPString, UTF-16BE: two bytes a character
      if (content.length % 2 !== 0) throw new DnParseError(`malformed BMPString value "#${tlvHex}": ${content.length} bytes, not a whole number of UTF-16 code units`);
      return Buffer.from(content).swap16().toString('utf16le');
    case 0x1c: { // UniversalString, UTF-32BE: four bytes a character
      if (content.length % 4 !== 0) throw new DnParseError(`malformed UniversalString value "#${tlvHex}": ${content.length} bytes, not a whole number of characters`);
      let out = '';
      for (let i = 0; i < content.length; i += 4) {
        const cp = content.readUInt32BE(i);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new DnParseError(`malformed UniversalString value "#${tlvHex}": U+${cp.toString(16)} is not a character`);
        out += String.fromCodePoint(cp);
      }
      return out;
    }
    default:
      return tlvHex.toLowerCase(); // not a string type: compare the encoding itself
  }
}

/** Reads one DER TLV at `offset` of `bytes`, within `end`. */
export function readTlv(bytes: Buffer, offset: number, end = bytes.length): { tag: number; start: number; end: number } {
  if (offset + 2 > end) throw new DnParseError('truncated DER');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DnParseError('unsupported DER tag');
  let len = bytes[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > end) throw new DnParseError('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[start + i]!;
    start += n;
  }
  if (start + len > end) throw new DnParseError('truncated DER');
  return { tag, start, end: start + len };
}

/** Decodes a `#hex` value: the BER encoding of an ASN.1 string. */
export function decodeHexValue(hex: string): string {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new DnParseError(`malformed hex value "#${hex}"`);
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length < 2) throw new DnParseError('hex value too short');
  let tlv: { tag: number; start: number; end: number };
  try {
    tlv = readTlv(bytes, 0);
  } catch (e) {
    throw new DnParseError(`malformed hex value "#${hex}": ${(e as Error).message}`);
  }
  return decodeAsn1Value(tlv.tag, bytes.subarray(tlv.start, tlv.end), hex);
}

function decodeOid(bytes: Buffer): string {
  if (bytes.length === 0 || bytes.length > 64) throw new DnParseError('malformed OID');
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (v === 0 && b === 0x80) throw new DnParseError('malformed OID');
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DnParseError('OID arc too large');
    if (!(b & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === bytes.length - 1) {
      throw new DnParseError('truncated OID');
    }
  }
  return arcs.join('.');
}

/** One attribute of a DER Name: its type (dotted OID) and its value's encoding (the whole TLV, and the tag and content). */
export interface DerAttribute {
  readonly type: string;
  readonly tlv: Buffer;
  readonly tag: number;
  readonly content: Buffer;
}

/** The RDNs of a DER Name (SEQUENCE OF SET OF AttributeTypeAndValue) in the encoding's order, each value as encoded. Throws DnParseError when it is not one. */
export function derNameAttributes(bytes: Buffer, offset = 0): DerAttribute[][] {
  const name = readTlv(bytes, offset);
  if (name.tag !== 0x30) throw new DnParseError('a Name is not a SEQUENCE');
  const rdns: DerAttribute[][] = [];
  for (let at = name.start; at < name.end;) {
    const set = readTlv(bytes, at, name.end);
    if (set.tag !== 0x31) throw new DnParseError('an RDN is not a SET');
    const rdn: DerAttribute[] = [];
    for (let a = set.start; a < set.end;) {
      const atv = readTlv(bytes, a, set.end);
      if (atv.tag !== 0x30) throw new DnParseError('an attribute is not a SEQUENCE');
      const oid = readTlv(bytes, atv.start, atv.end);
      if (oid.tag !== 0x06) throw new DnParseError('an attribute type is not an OID');
      const value = readTlv(bytes, oid.end, atv.end);
      rdn.push({ type: decodeOid(bytes.subarray(oid.start, oid.end)), tlv: bytes.subarray(oid.end, value.end), tag: value.tag, content: bytes.subarray(value.start, value.end) });
      a = atv.end;
    }
    if (rdn.length === 0) throw new DnParseError('an RDN is empty');
    rdns.push(rdn);
    at = set.end;
  }
  return rdns;
}

/** A DER Name (SEQUENCE OF SET OF AttributeTypeAndValue), attribute types by OID, whatever they are. */
export function parseDerName(bytes: Buffer, offset = 0): Dn {
  return derNameAttributes(bytes, offset).map((rdn) => rdn.map((a) => ({ type: a.type, value: decodeAsn1Value(a.tag, a.content, a.tlv.toString('hex')).trim() })));
}

/** Where the subject Name starts in a DER X.509 certificate. */
export function subjectNameOffset(der: Buffer): number {
  const cert = readTlv(der, 0);
  if (cert.tag !== 0x30) throw new DnParseError('not a DER certificate');
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs.tag !== 0x30) throw new DnParseError('not a DER certificate');
  let at = tbs.start;
  const next = (tag?: number) => {
    const t = readTlv(der, at, tbs.end);
    if (tag !== undefined && t.tag !== tag) throw new DnParseError('not a DER certificate');
    at = t.end;
    return t;
  };
  if (der[at] === 0xa0) next(); // [0] version
  next(0x02); // serialNumber
  next(0x30); // signature
  next(0x30); // issuer
  next(0x30); // validity
  return at;
}

/** The subject Name of a DER X.509 certificate, read from the encoding (not from a printed form). */
export function certificateSubject(der: Buffer): Dn {
  return parseDerName(der, subjectNameOffset(der));
}

/**
 * The syntax of a string value in a DN: where it ends, what an escape may name and what must be
 * escaped. The lenient form (parseDn: RFC 4514, 2253 and 1779 as printed by Go, OpenSSL and Node)
 * lets `\` escape anything and ends a value at `,`, `;`, `+` or a new line; the strict RFC 4514 form
 * (obf-dn.ts) ends it at `,` or `+` only, lets `\` escape only the RFC 4514 2.4 specials and refuses
 * them unescaped.
 */
export interface DnValueSyntax {
  /** The characters that end the value. */
  readonly stops: string;
  /** Strict: the characters an escape may name besides a hex pair; absent, any character. */
  readonly escapable?: string;
  /** Strict: the characters that must not appear unescaped. */
  readonly mustEscape?: string;
  /** Names the attribute in the errors of the strict form. */
  readonly attribute?: string;
}

export const LENIENT_VALUE: DnValueSyntax = { stops: ',;+\n' };

/**
 * Reads a string value from `i` to the first stop: plain characters appended as they are, `\XX`
 * escapes as bytes (decoded as UTF-8), `\c` as the character c. Answers the value and where it ends.
 */
export function readStringValue(s: string, i: number, syntax: DnValueSyntax): { value: string; end: number } {
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  while (i < s.length && !syntax.stops.includes(s[i]!)) {
    const c = s[i]!;
    if (c === '\\') {
      const pair = s.slice(i + 1, i + 3);
      if (/^[0-9a-f]{2}$/i.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 3;
        continue;
      }
      const next = s[i + 1];
      if (syntax.escapable !== undefined && (next === undefined || !syntax.escapable.includes(next))) throw new DnParseError(`bad escape in the value of ${syntax.attribute}`);
      if (next === undefined) throw new DnParseError('dangling escape at end of DN');
      flush();
      out += next;
      i += 2;
      continue;
    }
    if (syntax.mustEscape?.includes(c)) throw new DnParseError(`"${c}" must be escaped in an RFC 4514 value (${syntax.attribute})`);
    flush();
    out += c;
    i++;
  }
  flush();
  return { value: out, end: i };
}

/** The run of hex digits from `i` (a `#hex` value after its `#`). */
export function readHexRun(s: string, i: number): { hex: string; end: number } {
  let end = i;
  while (end < s.length && /[0-9a-f]/i.test(s[end]!)) end++;
  return { hex: s.slice(i, end), end };
}

/** Parses a DN string into RDNs of attributes. Throws DnParseError on malformed input. */
export function parseDn(input: string): Dn {
  const s = input.trim();
  if (s === '') throw new DnParseError('empty DN');
  const rdns: DnAttribute[][] = [];
  let current: DnAttribute[] = [];
  let i = 0;

  const readType = (): string => {
    const start = i;
    while (i < s.length && s[i] !== '=') {
      if (',;+\n'.includes(s[i]!)) throw new DnParseError(`expected "=" after "${s.slice(start, i)}"`);
      i++;
    }
    if (i >= s.length) throw new DnParseError(`attribute "${s.slice(start).trim()}" has no value`);
    const type = s.slice(start, i);
    i++; // '='
    return typeOid(type);
  };

  const readValue = (): string => {
    while (s[i] === ' ') i++;
    if (s[i] === '#') {
      const { hex, end } = readHexRun(s, i + 1);
      i = end;
      return decodeHexValue(hex);
    }
    if (s[i] === '"') {
      i++;
      let out = '';
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        out += s[i++];
      }
      if (s[i] !== '"') throw new DnParseError('unterminated quoted value');
      i++;
      return out;
    }
    // Plain characters are appended as they are; only \XX escapes are bytes, decoded as UTF-8.
    const { value, end } = readStringValue(s, i, LENIENT_VALUE);
    i = end;
    return value;
  };

  while (i < s.length) {
    const type = readType();
    const value = readValue();
    current.push({ type, value: value.trim() });
    while (s[i] === ' ') i++;
    if (i >= s.length) break;
    const sep = s[i]!;
    i++;
    if (sep !== '+') {
      rdns.push(current);
      current = [];
    }
    while (s[i] === ' ' || s[i] === '\r') i++;
  }
  if (current.length) rdns.push(current);
  return rdns;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A value as caseIgnoreMatch compares it (RFC 4518 insignificant space handling, NFKC, case folded). */
export function normalizeValue(v: string): string {
  // NFKC is costly and changes nothing in ASCII, which almost every DN is.
  return (NON_ASCII.test(v) ? v.normalize('NFKC') : v).trim().replace(/\s+/g, ' ').toLowerCase();
}

function keys(dn: Dn): string[] {
  return dn
    .flat()
    .map((a) => `${a.type}=${normalizeValue(a.value)}`)
    .sort();
}

/** Parsed, normalised attribute keys by DN string: the same DNs come back request after request. */
const keyCache = new Map<string, readonly string[]>();
const KEY_CACHE_MAX = 1000;

function keysOf(dn: string | Dn): readonly string[] {
  if (typeof dn !== 'string') return keys(dn);
  let k = keyCache.get(dn);
  if (!k) {
    k = keys(parseDn(dn));
    keyCache.set(dn, k);
    if (keyCache.size > KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  }
  return k;
}

/**
 * True when both DNs carry the same attributes with the same values (case and space folded),
 * whatever order their RDNs were printed in. Malformed input is never equal to anything.
 */
export function dnEquals(a: string | Dn, b: string | Dn): boolean {
  try {
    const ka = keysOf(a);
    const kb = keysOf(b);
    return ka.length === kb.length && ka.every((k, idx) => k === kb[idx]);
  } catch (e) {
    if (e instanceof DnParseError) return false;
    throw e;
  }
}

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.11': 'OU', '2.5.4.10': 'O', '2.5.4.6': 'C', '2.5.4.7': 'L',
  '2.5.4.8': 'ST', '2.5.4.5': 'SERIALNUMBER', '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
};

/** RFC 4514 2.4 escaping of a string value. */
export function escapeValue(v: string): string {
  return v
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`)
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/** Formats a DN the OBIE way (RFC 4514, most specific first: CN=...,OU=...,O=...,C=GB). */
export function formatDn(dn: Dn, order: 'most-specific-first' | 'as-parsed' = 'as-parsed'): string {
  const rdns = order === 'most-specific-first' ? [...dn].reverse() : dn;
  return rdns
    .map((rdn) => rdn.map((a) => `${SHORT[a.type] ?? a.type}=${escapeValue(a.value)}`).join('+'))
    .join(',');
}

/**
 * The subject DN of a certificate as the bank writes it: read from the DER, so any attribute is
 * kept (by OID when it has no short name) whatever OpenSSL would print for it. Throws DnParseError
 * when the subject cannot be read.
 */
export function subjectDnOf(cert: { raw: Buffer }): string {
  return formatDn(certificateSubject(cert.raw), 'as-parsed');
}

/** Why a DN string cannot be parsed, or undefined when it can. */
export function dnProblem(dn: string): string | undefined {
  try {
    // Parsed once for dnEquals too (the same claim is checked for both, request after request).
    keysOf(dn);
    return undefined;
  } catch (e) {
    if (e instanceof DnParseError) return e.message;
    throw e;
  }
}

/** The subject DN as a bank reads it from a presented certificate (PEM): from the DER, any attribute, by OID without a name. */
export function certSubjectDn(certPem: string): string {
  return subjectDnOf(new X509Certificate(certPem));
}
