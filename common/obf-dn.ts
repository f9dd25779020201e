import { X509Certificate } from 'node:crypto';
import { DnParseError, decodeHexValue, derNameAttributes, escapeValue, normalizeValue, readHexRun, readStringValue, subjectNameOffset, type DnValueSyntax } from './dn';

/**
 * Open Finance Brasil subject DNs (DCR 1.0 ID3, "Certificate Distinguished Name Parsing"): the
 * strict RFC 4514 string a tls_client_auth registration sends, and RFC 4517 distinguishedNameMatch.
 *
 * "the Authorization Server shall accept only the AttributeTypes (descriptors) defined in the last
 * paragraph of clause 3 [RFC4514] in string format, it shall also accept in OID format, with their
 * values in ASN.1, all the AttributeTypes defined in Distinguished Name [...] or added by the
 * Certificate Authority." The RFC 4514 descriptors are CN, L, ST, O, OU, C, STREET, DC, UID; every
 * other attribute (organizationIdentifier 2.5.4.97, serialNumber 2.5.4.5, businessCategory
 * 2.5.4.15, jurisdictionCountryName 1.3.6.1.4.1.311.60.2.1.3 ...) is written `<dotted OID>=#<hex of
 * its DER value>`, the RDNs in reverse order of the certificate ("Obtain in reverse order the
 * certificate attributes").
 *
 * Shared by mock-server/ (the obf profile) and conformance/ (the pack's obf dialect).
 */
export interface ObfAttribute {
  /** Dotted OID. */
  readonly type: string;
  /** The value as text (a string type decoded), or the DER TLV in lower-case hex for any other type. */
  readonly value: string;
  /** Whether the value is text (compared by caseIgnoreMatch) or an encoding (compared octet by octet). */
  readonly text: boolean;
}
export type ObfDn = ReadonlyArray<ReadonlyArray<ObfAttribute>>;

/** RFC 4514 3, last paragraph: the descriptors every implementation recognises, with their OIDs. */
export const RFC4514_DESCRIPTORS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6',
  STREET: '2.5.4.9', DC: '0.9.2342.19200300.100.1.25', UID: '0.9.2342.19200300.100.1.1',
};
const NAME_OF: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(RFC4514_DESCRIPTORS).map(([k, v]) => [v, k]));

export const OID = {
  organizationIdentifier: '2.5.4.97',
  uid: '0.9.2342.19200300.100.1.1',
  serialNumber: '2.5.4.5',
  businessCategory: '2.5.4.15',
  jurisdictionCountryName: '1.3.6.1.4.1.311.60.2.1.3',
} as const;

/** The prefix of organizationIdentifier before the org_id ("OFBBR-"). */
export const OFB_ORG_PREFIX = 'OFBBR-';

const STRING_TAGS = new Set([0x0c, 0x13, 0x16, 0x12, 0x1a, 0x14, 0x1e, 0x1c]);


/**
 * The subject DN of a certificate as Open Finance Brasil writes it: RDNs in reverse order, the RFC
 * 4514 descriptors with their text, every other attribute `<OID>=#<HEX>` of its DER value.
 * `hexCase` 'upper' as in the spec's example (2.5.4.15=#0C14...).
 */
export function obfSubjectDn(cert: string | Buffer | X509Certificate, hexCase: 'upper' | 'lower' = 'upper'): string {
  const der = cert instanceof X509Certificate ? cert.raw : typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return derNameAttributes(der, subjectNameOffset(der))
    .reverse()
    .map((rdn) =>
      rdn
        .map(({ type, tlv }) => {
          const name = NAME_OF[type];
          if (name && STRING_TAGS.has(tlv[0]!)) return `${name}=${escapeValue(decodeHexValue(tlv.toString('hex')))}`;
          const hex = tlv.toString('hex');
          return `${type}=#${hexCase === 'upper' ? hex.toUpperCase() : hex}`;
        })
        .join('+'),
    )
    .join(',');
}

/** The certificate's subject as OBF attributes (reverse order), for reading UID and organizationIdentifier. */
export function obfCertificateDn(cert: string | Buffer | X509Certificate): ObfDn {
  return parseObfDn(obfSubjectDn(cert));
}

/** The first value of an attribute type, as text. */
export function attributeOf(dn: ObfDn, oid: string): string | undefined {
  return dn.flat().find((a) => a.type === oid && a.text)?.value;
}

/** The org_id of organizationIdentifier `OFBBR-<org_id>`, when the DN carries one. */
export function orgIdOf(dn: ObfDn): string | undefined {
  const oi = attributeOf(dn, OID.organizationIdentifier);
  return oi !== undefined && oi.toUpperCase().startsWith(OFB_ORG_PREFIX) ? oi.slice(OFB_ORG_PREFIX.length) : undefined;
}

function hexAttribute(type: string, hex: string): ObfAttribute {
  const bytes = Buffer.from(hex, 'hex');
  const isString = bytes.length >= 2 && STRING_TAGS.has(bytes[0]!);
  return isString ? { type, value: decodeHexValue(hex), text: true } : { type, value: hex.toLowerCase(), text: false };
}

/** RFC 4514 2.4 strictly: a value ends at `,` or `+`, an escape names a special (or is a hex pair), a special stands escaped. */
const strictValue = (attribute: string): DnValueSyntax => ({ stops: ',+', escapable: ' "#+,;<=>\\', mustEscape: '";<>\n\r', attribute });

/**
 * Parses a DN in the strict form OBF requires: `,` between RDNs, `+` inside one, types either one
 * of the RFC 4514 descriptors (any case: descriptors are case-insensitive, RFC 4512 1.4) or a dotted
 * OID whose value is `#hex` (the value "in ASN.1"). Anything else (another descriptor such as
 * organizationIdentifier or serialNumber, `OID.` prefixes, `;` separators, quoted values, a string
 * value for an OID type) is a DnParseError: OBF "shall reject the registration".
 */
export function parseObfDn(input: string): ObfDn {
  const s = input;
  if (s.trim() === '') throw new DnParseError('empty DN');
  const rdns: ObfAttribute[][] = [];
  let rdn: ObfAttribute[] = [];
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new DnParseError(`"${s.slice(i, i + 40)}" has no "="`);
    const rawType = s.slice(i, eq).trim();
    i = eq + 1;
    let type: string;
    const oidForm = /^\d+(\.\d+)+$/.test(rawType);
    if (oidForm) type = rawType;
    else {
      const t = RFC4514_DESCRIPTORS[rawType.toUpperCase()];
      if (!t || !/^[A-Za-z]+$/.test(rawType)) throw new DnParseError(`attribute type "${rawType}" is neither an RFC 4514 descriptor (${Object.keys(RFC4514_DESCRIPTORS).join(', ')}) nor a dotted OID`);
      type = t;
    }
    let attr: ObfAttribute;
    if (s[i] === '#') {
      const { hex, end } = readHexRun(s, i + 1);
      i = end;
      if (hex.length === 0 || hex.length % 2 !== 0) throw new DnParseError(`malformed hex value of ${rawType}`);
      attr = hexAttribute(type, hex);
    } else {
      if (oidForm) throw new DnParseError(`${rawType} is in OID format, so its value must be "#" and the hex of its ASN.1 encoding`);
      const { value, end } = readStringValue(s, i, strictValue(rawType));
      i = end;
      attr = { type, value, text: true };
    }
    rdn.push(attr);
    if (i >= s.length) break;
    const sep = s[i]!;
    if (sep !== ',' && sep !== '+') throw new DnParseError(`unexpected "${sep}" after the value of ${rawType}`);
    i++;
    if (sep === ',') {
      rdns.push(rdn);
      rdn = [];
    }
    if (i >= s.length) throw new DnParseError('the DN ends with a separator');
  }
  if (rdn.length) rdns.push(rdn);
  return rdns;
}

function sameAttribute(a: ObfAttribute, b: ObfAttribute): boolean {
  if (a.type !== b.type) return false;
  if (a.text !== b.text) return false;
  return a.text ? normalizeValue(a.value) === normalizeValue(b.value) : a.value === b.value;
}

/**
 * RFC 4517 4.2.15 distinguishedNameMatch: "The rule evaluates to TRUE if and only if the attribute
 * value and the assertion value have the same number of relative distinguished names and
 * corresponding relative distinguished names (by position) are the same. A relative distinguished
 * name (RDN) of the assertion value is the same as an RDN of the attribute value if and only if they
 * have the same number of attribute value assertions and each attribute value assertion (AVA) of
 * the first RDN is the same as the AVA of the second RDN with the same attribute type." Values are
 * compared with caseIgnoreMatch (OBF: "Section 4.2.11 of RFC 4517 (caseIgnoreMatch) must be
 * respected"), hex values of string types by their text.
 */
export function distinguishedNameMatch(a: ObfDn, b: ObfDn): boolean {
  if (a.length !== b.length) return false;
  return a.every((rdnA, i) => {
    const rdnB = b[i]!;
    return rdnA.length === rdnB.length && rdnA.every((ava) => rdnB.some((other) => sameAttribute(ava, other)));
  });
}

/** Why a DN is not in the strict OBF form, or undefined. */
export function obfDnProblem(dn: string): string | undefined {
  try {
    parseObfDn(dn);
    return undefined;
  } catch (e) {
    if (e instanceof DnParseError) return e.message;
    throw e;
  }
}
