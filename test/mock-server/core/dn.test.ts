import { parseDn, dnEquals, formatDn, DnParseError } from '../../../mock-server/core/dn';

describe('parseDn', () => {
  test('RFC 4514, most specific first', () => {
    expect(parseDn('CN=abc,OU=0015800001HQQrZAAX,O=Org Ltd,C=GB').flat()).toEqual([
      { type: '2.5.4.3', value: 'abc' },
      { type: '2.5.4.11', value: '0015800001HQQrZAAX' },
      { type: '2.5.4.10', value: 'Org Ltd' },
      { type: '2.5.4.6', value: 'GB' },
    ]);
  });
  test("Node's X509Certificate.subject (one RDN a line)", () => {
    expect(parseDn('C=GB\nO=Org Ltd\nCN=abc')).toHaveLength(3);
  });
  test('escapes, quoted values, multi-valued RDNs and hex-encoded values', () => {
    expect(parseDn('CN=a\\,b+UID=x,O="Quoted, Ltd"')).toEqual([
      [{ type: '2.5.4.3', value: 'a,b' }, { type: '0.9.2342.19200300.100.1.1', value: 'x' }],
      [{ type: '2.5.4.10', value: 'Quoted, Ltd' }],
    ]);
    // 2.5.4.97 as a BER UTF8String, the form Go prints for organizationIdentifier
    const hex = Buffer.concat([Buffer.from([0x0c, 16]), Buffer.from('PSDGB-FCA-123456')]).toString('hex');
    expect(parseDn(`2.5.4.97=#${hex}`)).toEqual([[{ type: '2.5.4.97', value: 'PSDGB-FCA-123456' }]]);
    expect(parseDn('CN=caf\\C3\\A9')).toEqual([[{ type: '2.5.4.3', value: 'café' }]]);
  });
  test.each([[''], ['CN'], ['XYZ=1'], ['CN=a,=b'], ['CN=#zz'], ['CN="open']])('malformed %j throws', (s) => {
    expect(() => parseDn(s)).toThrow(DnParseError);
  });
});

describe('dnEquals', () => {
  const obie = 'CN=0015800001HQQrZAAX,OU=0015800001HQQrZAAX,O=OpenBanking,C=GB';
  test.each([
    ['reversed order (OpenSSL vs Go)', 'C=GB, O=OpenBanking, OU=0015800001HQQrZAAX, CN=0015800001HQQrZAAX'],
    ['case and spacing', 'cn=0015800001hqqrzaax,  ou=0015800001HQQrZAAX, o=openbanking , c=gb'],
    ['long attribute names and OIDs', 'commonName=0015800001HQQrZAAX,2.5.4.11=0015800001HQQrZAAX,organizationName=OpenBanking,countryName=GB'],
    ['semicolons (RFC 1779)', 'CN=0015800001HQQrZAAX; OU=0015800001HQQrZAAX; O=OpenBanking; C=GB'],
  ])('equal: %s', (_n, other) => {
    expect(dnEquals(obie, other)).toBe(true);
  });
  test.each([
    ['another CN', 'CN=other,OU=0015800001HQQrZAAX,O=OpenBanking,C=GB'],
    ['a missing attribute', 'CN=0015800001HQQrZAAX,O=OpenBanking,C=GB'],
    ['an extra attribute', `${obie},L=London`],
    ['malformed', 'CN=0015800001HQQrZAAX,,,'],
    ['garbage', 'not a dn'],
  ])('not equal: %s', (_n, other) => {
    expect(dnEquals(obie, other)).toBe(false);
  });
  test('organizationIdentifier by name, OID and hex agree', () => {
    const hex = Buffer.concat([Buffer.from([0x13, 6]), Buffer.from('PSDGB1')]).toString('hex');
    expect(dnEquals('organizationIdentifier=PSDGB1,CN=a', `CN=a,2.5.4.97=#${hex}`)).toBe(true);
    expect(dnEquals('OID.2.5.4.97=PSDGB1,CN=a', 'CN=a,organizationIdentifier=PSDGB1')).toBe(true);
  });
});

describe('formatDn', () => {
  test('round-trips with escaping', () => {
    const dn = 'CN=a\\,b,O=x\\+y,C=GB';
    expect(formatDn(parseDn(dn))).toBe(dn);
    expect(formatDn(parseDn('C=GB\nO=Org\nCN=x'), 'most-specific-first')).toBe('CN=x,O=Org,C=GB');
  });
});
