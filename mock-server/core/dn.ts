/**
 * Distinguished names, parsed and compared by attribute rather than as strings.
 *
 * dcr-rules.md: "Subject DNs arrive in different string forms: Go prints most specific first
 * (CN=...,OU=...,O=...,C=GB), OpenSSL and Node the other way round, unknown OIDs as
 * 2.5.4.97=#<hex>. Compare parsed RDNs." Accepted forms: RFC 4514 / RFC 2253 (`,` separated),
 * RFC 1779 (`;` separators, quoted values), and Node's X509Certificate.subject (one RDN a line).
 */
export interface DnAttribute {
  /** Dotted OID of the attribute type. */
  readonly type: string;
  readonly value: string;
}

export type Dn = ReadonlyArray<ReadonlyArray<DnAttribute>>;

export class DnParseError extends Error {}

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
  gn: '2.5.4.42', givenname: '2.5.4.42',
  organizationidentifier: '2.5.4.97',
  dc: '0.9.2342.19200300.100.1.25', domaincomponent: '0.9.2342.19200300.100.1.25',
  uid: '0.9.2342.19200300.100.1.1', userid: '0.9.2342.19200300.100.1.1',
  e: '1.2.840.113549.1.9.1', emailaddress: '1.2.840.113549.1.9.1',
};

function typeOid(raw: string): string {
  const t = raw.trim().replace(/^oid\./i, '');
  if (/^\d+(\.\d+)+$/.test(t)) return t;
  const oid = TYPES[t.toLowerCase()];
  if (!oid) throw new DnParseError(`unknown attribute type "${t}"`);
  return oid;
}

/** Decodes a `#hex` value: the BER encoding of an ASN.1 string. */
function decodeHexValue(hex: string): string {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new DnParseError(`malformed hex value "#${hex}"`);
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length < 2) throw new DnParseError('hex value too short');
  const tag = bytes[0]!;
  let len = bytes[1]!;
  let offset = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || bytes.length < 2 + n) throw new DnParseError('unsupported BER length');
    len = n === 1 ? bytes[2]! : (bytes[2]! << 8) | bytes[3]!;
    offset = 2 + n;
  }
  const content = bytes.subarray(offset, offset + len);
  if (content.length !== len) throw new DnParseError('truncated hex value');
  switch (tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
      return content.toString('utf8');
    case 0x14: // TeletexString, treated as Latin-1
      return content.toString('latin1');
    case 0x1e: // BMPString, UTF-16BE
      return Buffer.from(content).swap16().toString('utf16le');
    default:
      return hex.toLowerCase(); // not a string type: compare the encoding itself
  }
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
      const start = ++i;
      while (i < s.length && /[0-9a-f]/i.test(s[i]!)) i++;
      return decodeHexValue(s.slice(start, i));
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
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) {
        out += Buffer.from(bytes).toString('utf8');
        bytes = [];
      }
    };
    while (i < s.length && !',;+\n'.includes(s[i]!)) {
      if (s[i] === '\\') {
        const pair = s.slice(i + 1, i + 3);
        if (/^[0-9a-f]{2}$/i.test(pair)) {
          bytes.push(parseInt(pair, 16));
          i += 3;
        } else if (i + 1 < s.length) {
          flush();
          out += s[i + 1];
          i += 2;
        } else {
          throw new DnParseError('dangling escape at end of DN');
        }
      } else {
        flush();
        out += s[i];
        i++;
      }
    }
    flush();
    return out;
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

function normalizeValue(v: string): string {
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

function escapeValue(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

/** Formats a DN the OBIE way (RFC 4514, most specific first: CN=...,OU=...,O=...,C=GB). */
export function formatDn(dn: Dn, order: 'most-specific-first' | 'as-parsed' = 'as-parsed'): string {
  const rdns = order === 'most-specific-first' ? [...dn].reverse() : dn;
  return rdns
    .map((rdn) => rdn.map((a) => `${SHORT[a.type] ?? a.type}=${escapeValue(a.value)}`).join('+'))
    .join(',');
}

/** Node's X509Certificate.subject lists RDNs least specific first, one a line. */
export function subjectDnOf(cert: { subject: string }): string {
  return formatDn(parseDn(cert.subject), 'as-parsed');
}
