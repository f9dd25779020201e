/**
 * The only I/O toward other parties: reading a software JWKS (and, under the header bugs, a jku
 * or x5u). URLs in the simulated network map are served from it; everything else goes over
 * HTTPS to 127.0.0.1 whatever the host name says, so nothing ever leaves the machine.
 */
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import type { JWK } from 'jose';

const DEADLINE_MS = 2000;
const CAP_BYTES = 64 * 1024;

/** Every host name resolves to the loopback address. */
const loopback: LookupFunction = (_host, options, cb) => {
  if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};

export class FetchError extends Error {}

/** GET over HTTPS to 127.0.0.1, trusting only ca; 2 s for the whole exchange, 64 KiB at most. */
export function loopbackGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new FetchError('not a URL'));
      return;
    }
    if (u.protocol !== 'https:') {
      reject(new FetchError('only https is fetched'));
      return;
    }
    const req = https.get(
      {
        // An IP literal would bypass lookup: connect to the loopback address whatever the URL names.
        host: '127.0.0.1',
        port: u.port || 443,
        path: `${u.pathname}${u.search}`,
        ...(/^[\d.]+$/.test(u.hostname) || u.hostname.includes(':') || u.hostname.startsWith('[') ? {} : { servername: u.hostname }),
        lookup: loopback,
        ca,
        // The chain is checked against ca; the name is not, since every name is 127.0.0.1 here.
        checkServerIdentity: () => undefined,
        agent: false,
        headers: { accept: 'application/json', host: u.host },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          done(new FetchError(`status ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > CAP_BYTES) {
            done(new FetchError('response larger than 64 KiB'));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => done(undefined, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (e) => done(e));
      },
    );
    const timer = setTimeout(() => {
      done(new FetchError('deadline of 2 s passed'));
      req.destroy();
    }, DEADLINE_MS);
    let settled = false;
    function done(err: Error | undefined, text?: string) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(text ?? '');
    }
    req.on('error', (e) => done(e));
  });
}

export function parseJwks(text: string): JWK[] {
  const v: unknown = JSON.parse(text);
  const keys = (v as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new FetchError('not a JWK Set');
  return keys.filter((k): k is JWK => k !== null && typeof k === 'object');
}

/** An x5u resource: PEM certificates, the first of which holds the key (RFC 7515 4.1.5). */
export function keysFromPem(text: string): JWK[] {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  if (!first) throw new FetchError('no certificate');
  const jwk = new X509Certificate(first[0]).publicKey.export({ format: 'jwk' }) as JWK;
  return [jwk];
}

export interface NetworkOptions {
  keystoreHost: string;
  softwareJwks: ReadonlyMap<string, { keys: JWK[] }>;
  ca: string;
}

export type JwksOutcome = { keys: JWK[] } | { refused: string };

export class Network {
  constructor(private readonly o: NetworkOptions) {}

  private mapped(url: string): JWK[] | undefined {
    const hit = this.o.softwareJwks.get(url);
    if (hit) return hit.keys;
    try {
      return this.o.softwareJwks.get(new URL(url).href)?.keys;
    } catch {
      return undefined;
    }
  }

  /** The software JWKS at url; pinned to the keystore host unless unpinned. */
  async softwareJwks(url: string, unpinned: boolean): Promise<JwksOutcome> {
    const keys = this.mapped(url);
    if (keys) return { keys };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { refused: 'software_jwks_endpoint is not a URL' };
    }
    const host = this.o.keystoreHost.toLowerCase();
    const onKeystore = u.host.toLowerCase() === host || u.hostname.toLowerCase() === host;
    if (onKeystore) return { refused: 'the software JWKS was not found on the directory keystore' };
    if (!unpinned) return { refused: 'software_jwks_endpoint is not on the directory keystore host' };
    try {
      return { keys: parseJwks(await loopbackGet(url, this.o.ca)) };
    } catch (e) {
      return { refused: `the software JWKS could not be read: ${(e as Error).message}` };
    }
  }

  /** A header-named key resource (jku: JWK Set, x5u: PEM); only the bugs ask for it. */
  async headerKeys(url: string, kind: 'jku' | 'x5u'): Promise<JwksOutcome> {
    const keys = kind === 'jku' ? this.mapped(url) : undefined;
    if (keys) return { keys };
    try {
      const text = await loopbackGet(url, this.o.ca);
      return { keys: kind === 'jku' ? parseJwks(text) : keysFromPem(text) };
    } catch (e) {
      return { refused: `the ${kind} resource could not be read: ${(e as Error).message}` };
    }
  }
}
