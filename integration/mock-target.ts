import type { MockBank } from '../mock-server/runtime';
import type { Capabilities, Target } from '../conformance/target';

/**
 * A target for a mock bank started in-process: its CA, its TPP transport certificate (and the
 * second one, another subject DN from the same CA), SSAs
 * minted by its directory endpoint, and the whole contract including token and GET/PUT/DELETE.
 */
export function mockTarget(bank: MockBank, capabilities: Partial<Capabilities> = {}): Target {
  return {
    discoveryUrl: `${bank.url}/.well-known/openid-configuration`,
    specVersion: '3.3',
    transport: { cert: bank.tpp.cert, key: bank.tpp.key },
    altTransport: { cert: bank.altTpp.cert, key: bank.altTpp.key },
    ca: bank.ca,
    insecure: false,
    softwareId: bank.tpp.software_id,
    orgId: bank.tpp.org_id,
    redirectUris: ['https://tpp.example.com/callback', 'https://tpp.example.com/cb2'],
    roles: ['AISP', 'PISP', 'CBPII'],
    subjectDn: bank.tpp.dn,
    directory: { mode: 'mock-endpoint', url: bank.urls.directory, key: bank.certs.directoryKey },
    capabilities: { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic'], contentType: 'application/jose', ...capabilities },
    timeoutMs: 15_000,
  };
}
