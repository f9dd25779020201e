import https from 'node:https';
import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '../config';
import { OAuthError, TemporarilyUnavailable } from '../errors';
import type { MintResult } from './directory';

/**
 * A standalone mock directory (`dcr-mockbank directory`) as a bank sees it through DIRECTORY_URL:
 * the SSA issuer, where its signing keys are, and the host its software JWKS are served from.
 */
export interface RemoteDirectory {
  /** Base URL given, without a trailing /directory, e.g. https://localhost:42001 */
  url: string;
  issuer: string;
  /** https://host:port/directory/jwks */
  jwksUrl: string;
  /** host:port of software_jwks_endpoint URLs this bank accepts. */
  host: string;
  /** The directory's JWKS as the metadata answered at start (for MockBank.directory.jwks()). */
  jwks: JSONWebKeySet;
}

/** What GET /directory/metadata answers. */
export interface DirectoryMetadata {
  issuer: string;
  jwks_uri: string;
  ssa_endpoint: string;
  software_jwks_endpoint_prefix: string;
  jwks: JSONWebKeySet;
}

const MAX_BYTES = 256 * 1024;

interface Tls {
  ca: string[];
  cert?: string;
  key?: string;
}

function request(url: string, opts: Tls & { method?: string; body?: string; headers?: Record<string, string>; timeoutMs: number }): Promise<{ status: number; json: unknown; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: opts.method ?? 'GET', ca: opts.ca, cert: opts.cert, key: opts.key, timeout: opts.timeoutMs, headers: { accept: 'application/json', ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BYTES) {
            res.destroy();
            reject(new Error(`${url} answered more than ${MAX_BYTES} bytes`));
          } else chunks.push(c);
        });
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * Reads the directory's metadata at start: its issuer name (unless DIRECTORY_ISSUER names it) and
 * JWKS. Retried for `waitMs` (a directory started beside the banks may still be coming up); then a
 * ConfigError that says what to check.
 */
export async function connectRemoteDirectory(directoryUrl: string, tls: Tls, opts: { timeoutMs: number; waitMs?: number; issuer?: string }): Promise<RemoteDirectory> {
  const base = directoryUrl.replace(/\/+$/, '').replace(/\/directory$/, '');
  const host = new URL(base).host;
  const deadline = Date.now() + (opts.waitMs ?? 15_000);
  let last = '';
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await request(`${base}/directory/metadata`, { ...tls, timeoutMs: opts.timeoutMs });
      const m = res.json as Partial<DirectoryMetadata> | undefined;
      if (res.status === 200 && typeof m?.issuer === 'string' && Array.isArray(m.jwks?.keys)) {
        return { url: base, issuer: opts.issuer ?? m.issuer, jwksUrl: `${base}/directory/jwks`, host, jwks: m.jwks };
      }
      last = `HTTP ${res.status}${m ? '' : ' (not JSON)'}; is it a dcr-mockbank directory (dcr-mockbank directory / --role directory)?`;
    } catch (e) {
      last = (e as Error).message;
      if (/self.signed|unable to verify|certificate/i.test(last)) last += ' (the bank must trust the CA of the directory\'s server certificate: share CERTS_DIR, or add it with TLS_CLIENT_CA)';
    }
    if (Date.now() > deadline) throw new ConfigError(`DIRECTORY_URL ${base}: ${base}/directory/metadata could not be read: ${last}`);
    await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** attempt)));
  }
}

/** Mints an SSA at the remote directory over HTTP, presenting the given transport certificate (which owns its software_id). */
export async function remoteMint(remote: RemoteDirectory, input: Record<string, unknown>, tls: Tls & { timeoutMs?: number }): Promise<MintResult> {
  const res = await request(`${remote.url}/directory/ssa`, {
    ...tls,
    method: 'POST',
    body: JSON.stringify(input),
    headers: { 'content-type': 'application/json' },
    timeoutMs: tls.timeoutMs ?? 10_000,
  });
  if (res.status === 201) return res.json as MintResult;
  const body = (res.json ?? {}) as { error?: string; error_description?: string };
  if (res.status === 503) throw new TemporarilyUnavailable(`the directory at ${remote.url}: ${body.error_description ?? 'unavailable'}`);
  throw new OAuthError('invalid_request', res.status >= 400 && res.status < 500 ? res.status : 502, `the directory at ${remote.url} refused the mint: HTTP ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
}
