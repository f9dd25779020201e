/**
 * node-oidc-provider (npm oidc-provider), a real authorization server we did not write, as a
 * foreign target of the rfc7591 dialect: started in-process on 127.0.0.1 over HTTPS (a CA and a
 * server certificate made on the spot), with dynamic registration (optionally behind a static
 * initial access token) and RFC 7592 management, rotating the registration access token on PUT.
 * Nothing of the provider is changed: the pack must judge it as it ships.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { createCa, issueCert } from '../../../common/certs';

export interface ProviderOptions {
  /** features.registration.initialAccessToken: a static token POST must carry. */
  initialAccessToken?: string;
}

export interface RunningProvider {
  issuer: string;
  discoveryUrl: string;
  /** The CA of the server certificate (the pack's `ca`). */
  ca: string;
  close(): Promise<void>;
}

let keys: Promise<{ signing: Record<string, unknown> }> | undefined;
/** The provider's own signing key (made once per process): without one it warns and uses a development key. */
const providerKeys = () =>
  (keys ??= generateKeyPair('RS256', { extractable: true }).then(async ({ privateKey }) => ({ signing: { ...(await exportJWK(privateKey)), kid: 'op-rs256', use: 'sig', alg: 'RS256' } })));

export async function startOidcProvider(opts: ProviderOptions = {}): Promise<RunningProvider> {
  const ca = await createCa('node-oidc-provider test CA');
  const cert = await issueCert(ca, [{ name: 'commonName', value: '127.0.0.1' }], { kind: 'server', hosts: ['127.0.0.1'] });
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { signing } = await providerKeys();
  const provider = new Provider(issuer, {
    jwks: { keys: [signing] },
    cookies: { keys: ['dcr-conformance-test-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, ...(opts.initialAccessToken ? { initialAccessToken: opts.initialAccessToken } : {}) },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      clientCredentials: { enabled: true },
    },
  });
  handler = provider.callback();
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    ca: ca.cert,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
