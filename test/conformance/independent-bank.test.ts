import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { signingKey, type SigningKey } from '../../fixtures/keys';
import { runPack } from '../../conformance/runner';
import type { Target } from '../../conformance/target';
import { startStrictBank, type Bug, type StrictBank } from './servers/strict-bank';

const DIRECTORY_ISSUER = 'Strict Test Directory';
const KEYSTORE_HOST = 'keystore.strict-directory.test';

let certs: CertBundle;
let software: SigningKey;
let jwksEndpoint: string;
const banks: StrictBank[] = [];

async function bank(bugs: Bug[] = []): Promise<StrictBank> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = certs.directoryKey;
  const b = await startStrictBank({
    tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
    directory: { issuer: DIRECTORY_ISSUER, jwks: { keys: [pub] }, keystoreHost: KEYSTORE_HOST },
    softwareJwks: new Map([[jwksEndpoint, { keys: [software.publicJwk] }]]),
    bugs,
  });
  banks.push(b);
  return b;
}

function target(b: StrictBank): Target {
  return {
    discoveryUrl: `${b.url}/.well-known/openid-configuration`,
    specVersion: '3.3',
    transport: { cert: certs.tpp.cert, key: certs.tpp.key },
    altTransport: { cert: certs.altTpp!.cert, key: certs.altTpp!.key },
    ca: certs.ca.cert,
    insecure: false,
    signingKey: software.privateJwk,
    softwareId: certs.tpp.software_id,
    orgId: certs.tpp.org_id,
    redirectUris: ['https://tpp.example.com/callback', 'https://tpp.example.com/cb2'],
    roles: ['AISP', 'PISP', 'CBPII'],
    subjectDn: certs.tpp.dn,
    directory: { mode: 'local-key', key: certs.directoryKey, issuer: DIRECTORY_ISSUER, softwareJwksEndpoint: jwksEndpoint },
    capabilities: { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic'], contentType: 'application/jose' },
    timeoutMs: 10_000,
  };
}

beforeAll(async () => {
  [certs, software] = await Promise.all([generateBundle(), signingKey('PS256')]);
  jwksEndpoint = `https://${KEYSTORE_HOST}/${certs.tpp.org_id}/${certs.tpp.software_id}.jwks`;
}, 60_000);
afterAll(async () => {
  await Promise.all(banks.map((b) => b.close()));
});

test('the whole pack against the correct strict bank', async () => {
  const started = Date.now();
  const run = await runPack(target(await bank()));
  console.log(`ms ${Date.now() - started}`);
  console.log(run.results.filter((r) => r.outcome !== 'pass').map((r) => `${r.id} ${r.outcome}: ${r.message}`).join('\n'));
  expect(run.results.filter((r) => r.outcome === 'fail' || r.outcome === 'blocked')).toEqual([]);
}, 120_000);
