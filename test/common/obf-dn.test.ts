import { createCa } from '../../common/certs';
import { DnParseError } from '../../common/dn';
import { attributeOf, distinguishedNameMatch, obfDnProblem, obfSubjectDn, OID, orgIdOf, parseObfDn } from '../../common/obf-dn';
import { issueObfTransportCert, makeObfIdentity } from '../../mock-server/directory/obf-identity';
import { makeFaker } from '../../mock-server/directory/identity';

/** OBF DCR 1.0 ID3, "Certificate Distinguished Name Parsing": the example subject DN of a certificate issued after August 31, 2022. */
const SPEC_DN = 'UID=67c57882-043b-11ec-9a03-0242ac130003,2.5.4.97=#0C2A4F464242522D36376335373838322D303433622D313165632D396130332D303234326163313330303033,1.3.6.1.4.1.311.60.2.1.3=#13024252,2.5.4.15=#131450726976617465204f7267616e697a6174696f6e,2.5.4.5=#130e3133333533323336303030313839,CN=mycn.bank.gov.br,OU=497e1ffe-b2a2-4a4e-8ef0-70633fd11b59,O=My Public Bank,L=BRASILIA,ST=DF,C=BR';

describe('parseObfDn: the strict RFC 4514 form OBF requires', () => {
  test('the spec example parses: descriptors as text, #hex of string types decoded, org_id after OFBBR-', () => {
    const dn = parseObfDn(SPEC_DN);
    expect(dn).toHaveLength(11);
    expect(attributeOf(dn, OID.uid)).toBe('67c57882-043b-11ec-9a03-0242ac130003');
    expect(orgIdOf(dn)).toBe('67c57882-043b-11ec-9a03-0242ac130003');
    expect(attributeOf(dn, OID.businessCategory)).toBe('Private Organization');
    expect(attributeOf(dn, OID.serialNumber)).toBe('13353236000189');
  });

  test.each([
    ['a descriptor RFC 4514 does not list', SPEC_DN.replace(/2\.5\.4\.97=#[0-9A-F]+/, 'organizationIdentifier=OFBBR-67c57882-043b-11ec-9a03-0242ac130003')],
    ['serialNumber by name', SPEC_DN.replace('2.5.4.5=#130e3133333533323336303030313839', 'serialNumber=13353236000189')],
    ['an OID with a string value', SPEC_DN.replace('2.5.4.5=#130e3133333533323336303030313839', '2.5.4.5=13353236000189')],
    ['the OID. prefix', SPEC_DN.replace('2.5.4.5=', 'OID.2.5.4.5=')],
    ['; separators (RFC 1779)', SPEC_DN.replace(/,/g, ';')],
    ['a quoted value', SPEC_DN.replace('O=My Public Bank', 'O="My Public Bank"')],
    ['odd hex', SPEC_DN.replace('#13024252', '#1302425')],
    ['a trailing separator', `${SPEC_DN},`],
    ['empty', ''],
  ])('refused: %s', (_why, dn) => {
    expect(() => parseObfDn(dn)).toThrow(DnParseError);
    expect(obfDnProblem(dn)).toEqual(expect.any(String));
  });

  test('escapes: \\, and \\2C are a comma inside the value; multi-valued RDNs with +', () => {
    const dn = parseObfDn('CN=a\\,b+UID=x,O=c\\2Cd');
    expect(dn).toEqual([[{ type: '2.5.4.3', value: 'a,b', text: true }, { type: OID.uid, value: 'x', text: true }], [{ type: '2.5.4.10', value: 'c,d', text: true }]]);
  });
});

describe('distinguishedNameMatch (RFC 4517 4.2.15) with caseIgnoreMatch', () => {
  const m = (a: string, b: string) => distinguishedNameMatch(parseObfDn(a), parseObfDn(b));
  test('case of descriptors, hex digits and values, and a PrintableString against a UTF8String of the same text: equal', () => {
    expect(m(SPEC_DN, SPEC_DN.toLowerCase())).toBe(true);
    expect(m(SPEC_DN, SPEC_DN.replace('2.5.4.97=#0C2A', '2.5.4.97=#132A'))).toBe(true);
    expect(m('CN=My  Bank', 'cn= my bank ')).toBe(true);
  });
  test('RDNs by position: another order is another DN; attributes within one RDN in any order', () => {
    expect(m(SPEC_DN, SPEC_DN.split(',').reverse().join(','))).toBe(false);
    expect(m('CN=a+UID=b,C=BR', 'UID=b+CN=a,C=BR')).toBe(true);
  });
  test('another value, one RDN less, or an RDN split in two: not equal', () => {
    expect(m(SPEC_DN, SPEC_DN.replace('UID=67c57882', 'UID=77c57882'))).toBe(false);
    expect(m(SPEC_DN, SPEC_DN.replace(',C=BR', ''))).toBe(false);
    expect(m('CN=a+UID=b', 'CN=a,UID=b')).toBe(false);
  });
});

test('obfSubjectDn renders a certificate as the spec does: reversed, descriptors as text, the other attributes #HEX; it parses back to the certificate', async () => {
  const ca = await createCa('obf dn test');
  const id = makeObfIdentity(await makeFaker(7));
  const t = await issueObfTransportCert(ca, id);
  const dn = obfSubjectDn(t.cert);
  expect(dn.startsWith(`UID=${id.software_id},2.5.4.97=#13`)).toBe(true);
  expect(dn.endsWith('L=Sao Paulo,ST=SP,C=BR')).toBe(true);
  expect(orgIdOf(parseObfDn(dn))).toBe(id.org_id);
  expect(obfSubjectDn(t.cert, 'lower')).toBe(dn.replace(/#[0-9A-F]+/g, (h) => h.toLowerCase()));
}, 30_000);
