import { createHmac, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { rawSignature, type SigningKey } from '../../fixtures/keys';

/**
 * Compact JWS made byte by byte, so that a sweep row can change exactly one element of a request
 * (a header parameter, the alg's spelling, the signature) and nothing else. jose refuses to make
 * most of these (an alg that does not match the key, a header without alg), which is the point.
 */

/** How the signature is made: by a signing key (in an algorithm of its family), HMAC, or none at all. */
export type Signer =
  | { key: SigningKey; /** The algorithm actually used, when the header says something else (default: the header's alg, else the key's). */ as?: 'PS256' | 'RS256' | 'ES256' }
  | { hmac: Uint8Array }
  | { none: true };

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const keyObjects = new WeakMap<object, KeyObject>();
function privateKeyOf(k: SigningKey): KeyObject {
  let ko = keyObjects.get(k.privateJwk);
  if (!ko) {
    ko = createPrivateKey({ key: k.privateJwk as JsonWebKey, format: 'jwk' });
    keyObjects.set(k.privateJwk, ko);
  }
  return ko;
}

/** A compact JWS of these exact header and payload bytes, signed as the signer says. */
export function compactJws(header: Record<string, unknown>, payload: Record<string, unknown> | string, signer: Signer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if ('none' in signer) return `${input}.`;
  if ('hmac' in signer) return `${input}.${createHmac('sha256', signer.hmac).update(input).digest('base64url')}`;
  const declared = typeof header.alg === 'string' ? header.alg.toUpperCase() : undefined;
  const alg = signer.as ?? (declared === 'PS256' || declared === 'RS256' || declared === 'ES256' ? declared : signer.key.alg);
  return `${input}.${rawSignature(alg, Buffer.from(input), privateKeyOf(signer.key)).toString('base64url')}`;
}

/** The JOSE header the pack signs with by default: alg and kid of the key, typ JWT. */
export const defaultHeader = (k: SigningKey): Record<string, unknown> => ({ alg: k.alg, kid: k.kid, typ: 'JWT' });

/** The signature with one bit of its first byte flipped: the same length, never valid. */
export function flipSignature(jws: string): string {
  const [h, p, sig = ''] = jws.split('.');
  const bytes = Buffer.from(sig, 'base64url');
  if (bytes.length) bytes[0] = bytes[0]! ^ 0x01;
  return `${h}.${p}.${bytes.toString('base64url')}`;
}

/** The signature removed, the header unchanged (alg still names a signing algorithm). */
export const stripSignature = (jws: string): string => `${jws.split('.').slice(0, 2).join('.')}.`;

/**
 * The exact bytes a bank may hold for a public key, each the HMAC secret of one algorithm-confusion
 * variant (RFC 8725 2.1): a verifier that takes "the key" as an HMAC secret uses whichever of these its
 * key store happens to keep. PKCS#1 exists for RSA keys only.
 */
export function publicKeyEncodings(publicJwk: Record<string, unknown>): Array<{ name: string; bytes: Uint8Array }> {
  const pub = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  const pem = pub.export({ type: 'spki', format: 'pem' }).toString();
  const out = [
    { name: 'spki-pem', bytes: Buffer.from(pem) },
    { name: 'spki-pem-no-newline', bytes: Buffer.from(pem.replace(/\n+$/, '')) },
    { name: 'spki-der', bytes: pub.export({ type: 'spki', format: 'der' }) },
  ];
  if (publicJwk.kty === 'RSA') {
    out.push({ name: 'pkcs1-pem', bytes: Buffer.from(pub.export({ type: 'pkcs1', format: 'pem' }).toString()) });
    out.push({ name: 'pkcs1-der', bytes: pub.export({ type: 'pkcs1', format: 'der' }) });
  }
  out.push({ name: 'jwk-json', bytes: Buffer.from(JSON.stringify(publicJwk)) });
  return out;
}
