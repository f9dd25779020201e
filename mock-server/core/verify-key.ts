import { KeyObject, constants, verify as cryptoVerify, type VerifyKeyObjectInput } from 'node:crypto';
import type { JWK, CryptoKey } from 'jose';
import { loadJose } from '../lazy';
import type { DecodedJws } from './jws';

type Imported = Promise<CryptoKey | KeyObject | Uint8Array>;

const MAX_CACHED = 1000;
const imported = new Map<string, Imported>();
/** The same JWK object (a directory's or a hosted software's JWKS) is seen request after request. */
const byObject = new WeakMap<JWK, { alg: string; key: Imported }>();

/**
 * importJWK with a bounded cache keyed by the public JWK and alg: the same directory and software
 * keys verify request after request, and importing an RSA key costs more than the verification.
 * A JWK object already seen skips serialising it for the lookup.
 */
function importCached(jwk: JWK, alg: string): Imported {
  const seen = byObject.get(jwk);
  if (seen && seen.alg === alg) return seen.key;
  const id = `${alg}|${JSON.stringify(jwk)}`;
  let key = imported.get(id);
  if (!key) {
    key = loadJose().then((j) => j.importJWK(jwk, alg));
    key.catch(() => {
      imported.delete(id);
      byObject.delete(jwk);
    });
    imported.set(id, key);
    if (imported.size > MAX_CACHED) imported.delete(imported.keys().next().value as string);
  }
  byObject.set(jwk, { alg, key });
  return key;
}

/**
 * The algorithms verified here with node:crypto on the parts decodeJws already decoded, instead of
 * handing the compact text to jose (which decodes it again, then goes through WebCrypto's job
 * queue: about three times the cost of the verification itself). Any other alg goes to jose.
 */
const DIRECT: Record<string, { hash: string; options: (key: KeyObject) => VerifyKeyObjectInput }> = {
  RS256: { hash: 'sha256', options: (key) => ({ key, padding: constants.RSA_PKCS1_PADDING }) },
  RS384: { hash: 'sha384', options: (key) => ({ key, padding: constants.RSA_PKCS1_PADDING }) },
  RS512: { hash: 'sha512', options: (key) => ({ key, padding: constants.RSA_PKCS1_PADDING }) },
  // RFC 7518 3.5: the salt is as long as the hash; WebCrypto (jose) verifies with the same length.
  PS256: { hash: 'sha256', options: (key) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }) },
  PS384: { hash: 'sha384', options: (key) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }) },
  PS512: { hash: 'sha512', options: (key) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }) },
  // RFC 7518 3.4: R || S, not DER.
  ES256: { hash: 'sha256', options: (key) => ({ key, dsaEncoding: 'ieee-p1363' }) },
  ES384: { hash: 'sha384', options: (key) => ({ key, dsaEncoding: 'ieee-p1363' }) },
  ES512: { hash: 'sha512', options: (key) => ({ key, dsaEncoding: 'ieee-p1363' }) },
};

/**
 * The KeyObject of a key jose imported for `alg`, when it may verify: the checks jose makes before
 * verifying (a CryptoKey made by importJWK for `alg` already has that alg's algorithm, hash and
 * curve; it must allow `verify`, and an RSA modulus must be 2048 bits or more).
 */
const keyObjects = new WeakMap<CryptoKey, KeyObject | null>();
function usableKeyObject(key: CryptoKey, alg: string): KeyObject | null {
  let k = keyObjects.get(key);
  if (k === undefined) {
    const rsa = alg.startsWith('RS') || alg.startsWith('PS');
    const modulus = (key.algorithm as { modulusLength?: unknown }).modulusLength;
    const ok = key.type === 'public' && key.usages.includes('verify') && (!rsa || (typeof modulus === 'number' && modulus >= 2048));
    k = ok ? KeyObject.from(key as Parameters<typeof KeyObject.from>[0]) : null;
    keyObjects.set(key, k);
  }
  return k;
}

/** One candidate key: node:crypto on the decoded parts for the usual algs, jose for anything else or any JWS naming crit or b64. */
async function verifiesWith(jws: DecodedJws, key: CryptoKey | KeyObject | Uint8Array, alg: string): Promise<boolean> {
  const direct = Object.hasOwn(DIRECT, alg) ? DIRECT[alg] : undefined; // not `constructor` or another inherited name
  // RFC 7797 b64 (which changes the signing input) and crit (whose extensions must be understood) are jose's to judge.
  if (direct && key instanceof Object && 'usages' in key && !('crit' in jws.header) && !('b64' in jws.header)) {
    const keyObject = usableKeyObject(key as CryptoKey, alg);
    if (!keyObject) return false;
    const dot = jws.compact.lastIndexOf('.');
    try {
      return cryptoVerify(direct.hash, Buffer.from(jws.compact.slice(0, dot), 'latin1'), direct.options(keyObject), Buffer.from(jws.compact.slice(dot + 1), 'base64url'));
    } catch {
      return false;
    }
  }
  const { compactVerify } = await loadJose();
  try {
    await compactVerify(jws.compact, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers whether the decoded compact JWS verifies with alg against one of the candidate keys.
 * Every call verifies: results are never cached (the bench compares the mock with a server that
 * verifies every signature; a mock remembering them would do less crypto than that baseline).
 */
export async function verifiesWithAny(jws: DecodedJws, candidates: readonly JWK[], alg: string): Promise<boolean> {
  for (const jwk of candidates) {
    let key: Awaited<Imported>;
    try {
      key = await importCached(jwk, alg);
    } catch {
      continue; // a key that does not import for alg: try the next one
    }
    if (await verifiesWith(jws, key, alg)) return true;
  }
  return false;
}
