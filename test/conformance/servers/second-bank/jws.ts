/**
 * Compact JWS handling with node:crypto only, so every wrong verification a bug switch asks for
 * can be written exactly. Pure: no I/O, no clock.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string): Record<string, unknown> | undefined {
  if (!B64URL.test(part)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7515 7.1 compact serialization; undefined when it is not one. */
export function parseCompact(text: string): ParsedJws | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  const payload = decodeJson(p);
  if (!header || !payload || !B64URL.test(s)) return undefined;
  return { header, payload, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature: Buffer.from(s, 'base64url') };
}

export const FAPI_ALGS = ['PS256', 'ES256'] as const;

export function keyObject(jwk: JWK): KeyObject | undefined {
  try {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...pub } = jwk as Record<string, unknown>;
    return createPublicKey({ key: pub as never, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** Whether a JWK may verify a signature of this alg: right key type/curve, and alg/use agree when stated. */
export function keyFits(jwk: JWK, alg: string): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (alg === 'PS256' || alg === 'RS256') return jwk.kty === 'RSA';
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  return false;
}

/** Asymmetric verification, exactly as RFC 7518 3.3/3.4/3.5 defines it (PSS salt length 32 for PS256). */
export function verifyAsymmetric(alg: string, jwk: JWK, jws: ParsedJws): boolean {
  const key = keyObject(jwk);
  if (!key) return false;
  try {
    switch (alg) {
      case 'PS256':
        return cryptoVerify('sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, jws.signature);
      case 'RS256':
        return cryptoVerify('sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, jws.signature);
      case 'ES256':
        return jws.signature.length === 64 && cryptoVerify('sha256', jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

export type HmacSecretForm = 'spki-pem-newline' | 'spki-pem-no-newline' | 'pkcs1-pem' | 'spki-der' | 'pkcs1-der' | 'jwk-json';

/** The bytes a confused implementation uses as the HS256 secret when it is handed a public key. */
export function hmacSecret(form: HmacSecretForm, jwk: JWK): Buffer | undefined {
  const key = keyObject(jwk);
  if (!key) return undefined;
  try {
    switch (form) {
      case 'spki-pem-newline':
        return Buffer.from(key.export({ type: 'spki', format: 'pem' }) as string, 'utf8');
      case 'spki-pem-no-newline':
        return Buffer.from((key.export({ type: 'spki', format: 'pem' }) as string).replace(/\n+$/, ''), 'utf8');
      case 'pkcs1-pem':
        return key.asymmetricKeyType === 'rsa' ? Buffer.from(key.export({ type: 'pkcs1', format: 'pem' }) as string, 'utf8') : undefined;
      case 'spki-der':
        return key.export({ type: 'spki', format: 'der' });
      case 'pkcs1-der':
        return key.asymmetricKeyType === 'rsa' ? key.export({ type: 'pkcs1', format: 'der' }) : undefined;
      case 'jwk-json':
        return Buffer.from(JSON.stringify(jwk), 'utf8');
    }
  } catch {
    return undefined;
  }
}

export function verifyHs256(secret: Buffer, jws: ParsedJws): boolean {
  const mac = createHmac('sha256', secret).update(jws.signingInput).digest();
  return mac.length === jws.signature.length && timingSafeEqual(mac, jws.signature);
}

/** Header parameters that would let the signer choose its own key (RFC 7515 4.1.2-4.1.6). */
export const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
