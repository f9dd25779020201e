import https from 'node:https';
import type { JSONWebKeySet } from 'jose';
import { RuleViolation } from './errors';

export interface JwksFetcherOptions {
  /** Hosts (host or host:port) software JWKS may be fetched from: the trusted directories'. */
  allowedHosts: readonly string[];
  /** Deadline of one whole fetch (connect, TLS, headers and body), in milliseconds. */
  timeoutMs: number;
  maxBytes: number;
  cacheSeconds: number;
  /** Extra CA certificates (PEM) for directories on private PKI. */
  ca?: string[];
  /** Resolves URLs served in-process (the built-in directory) without a network round trip. */
  local?: (url: string) => JSONWebKeySet | undefined | Promise<JSONWebKeySet | undefined>;
  /** Most cached JWKS kept. */
  maxEntries?: number;
}

export type JwksFetcher = (url: string) => Promise<JSONWebKeySet>;

function fetchFail(detail: string): never {
  throw new RuleViolation('JWKS-FETCH', detail);
}

/** Why a fetch failed; each waiting caller turns it into its own RuleViolation. */
class FetchProblem {
  constructor(readonly detail: string) {}
}

/**
 * GETs the URL as JSON within one deadline for the whole exchange: DNS, connect, TLS, headers and
 * body. A socket idle timeout alone let a server dripping a byte at a time hold a registration for
 * as long as it liked; this timer fires timeoutMs after the start whatever arrives meanwhile.
 */
function getJson(url: URL, opts: JwksFetcherOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      fn();
    };
    const fail = (detail: string) => settle(() => reject(new FetchProblem(detail)));
    const req = https.get(url, { ca: opts.ca, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(`${url.href} answered HTTP ${res.statusCode}`);
        return;
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > opts.maxBytes) {
        req.destroy();
        fail(`${url.href} is larger than ${opts.maxBytes} bytes`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          req.destroy();
          fail(`${url.href} is larger than ${opts.maxBytes} bytes`);
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          fail(`${url.href} did not return JSON`);
          return;
        }
        settle(() => resolve(parsed));
      });
      res.on('error', () => fail(`${url.href} failed mid-response`));
    });
    deadline = setTimeout(() => {
      fail(`${url.href} did not answer within ${opts.timeoutMs} ms`);
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => fail(`${url.href} could not be fetched (${e.code ?? 'error'})`));
  });
}

async function fetchJwks(url: URL, opts: JwksFetcherOptions): Promise<JSONWebKeySet> {
  const body = (await getJson(url, opts)) as JSONWebKeySet;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.keys)) throw new FetchProblem(`${url.href} is not a JWKS`);
  return body;
}

/**
 * Fetches a software JWKS named in an SSA: only over https, only from trusted directory hosts,
 * within one deadline (timeoutMs) for the whole fetch, a size cap, a bounded cache, and one
 * request in flight per URL however many callers wait for it.
 */
export function createJwksFetcher(opts: JwksFetcherOptions): JwksFetcher {
  const cache = new Map<string, { at: number; jwks: JSONWebKeySet }>();
  const maxEntries = opts.maxEntries ?? 1000;
  const inflight = new Map<string, Promise<JSONWebKeySet>>();
  return async (raw: string) => {
    const local = await opts.local?.(raw);
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
    const key = url.href;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < opts.cacheSeconds * 1000) return hit.jwks;
    // Single flight: parallel registrations naming the same JWKS share one upstream request.
    let pending = inflight.get(key);
    if (!pending) {
      pending = fetchJwks(url, opts)
        .then((jwks) => {
          cache.delete(key);
          cache.set(key, { at: Date.now(), jwks });
          while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
          return jwks;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    try {
      return await pending;
    } catch (e) {
      if (e instanceof FetchProblem) fetchFail(e.detail);
      throw e;
    }
  };
}
