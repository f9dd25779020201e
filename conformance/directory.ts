import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { signingKeyFromJwk } from '../fixtures/keys';
import { signJws } from '../fixtures/registration';
import { httpsRequest, type HttpExchange, type RequestOptions } from '../fixtures/https';
import type { DirectoryConfig, Target } from './target';

/** What the SSA should say about the software. */
export interface Software {
  softwareId: string;
  orgId: string;
  redirectUris: string[];
  roles: string[];
  /** Public keys the bank must find at software_jwks_endpoint. */
  jwks: JSONWebKeySet;
}

/**
 * Where SSAs come from. `base` is the SSA for valid requests; `mint` (absent for a given SSA)
 * signs one with claim overrides (null removes a claim), for the expired / not-yet-valid cases.
 */
export interface DirectoryAdapter {
  readonly mode: DirectoryConfig['mode'];
  base(): Promise<string>;
  mint?: (overrides: Record<string, unknown>) => Promise<string>;
}

type Tls = Pick<Target, 'ca' | 'insecure' | 'timeoutMs'> & {
  /** How to send the directory's requests (the session's keep-alive connections); a plain httpsRequest by default. */
  request?: (url: string, opts: RequestOptions) => Promise<HttpExchange & { transportError?: string }>;
};

async function postMock(url: string, input: Record<string, unknown>, tls: Tls): Promise<{ software_statement: string; software_jwks_endpoint: string }> {
  const res = await (tls.request ?? httpsRequest)(`${url.replace(/\/$/, '')}/ssa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
    ...(tls.ca ? { ca: tls.ca } : {}),
    insecure: tls.insecure,
    timeoutMs: tls.timeoutMs,
  });
  const failed = (res as { transportError?: string }).transportError;
  if (res.status === 0 && failed) throw new Error(failed);
  const b = res.json as { software_statement?: string; software_jwks_endpoint?: string } | undefined;
  if (res.status !== 201 || typeof b?.software_statement !== 'string') {
    throw new Error(`the mock directory at ${url} did not mint an SSA (${res.status}): ${res.text.slice(0, 300)}`);
  }
  return { software_statement: b.software_statement, software_jwks_endpoint: b.software_jwks_endpoint ?? '' };
}

function softwareClaims(sw: Software): Record<string, unknown> {
  return { software_id: sw.softwareId, org_id: sw.orgId, software_redirect_uris: sw.redirectUris, software_roles: sw.roles };
}

export function createDirectoryAdapter(config: DirectoryConfig, sw: Software, tls: Tls): DirectoryAdapter {
  switch (config.mode) {
    case 'given':
      return { mode: 'given', base: async () => config.ssa };
    case 'mock-endpoint': {
      const mint = async (overrides: Record<string, unknown>) =>
        (await postMock(config.url, { ...softwareClaims(sw), jwks: sw.jwks, ...overrides }, tls)).software_statement;
      let base: Promise<string> | undefined;
      return { mode: 'mock-endpoint', base: () => (base ??= mint({})), mint };
    }
    case 'local-key': {
      let endpoint: Promise<string> | undefined;
      const jwksEndpoint = () =>
        (endpoint ??= config.softwareJwksEndpoint
          ? Promise.resolve(config.softwareJwksEndpoint)
          : postMock(config.hostUrl!, { ...softwareClaims(sw), jwks: sw.jwks }, tls).then((r) => r.software_jwks_endpoint));
      const mint = async (overrides: Record<string, unknown>) => {
        const key = await signingKeyFromJwk({ alg: 'PS256', ...config.key });
        const now = Math.floor(Date.now() / 1000);
        const claims: Record<string, unknown> = {
          iss: config.issuer,
          iat: now,
          exp: now + 3600,
          jti: randomUUID(),
          ...softwareClaims(sw),
          software_jwks_endpoint: await jwksEndpoint(),
          ...overrides,
        };
        for (const [k, v] of Object.entries(claims)) if (v === null) delete claims[k];
        return signJws(claims, key);
      };
      let base: Promise<string> | undefined;
      return { mode: 'local-key', base: () => (base ??= mint({})), mint };
    }
  }
}
