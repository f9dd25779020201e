/**
 * Subject DN matching for tls_client_auth (RFC 8705 2.1.2: "the expected subject distinguished
 * name of the certificate ... represented as a string ... as defined in RFC 4514"). The
 * certificate side is read from the DER itself, so nothing depends on how a library prints names.
 * Comparison: RDN by RDN in RFC 4514 order (most specific first), attribute types
 * case-insensitive (names or dotted OIDs), values exact; a #hex value is compared with the DER of
 * the certificate's value. Pure.
 */
export interface Atv {
  oid: string;
  /** The decoded string, when the value is a directory string type. */
  text?: string;
  /** The DER TLV of the value. */
  der: Buffer;
}
export type Rdn = Atv[];

interface Tlv {
  tag: number;
  start: number; // of the whole TLV
  body: number;
  end: number;
}

function readTlv(buf: Buffer, at: number): Tlv {
  const tag = buf[at];
  let len = buf[at + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[body + i] ?? 0);
    body += n;
  }
  const end = body + len;
  if (end > buf.length) throw new Error('truncated DER');
  return { tag, start: at, body, end };
}

function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.body; at < t.end; ) {
    const c = readTlv(buf, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

function oidText(b: Buffer): string {
  const first = b[0] ?? 0;
  const parts = [Math.floor(first / 40) > 2 ? 2 : Math.floor(first / 40), first >= 80 ? first - 80 : first % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const byte = b[i]!;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function decodeString(tag: number, b: Buffer): string | undefined {
  switch (tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
      return b.toString('utf8');
    case 0x14: // TeletexString (treated as latin1)
      return b.toString('latin1');
    case 0x1e: {
      // BMPString, UCS-2 big endian
      const s = Buffer.from(b);
      s.swap16();
      return s.toString('utf16le');
    }
    default:
      return undefined;
  }
}

/** The subject RDNSequence of a DER certificate, in ASN.1 order (most general first). */
export function certificateSubject(der: Buffer): Rdn[] {
  const cert = readTlv(der, 0);
  const [tbs] = children(der, cert);
  if (!tbs) throw new Error('no tbsCertificate');
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const subject = fields[offset + 4]; // serial, signature, issuer, validity, subject
  if (!subject || subject.tag !== 0x30) throw new Error('no subject');
  return children(der, subject).map((set) =>
    children(der, set).map((atv) => {
      const [type, value] = children(der, atv);
      if (!type || !value) throw new Error('bad AttributeTypeAndValue');
      const text = decodeString(value.tag, der.subarray(value.body, value.end));
      return { oid: oidText(der.subarray(type.body, type.end)), ...(text !== undefined ? { text } : {}), der: Buffer.from(der.subarray(value.start, value.end)) };
    }),
  );
}

const NAMES: Record<string, string> = {
  cn: '2.5.4.3', sn: '2.5.4.4', serialnumber: '2.5.4.5', c: '2.5.4.6', l: '2.5.4.7', st: '2.5.4.8',
  street: '2.5.4.9', o: '2.5.4.10', ou: '2.5.4.11', title: '2.5.4.12', businesscategory: '2.5.4.15',
  postalcode: '2.5.4.17', gn: '2.5.4.42', givenname: '2.5.4.42', organizationidentifier: '2.5.4.97',
  dc: '0.9.2342.19200300.100.1.25', uid: '0.9.2342.19200300.100.1.1',
  emailaddress: '1.2.840.113549.1.9.1', e: '1.2.840.113549.1.9.1',
};
const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.9': 'STREET', '2.5.4.10': 'O',
  '2.5.4.11': 'OU', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
};

interface StringAtv {
  oid: string;
  text?: string;
  hex?: Buffer;
}

/** Splits on an unescaped separator. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unescapeValue(v: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = v.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(next)) {
      bytes.push(parseInt(next, 16));
      i += 2;
    } else if (i + 1 < v.length && ' "#+,;<=>\\'.includes(v[i + 1]!)) {
      bytes.push(v.charCodeAt(i + 1));
      i += 1;
    } else return undefined;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 4514 string to RDNs in string order (most specific first); undefined when malformed. */
export function parseDnString(dn: string): StringAtv[][] | undefined {
  if (dn.trim() === '') return undefined;
  const rdns: StringAtv[][] = [];
  for (const rdnText of splitUnescaped(dn, ',')) {
    const rdn: StringAtv[] = [];
    for (const atvText of splitUnescaped(rdnText, '+')) {
      const eq = atvText.indexOf('=');
      if (eq <= 0) return undefined;
      const type = atvText.slice(0, eq).trim().toLowerCase();
      const raw = atvText.slice(eq + 1);
      const oid = /^\d+(\.\d+)+$/.test(type) ? type : NAMES[type];
      if (!oid) return undefined;
      if (raw.startsWith('#')) {
        if (!/^#([0-9a-fA-F]{2})+$/.test(raw)) return undefined;
        rdn.push({ oid, hex: Buffer.from(raw.slice(1), 'hex') });
      } else {
        const text = unescapeValue(raw);
        if (text === undefined) return undefined;
        rdn.push({ oid, text });
      }
    }
    rdns.push(rdn);
  }
  return rdns;
}

function atvMatches(want: StringAtv, got: Atv): boolean {
  if (want.oid !== got.oid) return false;
  if (want.hex) return want.hex.equals(got.der);
  return got.text !== undefined && got.text === want.text;
}

function sameSequence(want: readonly StringAtv[][], got: readonly Rdn[]): boolean {
  return want.every((rdn, i) => {
    const g = got[i]!;
    return rdn.length === g.length && rdn.every((w) => g.some((a) => atvMatches(w, a)));
  });
}

/**
 * Whether the registered RFC 4514 DN names this certificate subject. RFC 4514 2.1 renders the
 * RDNSequence "starting with the last element of the sequence and moving backwards"; a
 * certificate whose RDNSequence is itself encoded most specific first (CN first) is then
 * commonly written in the forward order instead, so both directions are compared, RDN by RDN.
 */
export function dnMatches(dn: string, subject: readonly Rdn[]): boolean {
  const want = parseDnString(dn);
  if (!want || want.length !== subject.length) return false;
  return sameSequence(want, [...subject].reverse()) || sameSequence(want, subject);
}

function escapeValue(s: string): string {
  return s
    .replace(/[\\"+,;<>=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/** The RFC 4514 rendering of a subject, for messages. */
export function dnString(subject: readonly Rdn[]): string {
  return [...subject]
    .reverse()
    .map((rdn) =>
      rdn.map((a) => (SHORT[a.oid] && a.text !== undefined ? `${SHORT[a.oid]}=${escapeValue(a.text)}` : `${a.oid}=#${a.der.toString('hex')}`)).join('+'),
    )
    .join(',');
}
