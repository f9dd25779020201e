import type { CertBundle } from '../../../mock-server/tls/certs';
import type { SigningKey } from '../../../fixtures/keys';
import type { Capabilities, Target } from '../../../conformance/target';

/**
 * The target for a test bank on 127.0.0.1 (the strict bank, the second bank): the pack mints its
 * own SSAs with the directory key (local-key) naming the software JWKS on the directory keystore,
 * which the bank holds (its network, simulated), so every SSA check runs.
 */
export function localKeyTarget(url: string, certs: CertBundle, software: SigningKey, directory: { issuer: string; jwksEndpoint: string }, capabilities: Capabilities): Target {
  return {
    discoveryUrl: `${url}/.well-known/openid-configuration`,
    specVersion: '3.3',
    transport: { cert: certs.tpp.cert, key: certs.tpp.key },
    ...(certs.altTpp ? { altTransport: { cert: certs.altTpp.cert, key: certs.altTpp.key } } : {}),
    ca: certs.ca.cert,
    insecure: false,
    signingKey: software.privateJwk,
    softwareId: certs.tpp.software_id,
    orgId: certs.tpp.org_id,
    redirectUris: ['https://tpp.example.com/callback', 'https://tpp.example.com/cb2'],
    roles: ['AISP', 'PISP', 'CBPII'],
    subjectDn: certs.tpp.dn,
    directory: { mode: 'local-key', key: certs.directoryKey, issuer: directory.issuer, softwareJwksEndpoint: directory.jwksEndpoint },
    capabilities,
    timeoutMs: 10_000,
  };
}
