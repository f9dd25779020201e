import { compactVerify, importJWK, type JWK, type KeyObject, type CryptoKey } from 'jose';

const MAX_CACHED = 1000;
const imported = new Map<string, Promise<CryptoKey | KeyObject | Uint8Array>>();

/**
 * importJWK with a bounded cache keyed by the public JWK and alg: the same directory and software
 * keys verify request after request, and importing an RSA key costs more than the verification.
 */
function importCached(jwk: JWK, alg: string): Promise<CryptoKey | KeyObject | Uint8Array> {
  const id = `${alg}|${JSON.stringify(jwk)}`;
  let key = imported.get(id);
  if (!key) {
    key = importJWK(jwk, alg);
    key.catch(() => imported.delete(id));
    imported.set(id, key);
    if (imported.size > MAX_CACHED) imported.delete(imported.keys().next().value as string);
  }
  return key;
}

/** Answers whether the compact JWS verifies with alg against one of the candidate keys. */
export async function verifiesWithAny(compact: string, candidates: readonly JWK[], alg: string): Promise<boolean> {
  for (const jwk of candidates) {
    try {
      await compactVerify(compact, await importCached(jwk, alg), { algorithms: [alg] });
      return true;
    } catch {
      // try the next candidate key
    }
  }
  return false;
}
