import type { JWK, KeyObject, CryptoKey } from 'jose';
import { loadJose } from '../lazy';

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

/** Answers whether the compact JWS verifies with alg against one of the candidate keys. */
export async function verifiesWithAny(compact: string, candidates: readonly JWK[], alg: string): Promise<boolean> {
  const { compactVerify } = await loadJose();
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
