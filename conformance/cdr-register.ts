import { randomUUID } from 'node:crypto';
import { signingKeyFromJwk } from '../fixtures/keys';
import { decodePayload, signJws } from '../fixtures/registration';
import { cdrSsaClaims } from '../fixtures/cdr';
import { httpsRequest, type Credentials, type HttpExchange, type RequestOptions } from '../fixtures/https';
import type { DirectoryAdapter, Software } from './directory';
import type { DirectoryConfig, Target } from './target';

/**
 * Where the cdr dialect's SSAs come from: the CDR Register (Register standards, "Get Software
 * Statement Assertion": GET /cdr-register/v1/{industry}/data-recipients/brands/{brandId}/
 * software-products/{softwareProductId}/ssa), signed PS256 by the Register with iss "cdr-register",
 * a 10-minute lifetime and a jti, naming the software product's jwks_uri and redirect_uris.
 *
 * given: the SSA as given. local-key: signed here with the Register key the target holds (the
 * bank trusts its JWKS), naming softwareJwksEndpoint, or the JWKS a mock directory hosts.
 * mock-endpoint: the mock Register: the software product is loaded first (a mock-only POST of its
 * redirect URIs and public JWKS, which the mock hosts), then its SSA is fetched; with the Register
 * key known, changed SSAs are re-signed with it.
 */
export const CDR_REGISTER_ISSUER = 'cdr-register';
export const CDR_INDUSTRY = 'banking';

type Tls = Pick<Target, 'ca' | 'insecure' | 'timeoutMs'> & { request?: (url: string, opts: RequestOptions) => Promise<HttpExchange & { transportError?: string }> };

/** The SSA claims the Register asserts about the target's software product (fixtures/cdr.ts). */
export const cdrSsaClaimsOf = (sw: Software, jwksUri: string, issuer = CDR_REGISTER_ISSUER) => cdrSsaClaims({ softwareId: sw.softwareId, brandId: sw.orgId, redirectUris: sw.redirectUris }, jwksUri, { issuer });

function productUrl(base: string, sw: Software): string {
  return `${base.replace(/\/$/, '')}/${CDR_INDUSTRY}/data-recipients/brands/${encodeURIComponent(sw.orgId || 'brand')}/software-products/${encodeURIComponent(sw.softwareId)}`;
}

async function call(url: string, method: 'GET' | 'POST', tls: Tls, client: Credentials | undefined, body?: unknown) {
  const res = await (tls.request ?? httpsRequest)(url, {
    method,
    headers: { accept: 'application/jwt, application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(client ? { client } : {}),
    insecure: tls.insecure,
    timeoutMs: tls.timeoutMs,
  });
  const failed = (res as { transportError?: string }).transportError;
  if (res.status === 0 && failed) throw new Error(failed);
  return res;
}

/** Claims of an SSA with overrides (null removes a claim), re-signed with the Register key. */
function resigner(jwk: NonNullable<Extract<DirectoryConfig, { mode: 'local-key' }>['key']>) {
  const key = signingKeyFromJwk({ alg: 'PS256', ...jwk });
  return async (claims: Record<string, unknown>, overrides: Record<string, unknown>) => {
    const c: Record<string, unknown> = { ...claims, jti: randomUUID(), ...overrides };
    for (const [k, v] of Object.entries(c)) if (v === null) delete c[k];
    return signJws(c, await key, { typ: 'JWT' });
  };
}

export function createCdrRegisterAdapter(config: DirectoryConfig, sw: Software, tls: Tls, transport: Credentials | undefined, withKey: DirectoryAdapter['withKey'] | undefined, hostJwks: () => Promise<string>): DirectoryAdapter {
  switch (config.mode) {
    case 'given':
      return { mode: 'given', base: async () => config.ssa };
    case 'none':
      throw new Error('the cdr dialect needs an SSA from the CDR Register');
    case 'local-key': {
      const sign = resigner(config.key);
      const mint = async (overrides: Record<string, unknown>) => {
        const jwksUri = config.softwareJwksEndpoint ?? (await hostJwks());
        return sign(cdrSsaClaimsOf(sw, jwksUri, config.issuer), overrides);
      };
      let base: Promise<string> | undefined;
      return { mode: 'local-key', base: () => (base ??= mint({})), mint, ...(withKey ? { withKey } : {}) };
    }
    case 'mock-endpoint': {
      const fetchSsa = async () => {
        const product = productUrl(config.url, sw);
        const loaded = await call(product, 'POST', tls, transport, { redirect_uris: sw.redirectUris, jwks: sw.jwks });
        if (loaded.status !== 201 && loaded.status !== 200) throw new Error(`the mock CDR Register at ${config.url} did not load the software product (${loaded.status}): ${loaded.text.slice(0, 300)}`);
        const r = await call(`${product}/ssa`, 'GET', tls, transport);
        const ssa = r.text.trim().replace(/^"|"$/g, '');
        if (r.status !== 200 || ssa.split('.').length !== 3) throw new Error(`the mock CDR Register at ${config.url} did not issue an SSA (${r.status}): ${r.text.slice(0, 300)}`);
        return ssa;
      };
      let base: Promise<string> | undefined;
      const baseSsa = () => (base ??= fetchSsa());
      const sign = config.key ? resigner(config.key) : undefined;
      return {
        mode: 'mock-endpoint',
        base: baseSsa,
        ...(sign ? { mint: async (overrides: Record<string, unknown>) => sign(decodePayload(await baseSsa()), overrides) } : {}),
        ...(withKey ? { withKey } : {}),
      };
    }
  }
}
