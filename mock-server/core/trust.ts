import type { JWK, JSONWebKeySet } from 'jose';

/** A directory whose SSAs this bank accepts. */
export interface TrustedDirectory {
  /** The SSA `iss` value this directory signs with. */
  readonly issuer: string;
  /** The directory's public signing keys. */
  readonly jwks: () => Promise<JSONWebKeySet> | JSONWebKeySet;
  /** Hosts the software JWKS named in its SSAs may be fetched from. */
  readonly jwksHosts: readonly string[];
}

export interface TrustStore {
  directory(issuer: string): TrustedDirectory | undefined;
  issuers(): string[];
}

export function createTrustStore(directories: readonly TrustedDirectory[]): TrustStore {
  const byIssuer = new Map(directories.map((d) => [d.issuer, d]));
  return {
    directory: (issuer) => byIssuer.get(issuer),
    issuers: () => [...byIssuer.keys()],
  };
}

/** Picks the verification candidates for a JWS header: the key named by kid, or every signing key. */
export function candidateKeys(jwks: JSONWebKeySet, kid: unknown, alg: string): JWK[] {
  const usable = jwks.keys.filter((k) => (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === alg));
  if (typeof kid === 'string') return usable.filter((k) => k.kid === kid);
  return usable;
}
