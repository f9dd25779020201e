import type { JWK } from 'jose';
import type { SecondBankBug } from './bugs';

export interface SecondBankOptions {
  /** Server certificate and key (PEM); the CA (PEM) client certificates must chain to. */
  tls: { cert: string; key: string; ca: string };
  /** SSAs: iss === issuer, signed PS256 by a key of jwks (by kid); software JWKS only from https://<keystoreHost>/... */
  directory: { issuer: string; jwks: { keys: JWK[] }; keystoreHost: string };
  /** The simulated network: the JWKS served at URLs on the keystore host. */
  softwareJwks: ReadonlyMap<string, { keys: JWK[] }>;
  bugs?: Iterable<SecondBankBug>;
}
