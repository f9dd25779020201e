import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { signingKeyFromJwk, type SigningKey } from '../fixtures/keys';
import { signJws } from '../fixtures/registration';
import { httpsRequest, type Credentials, type HttpExchange, type RequestOptions } from '../fixtures/https';
import type { DirectoryConfig, Target } from './target';
import type { Dialect } from './dialects';
import { createCdrRegisterAdapter } from './cdr-register';

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
  /**
   * Signs any claims with the directory's real key (PS256, its kid unless the header says otherwise),
   * and gives its public key: only when the pack holds the directory key (local-key, or a mock
   * endpoint whose key is known), for the SSA near misses (the real key under an unknown kid, HS256
   * keyed with the directory's public key).
   */
  withKey?: {
    sign: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;
    publicPem: () => Promise<string>;
    /** The directory key itself, for an SSA made byte by byte (conformance/sweep/ssa.ts). */
    key: () => Promise<SigningKey>;
  };
}

function withKey(jwk: JWK): NonNullable<DirectoryAdapter['withKey']> {
  const key = signingKeyFromJwk({ alg: 'PS256', ...jwk });
  return {
    sign: async (claims, header = {}) => signJws(claims, await key, header),
    publicPem: async () => createPublicKey({ key: (await key).publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString(),
    key: () => key,
  };
}

type Tls = Pick<Target, 'ca' | 'insecure' | 'timeoutMs'> & {
  /** How to send the directory's requests (the session's keep-alive connections); a plain httpsRequest by default. */
  request?: (url: string, opts: RequestOptions) => Promise<HttpExchange & { transportError?: string }>;
};

/**
 * What proves to the mock directory that the software_id is ours: the transport certificate (the
 * mock binds a software_id to the certificate that first minted for it, and the mock's own TPP
 * software_id to its transport certificate from the start), and the software_secret it returns
 * when a mint creates the software_id, kept for the later mints of the run.
 */
interface Owner {
  client?: Credentials;
  secret?: string;
}

async function postMock(url: string, input: Record<string, unknown>, tls: Tls, owner: Owner): Promise<{ software_statement: string; software_jwks_endpoint: string }> {
  const res = await (tls.request ?? httpsRequest)(`${url.replace(/\/$/, '')}/ssa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(owner.secret ? { authorization: `Bearer ${owner.secret}` } : {}) },
    body: JSON.stringify(input),
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(owner.client ? { client: owner.client } : {}),
    insecure: tls.insecure,
    timeoutMs: tls.timeoutMs,
  });
  const failed = (res as { transportError?: string }).transportError;
  if (res.status === 0 && failed) throw new Error(failed);
  const b = res.json as { software_statement?: string; software_jwks_endpoint?: string; software_secret?: string } | undefined;
  if (res.status !== 201 || typeof b?.software_statement !== 'string') {
    const hint =
      res.status === 403 ? ' (the software_id belongs to another transport certificate: use that certificate, or another softwareId)'
      : res.status === 409 ? ' (the software_id holds its maximum of keys still named by live SSAs: set signingKey to reuse one key across runs, or another softwareId)'
      : '';
    throw new Error(`the mock directory at ${url} did not mint an SSA (${res.status}): ${res.text.slice(0, 300)}${hint}`);
  }
  if (typeof b.software_secret === 'string') owner.secret ??= b.software_secret;
  return { software_statement: b.software_statement, software_jwks_endpoint: b.software_jwks_endpoint ?? '' };
}

/**
 * The SSAs the pack has the mock directory mint live an hour unless a probe says otherwise: the
 * directory keeps a software's keys while an SSA naming them is live, so a run's keys free up
 * soon after it (instead of after the directory's default year).
 */
const PACK_SSA_SECONDS = 3600;

function softwareClaims(sw: Software): Record<string, unknown> {
  return { software_id: sw.softwareId, org_id: sw.orgId, software_redirect_uris: sw.redirectUris, software_roles: sw.roles };
}

export function createDirectoryAdapter(config: DirectoryConfig, sw: Software, tls: Tls, transport?: Credentials, dialect: Dialect = 'obie'): DirectoryAdapter {
  const owner: Owner = transport ? { client: transport } : {};
  if (dialect === 'cdr') {
    // The CDR Register (conformance/cdr-register.ts); a mock directory may host the software JWKS (local-key without softwareJwksEndpoint).
    const key = config.mode === 'local-key' || config.mode === 'mock-endpoint' ? config.key : undefined;
    const hostUrl = config.mode === 'local-key' ? config.hostUrl : undefined;
    const hostJwks = async () => {
      if (!hostUrl) throw new Error('directory "local-key" needs softwareJwksEndpoint or directoryUrl (a mock directory hosting the software JWKS)');
      return (await postMock(hostUrl, { ...softwareClaims(sw), jwks: sw.jwks, exp: Math.floor(Date.now() / 1000) + PACK_SSA_SECONDS }, tls, owner)).software_jwks_endpoint;
    };
    return createCdrRegisterAdapter(config, sw, tls, transport, key ? withKey(key) : undefined, hostJwks);
  }
  switch (config.mode) {
    case 'given':
      return { mode: 'given', base: async () => config.ssa };
    case 'none':
      // No SSA: a dialect whose registration carries none (rfc7591: software_statement is optional).
      return { mode: 'none', base: async () => '' };
    case 'mock-endpoint': {
      const mint = async (overrides: Record<string, unknown>) => {
        const iat = Math.floor(Date.now() / 1000);
        const validity = 'iat' in overrides || 'exp' in overrides ? {} : { iat, exp: iat + PACK_SSA_SECONDS };
        return (await postMock(config.url, { ...softwareClaims(sw), jwks: sw.jwks, ...validity, ...overrides }, tls, owner)).software_statement;
      };
      let base: Promise<string> | undefined;
      return { mode: 'mock-endpoint', base: () => (base ??= mint({})), mint, ...(config.key ? { withKey: withKey(config.key) } : {}) };
    }
    case 'local-key': {
      let endpoint: Promise<string> | undefined;
      const jwksEndpoint = () =>
        (endpoint ??= config.softwareJwksEndpoint
          ? Promise.resolve(config.softwareJwksEndpoint)
          : postMock(config.hostUrl!, { ...softwareClaims(sw), jwks: sw.jwks, exp: Math.floor(Date.now() / 1000) + PACK_SSA_SECONDS }, tls, owner).then((r) => r.software_jwks_endpoint));
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
      return { mode: 'local-key', base: () => (base ??= mint({})), mint, withKey: withKey(config.key) };
    }
  }
}
