/**
 * verifiesWithAny verifies the usual algs with node:crypto on the decoded parts and anything else
 * with jose: both must answer as jose alone would, for good signatures and for every way one can
 * be wrong (another key, a tampered payload, the wrong encoding, a weak key, a key not for
 * verifying, crit / b64 headers).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { verifiesWithAny } from '../../../mock-server/core/verify-key';
import { decodeJws } from '../../../common/jws';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = { iss: 'tpp', jti: 'x' };

async function keyPair(alg: string, options: Record<string, unknown> = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { privateKey, publicJwk: (await exportJWK(publicKey)) as JWK };
}

async function signed(alg: string, privateKey: CryptoKey, header: Record<string, unknown> = {}, payload: unknown = claims) {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg, ...header }).sign(privateKey);
}

const check = (compact: string, keys: JWK[], alg: string) => verifiesWithAny(decodeJws(compact, 'test'), keys, alg);

describe.each(['PS256', 'RS256', 'ES256', 'PS512', 'ES384', 'EdDSA'])('%s', (alg) => {
  let a: Awaited<ReturnType<typeof keyPair>>;
  let b: Awaited<ReturnType<typeof keyPair>>;
  beforeAll(async () => {
    [a, b] = await Promise.all([keyPair(alg), keyPair(alg)]);
  });

  test('a signature by the key verifies; among other keys too', async () => {
    const jws = await signed(alg, a.privateKey as CryptoKey);
    expect(await check(jws, [a.publicJwk], alg)).toBe(true);
    expect(await check(jws, [b.publicJwk, a.publicJwk], alg)).toBe(true);
  });

  test('another key, a changed payload, a changed header, a cut signature: refused', async () => {
    const jws = await signed(alg, a.privateKey as CryptoKey);
    expect(await check(jws, [b.publicJwk], alg)).toBe(false);
    const [h, , s] = jws.split('.');
    expect(await check(`${h}.${enc({ ...claims, jti: 'y' })}.${s}`, [a.publicJwk], alg)).toBe(false);
    expect(await check(`${enc({ alg, kid: 'k' })}.${jws.split('.')[1]}.${s}`, [a.publicJwk], alg)).toBe(false);
    expect(await check(jws.slice(0, -4), [a.publicJwk], alg)).toBe(false);
    expect(await check(`${h}.${jws.split('.')[1]}.`, [a.publicJwk], alg)).toBe(false);
  });

  test('no candidate keys: refused', async () => {
    expect(await check(await signed(alg, a.privateKey as CryptoKey), [], alg)).toBe(false);
  });
});

test('an ES256 signature in DER (not R || S, RFC 7518 3.4) is refused', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const input = `${enc({ alg: 'ES256' })}.${enc(claims)}`;
  const der = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
  const raw = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  expect(await check(`${input}.${raw}`, [jwk], 'ES256')).toBe(true);
  expect(await check(`${input}.${der}`, [jwk], 'ES256')).toBe(false);
});

test('a PS256 signature with a salt shorter than the hash is refused, as WebCrypto refuses it', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = `${enc({ alg: 'PS256' })}.${enc(claims)}`;
  const pss = (saltLength: number) => sign('sha256', Buffer.from(input), { key: privateKey, padding: 6, saltLength }).toString('base64url');
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  expect(await check(`${input}.${pss(32)}`, [jwk], 'PS256')).toBe(true);
  expect(await check(`${input}.${pss(20)}`, [jwk], 'PS256')).toBe(false);
});

test('an RSA key under 2048 bits does not verify, even a signature it made', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const input = `${enc({ alg: 'RS256' })}.${enc(claims)}`;
  const sig = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
  expect(await check(`${input}.${sig}`, [publicKey.export({ format: 'jwk' }) as JWK], 'RS256')).toBe(false);
});

test('a key of another type or curve than alg names does not verify', async () => {
  const a = await keyPair('ES256');
  const jws = await signed('ES256', a.privateKey as CryptoKey);
  const p384 = await keyPair('ES384');
  expect(await check(jws, [p384.publicJwk], 'ES256')).toBe(false);
  const rsa = await keyPair('PS256');
  expect(await check(jws, [rsa.publicJwk], 'ES256')).toBe(false);
});

test('a key whose key_ops do not include verify is not used', async () => {
  const a = await keyPair('PS256');
  const jws = await signed('PS256', a.privateKey as CryptoKey);
  expect(await check(jws, [{ ...a.publicJwk, key_ops: ['verify'] }], 'PS256')).toBe(true);
  expect(await check(jws, [{ ...a.publicJwk, key_ops: ['encrypt'] }], 'PS256')).toBe(false);
});

test('crit naming an extension nobody understands is refused; b64 false changes the signing input (RFC 7797) and is judged by jose', async () => {
  const a = await keyPair('PS256');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const critInput = `${enc({ alg: 'PS256', crit: ['urn:example:unknown'], 'urn:example:unknown': 1 })}.${enc(claims)}`;
  const critSig = sign('sha256', Buffer.from(critInput), { key: privateKey, padding: 6, saltLength: 32 }).toString('base64url');
  expect(await check(`${critInput}.${critSig}`, [publicKey.export({ format: 'jwk' }) as JWK], 'PS256')).toBe(false);
  // Unencoded payload: the signature is over the raw payload; the compact form carries it base64url
  // encoded here only so that it decodes: jose (and RFC 7797) refuses b64 false without crit b64.
  const input = `${enc({ alg: 'PS256', b64: false })}.${enc(claims)}`;
  const sig = await new CompactSign(new TextEncoder().encode(enc(claims))).setProtectedHeader({ alg: 'PS256', b64: false }).sign(a.privateKey);
  expect(await check(`${input}.${sig.split('.')[2]}`, [a.publicJwk], 'PS256')).toBe(false);
});

test('alg none and HS256 are refused with any public key', async () => {
  const a = await keyPair('PS256');
  const none = `${enc({ alg: 'none' })}.${enc(claims)}.`;
  expect(await check(none, [a.publicJwk], 'none')).toBe(false);
  const hs = `${enc({ alg: 'HS256' })}.${enc(claims)}.${Buffer.from('x').toString('base64url')}`;
  expect(await check(hs, [a.publicJwk], 'HS256')).toBe(false);
});

test('an alg named like an inherited member of an object (constructor, toString) is refused, not looked up', async () => {
  const a = await keyPair('PS256');
  for (const alg of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const jws = `${enc({ alg })}.${enc(claims)}.${Buffer.from('sig').toString('base64url')}`;
    expect(await check(jws, [a.publicJwk], alg)).toBe(false);
  }
});
