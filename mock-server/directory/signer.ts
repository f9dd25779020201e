import type { CryptoKey, JSONWebKeySet, JWK } from 'jose';
import type { Faker } from '@faker-js/faker';
import { loadJose } from '../lazy';
import { InvalidRequest } from '../errors';
import { deepFreeze } from '../../common/json';
import { makeFaker } from './identity';

/**
 * What the mock directories share (the OB-style one, directory.ts, and the Open Finance Brasil one,
 * obf-directory.ts): the PS256 key they sign software statements with and publish, the seeded
 * faker their identities come from, the software key generated for a mint without jwks, and the
 * members every mint request may carry. What each issues (claims, ids, ownership) stays its own.
 */

/** The members a mint request of either directory may carry; each adds its own. */
export interface MintInputBase {
  software_id?: string;
  org_id?: string;
  org_name?: string;
  software_client_name?: string;
  software_redirect_uris?: string[];
  /** The roles the software is given (the directory's own vocabulary). */
  software_roles?: string[];
  /** The software's public JWKS, hosted by the directory; a key is generated when absent. */
  jwks?: JSONWebKeySet;
  /** Issued-at override (seconds since epoch), for negative tests. */
  iat?: number;
  [claim: string]: unknown;
}

/** The options both directories take for their signing identity. */
export interface SignerOptions {
  issuer: string;
  /** PS256 private JWK with kid. */
  signingKey: JWK;
  /** Public base URL of the directory (a trailing slash is dropped). */
  baseUrl: string;
  seed?: number;
}

/** The request body of a mint: a JSON object, else 400. */
export function mintInput<T extends MintInputBase>(raw: unknown): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRequest('body must be a JSON object');
  return raw as T;
}

/** A software signing key, generated (extractable) for a mint without jwks: the public JWK (kid: its thumbprint) and the private one, given out once. */
export async function generateSoftwareKey(
  alg: 'ES256' | 'PS256',
  run: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await loadJose();
  const { privateKey, publicKey } = await run(() => generateKeyPair(alg, { extractable: true, ...(alg === 'PS256' ? { modulusLength: 2048 } : {}) }));
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return { publicJwk: { ...pub, kid, alg, use: 'sig' }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' } };
}

/** A directory's signing identity: issuer, base URL, its PS256 key (published by jwks(), used by sign()) and its faker. */
export class DirectorySigner {
  readonly issuer: string;
  readonly baseUrl: string;
  protected readonly signingJwk: JWK;
  private signingKey: CryptoKey | undefined;
  private fakerOnce: Promise<Faker> | undefined;
  protected readonly seed: number | undefined;

  constructor(opts: SignerOptions) {
    this.issuer = opts.issuer;
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.signingJwk = opts.signingKey;
    this.seed = opts.seed;
  }

  get kid(): string {
    return this.signingJwk.kid!;
  }

  /** The directory's public signing keys (a new copy: the caller may change it). */
  jwks(): JSONWebKeySet {
    const { kty, n, e, kid } = this.signingJwk;
    return { keys: [{ kty, n, e, kid, alg: 'PS256', use: 'sig' } as JWK] };
  }

  private trusted: Readonly<JSONWebKeySet> | undefined;

  /**
   * The same keys for the bank's trust store, one frozen object for the life of the directory:
   * verifying an SSA finds its imported key by the JWK object (core/verify-key.ts), and a new
   * copy per registration made it serialise the key again to find it.
   */
  trustedJwks(): Readonly<JSONWebKeySet> {
    return (this.trusted ??= deepFreeze(this.jwks()));
  }

  /** Signs claims with the directory's key: PS256 under its kid, typ JWT. */
  async signClaims(claims: Record<string, unknown>): Promise<string> {
    const { importJWK, SignJWT } = await loadJose();
    this.signingKey ??= (await importJWK(this.signingJwk, 'PS256')) as CryptoKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: this.kid, typ: 'JWT' }).sign(this.signingKey);
  }

  /** The directory's faker (seeded when asked), made once. */
  protected faker(): Promise<Faker> {
    return (this.fakerOnce ??= makeFaker(this.seed));
  }
}
