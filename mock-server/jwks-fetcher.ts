import https from 'node:https';
import type { JSONWebKeySet } from 'jose';
import { RuleViolation } from './errors';

export interface JwksFetcherOptions {
  /** Hosts (host or host:port) software JWKS may be fetched from: the trusted directories'. */
  allowedHosts: readonly string[];
  timeoutMs: number;
  maxBytes: number;
  cacheSeconds: number;
  /** Extra CA certificates (PEM) for directories on private PKI. */
  ca?: string[];
  /** Resolves URLs served in-process (the built-in directory) without a network round trip. */
  local?: (url: string) => JSONWebKeySet | undefined;
  /** Most cached JWKS kept. */
  maxEntries?: number;
}

export type JwksFetcher = (url: string) => Promise<JSONWebKeySet>;

function fetchFail(detail: string): never {
  throw new RuleViolation('JWKS-FETCH', detail);
}

function getJson(url: URL, opts: JwksFetcherOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { timeout: opts.timeoutMs, ca: opts.ca, headers: { accept: 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new RuleViolation('JWKS-FETCH', `${url.href} answered HTTP ${res.statusCode}`));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes) {
          res.destroy();
          reject(new RuleViolation('JWKS-FETCH', `${url.href} is larger than ${opts.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(new RuleViolation('JWKS-FETCH', `${url.href} is larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new RuleViolation('JWKS-FETCH', `${url.href} did not return JSON`));
          }
        });
        res.on('error', () => reject(new RuleViolation('JWKS-FETCH', `${url.href} failed mid-response`)));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      reject(new RuleViolation('JWKS-FETCH', `${url.href} did not answer within ${opts.timeoutMs} ms`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      reject(e instanceof RuleViolation ? e : new RuleViolation('JWKS-FETCH', `${url.href} could not be fetched (${e.code ?? 'error'})`));
    });
  });
}

/**
 * Fetches a software JWKS named in an SSA: only over https, only from trusted directory hosts,
 * with a timeout, a size cap and a bounded cache.
 */
export function createJwksFetcher(opts: JwksFetcherOptions): JwksFetcher {
  const cache = new Map<string, { at: number; jwks: JSONWebKeySet }>();
  const maxEntries = opts.maxEntries ?? 1000;
  return async (raw: string) => {
    const local = opts.local?.(raw);
    if (local) return local;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      fetchFail(`software_jwks_endpoint ${JSON.stringify(raw)} is not a URL`);
    }
    if (url.protocol !== 'https:') fetchFail(`software_jwks_endpoint ${url.href} is not https`);
    if (!opts.allowedHosts.includes(url.host) && !opts.allowedHosts.includes(url.hostname)) {
      fetchFail(`software_jwks_endpoint host ${url.host} is not a trusted directory host`);
    }
    const hit = cache.get(url.href);
    if (hit && Date.now() - hit.at < opts.cacheSeconds * 1000) return hit.jwks;
    const body = (await getJson(url, opts)) as JSONWebKeySet;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.keys)) fetchFail(`${url.href} is not a JWKS`);
    cache.delete(url.href);
    cache.set(url.href, { at: Date.now(), jwks: body });
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    return body;
  };
}
