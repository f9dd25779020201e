import { parseDn, dnEquals, formatDn, DnParseError, certificateSubject } from '../../common/dn';

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

describe('hostile and unusual values (issue 11)', () => {
  test.each([
    ['CN=#1e03414243', /malformed BMPString/], // 3 bytes of UTF-16: swap16 threw a RangeError
    ['CN=#1c03414243', /malformed UniversalString/],
    ['CN=#1c0400110000', /is not a character/],
    ['CN=#1e8101', /truncated|malformed hex/],
    ['CN=#1e85ffffffffff41', /unsupported BER length|malformed hex/],
  ])('%s throws a DnParseError', (dn, message) => {
    expect(() => parseDn(dn)).toThrow(DnParseError);
    expect(() => parseDn(dn)).toThrow(message);
    expect(dnEquals(dn, dn)).toBe(false);
  });

  test('BMPString and UniversalString values decode', () => {
    expect(parseDn('CN=#1e06004100420043')).toEqual([[{ type: '2.5.4.3', value: 'ABC' }]]);
    expect(parseDn('CN=#1c080000004100000042')).toEqual([[{ type: '2.5.4.3', value: 'AB' }]]);
  });

  test("the names OpenSSL prints for QWAC and EV attributes parse to their OIDs", () => {
    const dn = parseDn('jurisdictionC=GB\njurisdictionST=England\njurisdictionL=London\nbusinessCategory=Private Organization\npostalCode=EC1A\ndnQualifier=q\nserialNumber=1\norganizationIdentifier=PSDGB-FCA-1\n1.2.3.4=x');
    expect(dn.flat().map((a) => a.type)).toEqual([
      '1.3.6.1.4.1.311.60.2.1.3', '1.3.6.1.4.1.311.60.2.1.2', '1.3.6.1.4.1.311.60.2.1.1', '2.5.4.15', '2.5.4.17', '2.5.4.46', '2.5.4.5', '2.5.4.97', '1.2.3.4',
    ]);
    expect(formatDn(dn)).toBe('1.3.6.1.4.1.311.60.2.1.3=GB,1.3.6.1.4.1.311.60.2.1.2=England,1.3.6.1.4.1.311.60.2.1.1=London,2.5.4.15=Private Organization,2.5.4.17=EC1A,2.5.4.46=q,SERIALNUMBER=1,organizationIdentifier=PSDGB-FCA-1,1.2.3.4=x');
  });

  test('control characters are escaped as \\XX, so the formatted DN parses back to the same attributes', () => {
    const dn = [[{ type: '2.5.4.3', value: 'a\nb\u0000c' }], [{ type: '2.5.4.10', value: 'O' }]];
    const s = formatDn(dn);
    expect(s).toBe('CN=a\\0Ab\\00c,O=O');
    expect(parseDn(s)).toEqual(dn);
  });
});

describe('certificateSubject: the subject Name read from the DER', () => {
  const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag, content.length]), content]);
  const atv = (oid: string, tag: number, value: string) => tlv(0x31, tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from(oid, 'hex')), tlv(tag, tag === 0x1e ? Buffer.from(value, 'utf16le').swap16() : Buffer.from(value, 'utf8'))])));
  const cert = (...rdns: Buffer[]) => {
    const name = tlv(0x30, Buffer.concat(rdns));
    const tbs = tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x30, Buffer.alloc(0)), tlv(0x30, Buffer.alloc(0)), tlv(0x30, Buffer.alloc(0)), name]));
    return tlv(0x30, tbs);
  };

  test('every attribute by OID, strings of every ASN.1 string type', () => {
    const der = cert(
      atv('550406', 0x13, 'GB'),
      atv('550411', 0x0c, 'EC1A 1BB'), // postalCode 2.5.4.17
      atv('2b0601040182373c020103', 0x13, 'GB'), // jurisdictionC 1.3.6.1.4.1.311.60.2.1.3
      atv('88370101', 0x0c, 'big arc'), // 2.999.1.1
      atv('550403', 0x1e, 'qwac'), // BMPString
    );
    expect(certificateSubject(der)).toEqual([
      [{ type: '2.5.4.6', value: 'GB' }],
      [{ type: '2.5.4.17', value: 'EC1A 1BB' }],
      [{ type: '1.3.6.1.4.1.311.60.2.1.3', value: 'GB' }],
      [{ type: '2.999.1.1', value: 'big arc' }],
      [{ type: '2.5.4.3', value: 'qwac' }],
    ]);
  });

  test('a value of a non-string type is kept as the hex of its encoding', () => {
    const der = cert(tlv(0x31, tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from('55042d', 'hex')), tlv(0x03, Buffer.from([0, 0xff]))]))));
    expect(certificateSubject(der)).toEqual([[{ type: '2.5.4.45', value: '030200ff' }]]);
  });

  test.each([
    ['empty', Buffer.alloc(0)],
    ['not a SEQUENCE', Buffer.from([0x02, 0x01, 0x00])],
    ['truncated', Buffer.from([0x30, 0x10, 0x30])],
    ['random bytes', Buffer.from('30820000deadbeef', 'hex')],
  ])('%s: a DnParseError, never another error', (_n, der) => {
    expect(() => certificateSubject(der)).toThrow(DnParseError);
  });
});
