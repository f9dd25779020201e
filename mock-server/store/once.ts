import { StoreFull } from '../errors';
import type { Store } from './types';

/**
 * The single-use values (jtis) one request claims, so that they are forgotten again when the
 * request is refused only because its result could not be stored (StoreFull, 503): the client
 * can then send the very same signed request after Retry-After instead of meeting a replay refusal.
 */
export interface RequestClaims {
  claim(key: string, expiresAt: number): Promise<boolean>;
  /** Runs the store write; on StoreFull releases this request's claims and throws it on. */
  storing<T>(write: () => Promise<T>): Promise<T>;
}

export function requestClaims(store: Store): RequestClaims {
  const claimed: string[] = [];
  return {
    async claim(key, expiresAt) {
      const fresh = await store.claimOnce(key, expiresAt);
      if (fresh) claimed.push(key);
      return fresh;
    },
    async storing(write) {
      try {
        return await write();
      } catch (e) {
        if (e instanceof StoreFull && store.releaseOnce) for (const key of claimed.splice(0)) await store.releaseOnce(key);
        throw e;
      }
    },
  };
}
