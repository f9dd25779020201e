import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { createJwksFetcher, type JwksFetcherOptions } from '../../mock-server/jwks-fetcher';
import { RuleViolation } from '../../mock-server/errors';

let certs: CertBundle;
let server: https.Server;
let host: string;
let hits = 0;
let delayedHits = 0;
const pending = new Set<NodeJS.Timeout>();
let dripHeaders: tls.Server;
let dripHeadersHost: string;
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
    if (req.url === '/drip') {
      // Headers at once, then one byte of body every 100 ms, for ever: never idle, never done.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const t = setInterval(() => res.write(' '), 100);
      pending.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (req.url === '/delayed') {
      delayedHits++;
      const t = setTimeout(() => res.end(JSON.stringify(jwks)), 300);
      pending.add(t);
      return;
    }
    if (req.url === '/delayed-404') {
      delayedHits++;
      const t = setTimeout(() => {
        res.statusCode = 404;
        res.end();
      }, 300);
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
  // A raw TLS server dripping the status line and headers one byte every 100 ms.
  dripHeaders = tls.createServer({ key: certs.server.key, cert: certs.server.cert }, (socket) => {
    const text = `HTTP/1.1 200 OK\r\nX-Slow: ${'a'.repeat(10_000)}`;
    let i = 0;
    const t = setInterval(() => (i < text.length ? socket.write(text[i++]!) : undefined), 100);
    pending.add(t);
    socket.on('close', () => clearInterval(t));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => dripHeaders.listen(0, '127.0.0.1', r));
  dripHeadersHost = `localhost:${(dripHeaders.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      for (const t of pending) clearTimeout(t);
      server.closeAllConnections();
      dripHeaders.close();
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

  test.each([
    ['a body dripped a byte every 100 ms', () => `https://${host}/drip`, () => [host]],
    ['headers dripped a byte every 100 ms', () => `https://${dripHeadersHost}/jwks`, () => [dripHeadersHost]],
  ])('JWKS_TIMEOUT_MS bounds the whole fetch: %s is cut off at the deadline', async (_n, url, hosts) => {
    const started = Date.now();
    let message = '';
    try {
      await fetcher({ allowedHosts: hosts(), timeoutMs: 500 })(url());
    } catch (e) {
      expect(e).toBeInstanceOf(RuleViolation);
      message = (e as RuleViolation).description;
    }
    expect(message).toMatch(/^JWKS-FETCH: .* did not answer within 500 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('createJwksFetcher: single flight', () => {
  test('parallel fetches of one URL share one upstream request', async () => {
    const f = fetcher({ timeoutMs: 2000 });
    const before = delayedHits;
    const all = await Promise.all(Array.from({ length: 10 }, () => f(`https://${host}/delayed`)));
    expect(delayedHits - before).toBe(1);
    for (const got of all) expect(got).toEqual(jwks);
    // The next one comes from the cache; nothing is left in flight.
    expect(await f(`https://${host}/delayed`)).toEqual(jwks);
    expect(delayedHits - before).toBe(1);
  });

  test('a shared failure reaches every caller as its own refusal, and is not cached', async () => {
    const f = fetcher({ timeoutMs: 2000 });
    const before = delayedHits;
    const errors = await Promise.all(Array.from({ length: 5 }, () => f(`https://${host}/delayed-404`).then(() => undefined, (e: unknown) => e)));
    expect(delayedHits - before).toBe(1);
    for (const e of errors) expect(e).toBeInstanceOf(RuleViolation);
    expect(new Set(errors).size).toBe(5);
    expect((errors[0] as RuleViolation).description).toMatch(/answered HTTP 404/);
    await f(`https://${host}/delayed-404`).catch(() => undefined);
    expect(delayedHits - before).toBe(2);
  });
});
