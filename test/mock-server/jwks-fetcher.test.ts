import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { createJwksFetcher, type JwksFetcherOptions } from '../../mock-server/jwks-fetcher';
import { RuleViolation } from '../../mock-server/errors';

let certs: CertBundle;
let server: https.Server;
let host: string;
let hits = 0;
const pending = new Set<NodeJS.Timeout>();
const jwks = { keys: [{ kty: 'RSA', n: 'abc', e: 'AQAB', kid: 'k1' }] };

beforeAll(async () => {
  certs = await generateBundle();
  server = https.createServer({ key: certs.server.key, cert: certs.server.cert }, (req, res) => {
    hits++;
    if (req.url === '/jwks') return void res.end(JSON.stringify(jwks));
    if (req.url === '/big') return void res.end(JSON.stringify({ keys: [], pad: 'x'.repeat(100_000) }));
    if (req.url === '/slow') {
      const t = setTimeout(() => res.end('{}'), 2000);
      pending.add(t);
      return;
    }
    if (req.url === '/html') return void res.end('<html>');
    if (req.url === '/notjwks') return void res.end('{"a":1}');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      for (const t of pending) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => r());
    }),
);

function fetcher(over: Partial<JwksFetcherOptions> = {}) {
  return createJwksFetcher({ allowedHosts: [host], timeoutMs: 500, maxBytes: 10_000, cacheSeconds: 60, ca: [certs.ca.cert], ...over });
}

async function rule(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(RuleViolation);
    return (e as RuleViolation).rule;
  }
}

describe('createJwksFetcher', () => {
  test('fetches a JWKS from an allowed host, then serves it from the cache', async () => {
    const f = fetcher();
    const before = hits;
    expect(await f(`https://${host}/jwks`)).toEqual(jwks);
    expect(await f(`https://${host}/jwks`)).toEqual(jwks);
    expect(hits - before).toBe(1);
  });
  test('resolves in-process URLs without the network', async () => {
    const f = fetcher({ allowedHosts: [], local: (u) => (u === 'https://local/jwks' ? jwks : undefined) });
    expect(await f('https://local/jwks')).toEqual(jwks);
  });
  test.each([
    ['a host not trusted', (h: string) => `https://evil.example/jwks?${h}`],
    ['plain http', (h: string) => `http://${h}/jwks`],
    ['not a URL', () => 'nope'],
    ['a 404', (h: string) => `https://${h}/missing`],
    ['a body over the cap', (h: string) => `https://${h}/big`],
    ['a slow answer', (h: string) => `https://${h}/slow`],
    ['not JSON', (h: string) => `https://${h}/html`],
    ['JSON but not a JWKS', (h: string) => `https://${h}/notjwks`],
  ])('refuses %s with JWKS-FETCH', async (_n, url) => {
    expect(await rule(fetcher()(url(host)))).toBe('JWKS-FETCH');
  });
  test('refuses a server whose certificate is not trusted', async () => {
    expect(await rule(fetcher({ ca: [] })(`https://${host}/jwks`))).toBe('JWKS-FETCH');
  });
});
