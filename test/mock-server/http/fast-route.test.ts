import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { fastRoute } from '../../../mock-server/http/fast-route';
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { httpsRequest, refusal } from '../../../fixtures/https';
import { clientAssertion, registerClient } from '../../../fixtures/token';
import { JWT_BEARER_ASSERTION } from '../../../mock-server/core/token';

/** An app with the fast route in front and the same handlers on the router, as mock-server/app.ts mounts them; the router marks what it answered. */
function appWith(handlers: RequestHandler[]) {
  const app = express();
  app.use(fastRoute('POST', '/x', handlers));
  app.use((_req, res, next) => {
    res.setHeader('x-router', '1');
    next();
  });
  app.post('/x', ...handlers);
  app.use(((err: { status?: number; message?: string }, _req, res, _next) => {
    res.status(err.status ?? 500).json({ error: err.message });
  }) as ErrorRequestHandler);
  return app;
}

const order: RequestHandler[] = [
  (_req, res, next) => {
    res.locals.seen = ['a'];
    next();
  },
  async (_req, res, next) => {
    await Promise.resolve();
    res.locals.seen.push('b');
    next();
  },
  (_req, res) => void res.status(201).json({ seen: [...res.locals.seen, 'c'] }),
];

describe('fastRoute', () => {
  test('the exact method and URL run the handlers in order without the router', async () => {
    const res = await request(appWith(order)).post('/x');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ seen: ['a', 'b', 'c'] });
    expect(res.headers['x-router']).toBeUndefined();
  });

  test.each(['/x/', '/X', '/x?q=1'])('%s is left to the router, which runs the same handlers', async (path) => {
    const res = await request(appWith(order)).post(path);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ seen: ['a', 'b', 'c'] });
    expect(res.headers['x-router']).toBe('1');
  });

  test('another method on the URL is left to the router', async () => {
    const res = await request(appWith(order)).get('/x');
    expect(res.status).toBe(404);
    expect(res.headers['x-router']).toBe('1');
  });

  test('handlers that all call next never reach the router\'s copy of them: that is an error, not a second run', async () => {
    let runs = 0;
    const res = await request(appWith([(_req, _res, next) => (runs++, next())])).post('/x');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'the fast route POST /x ran out of handlers without answering' });
    expect(runs).toBe(1);
  });

  const failing = (how: 'next' | 'throw' | 'reject'): RequestHandler[] => [
    (req, _res, next) => {
      const e = Object.assign(new Error(how), { status: 418 });
      if (how === 'throw') throw e;
      if (how === 'reject') return Promise.reject(e) as never;
      next(e);
    },
    (_req, res) => void res.status(200).json({ error: 'reached the next handler' }),
  ];
  test.each(['next', 'throw', 'reject'] as const)('an error passed by %s reaches the error handler and stops the handlers, as from the route', async (how) => {
    const fast = await request(appWith(failing(how))).post('/x');
    const routed = await request(appWith(failing(how))).post('/x/');
    expect(fast.status).toBe(418);
    expect(fast.body).toEqual({ error: how });
    expect(routed.headers['x-router']).toBe('1');
    expect({ status: routed.status, body: routed.body }).toEqual({ status: fast.status, body: fast.body });
  });
});

/** One mock bank for the fast routes' tests, and a POST to it with a given Content-Type by default. */
let bank: MockBank;
let tpp: TestTpp;
const poster = (contentType: string) => (url: string, body: string, headers: Record<string, string> = {}) =>
  httpsRequest(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body, ca: bank.ca, client: bank.tpp });
/** The same request through the fast route (the exact URL) and through the router (a trailing slash). */
const bothWays = async (post: ReturnType<typeof poster>, url: string, body: string, headers: Record<string, string> = {}) =>
  ({ fast: await post(url, body, headers), routed: await post(`${url}/`, body, headers) });
beforeAll(async () => {
  bank = await startMockBank({ logLevel: 'silent' });
  tpp = await createTpp(bank);
});
afterAll(() => bank.close());

describe('POST /register through the fast route and through the router', () => {
  const post = poster('application/jose');

  test('a valid registration is 201 either way, with the same client metadata', async () => {
    const fast = await post(bank.urls.register, await tpp.sign(tpp.claims()));
    const routed = await post(`${bank.urls.register}/`, await tpp.sign(tpp.claims()));
    expect(fast.status).toBe(201);
    expect(routed.status).toBe(201);
    const strip = (j: unknown) => {
      const { client_id: _i, client_id_issued_at: _t, ...rest } = j as Record<string, unknown>;
      return rest;
    };
    expect(strip(routed.json)).toEqual(strip(fast.json));
    expect(fast.headers['x-fapi-interaction-id']).toEqual(expect.any(String));
  });

  test.each([
    ['an empty body', '', {}],
    ['a wrong Content-Type', 'a.b.c', { 'content-type': 'text/plain' }],
    ['a body that is no JWS', 'not-a-jws', {}],
  ])('%s is refused the same way either way', async (_name, body, headers) => {
    const { fast, routed } = await bothWays(post, bank.urls.register, body, headers);
    expect(fast.status).toBe(400);
    expect(refusal(routed)).toEqual(refusal(fast));
  });

  test('the journal records the fast route\'s exchange as it does the router\'s', async () => {
    await post(bank.urls.register, '');
    const entries = await bank.store.listJournal();
    expect(entries.at(-1)).toMatchObject({ method: 'POST', path: '/register', status: 400, rule: 'HTTP-BODY-PRESENT' });
  });
});

describe('POST /token through the fast route and through the router', () => {
  const post = poster('application/x-www-form-urlencoded');
  const grant = async (client: Awaited<ReturnType<typeof registerClient>>) =>
    new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounts', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: await clientAssertion(bank, client) }).toString();

  test('a grant is 200 either way, with the same kind of token', async () => {
    const client = await registerClient(tpp, 'private_key_jwt');
    const fast = await post(bank.urls.token, await grant(client));
    const routed = await post(`${bank.urls.token}/`, await grant(client));
    expect(fast.status).toBe(200);
    expect(routed.status).toBe(200);
    const shape = (j: unknown) => {
      const { access_token: token, ...rest } = j as Record<string, unknown>;
      return { ...rest, access_token: typeof token };
    };
    expect(shape(routed.json)).toEqual(shape(fast.json));
    expect(fast.headers['cache-control']).toBe('no-store');
    expect(fast.headers.pragma).toBe('no-cache');
  });

  test.each([
    ['a wrong Content-Type', 'grant_type=client_credentials', { 'content-type': 'application/json' }],
    ['an unknown client', 'grant_type=client_credentials&client_id=nobody', {}],
    ['another grant', 'grant_type=password&client_id=nobody', {}],
  ])('%s is refused the same way either way', async (_name, body, headers) => {
    const { fast, routed } = await bothWays(post, bank.urls.token, body, headers);
    expect(fast.status).toBeGreaterThanOrEqual(400);
    expect(refusal(routed)).toEqual(refusal(fast));
    expect(routed.headers['www-authenticate']).toEqual(fast.headers['www-authenticate']);
  });

  test('the journal records the fast route\'s token exchange as it does the router\'s', async () => {
    await post(bank.urls.token, 'grant_type=client_credentials', { 'content-type': 'text/plain' });
    await post(`${bank.urls.token}/`, 'grant_type=client_credentials', { 'content-type': 'text/plain' });
    // Each entry is written when its exchange finishes, which may come just after the client has the answer.
    const paths = async () => (await bank.store.listJournal()).slice(-2).map((e) => e.path);
    for (let i = 0; i < 100 && (await paths()).join() !== '/token,/token/'; i++) await new Promise((r) => setTimeout(r, 10));
    const [fast, routed] = (await bank.store.listJournal()).slice(-2);
    expect(fast).toMatchObject({ method: 'POST', path: '/token', status: 400, rule: 'TOKEN-REQUEST-FORMAT' });
    expect(routed).toMatchObject({ method: 'POST', path: '/token/', status: 400, rule: 'TOKEN-REQUEST-FORMAT' });
    expect(fast!.rules).toEqual(routed!.rules);
  });
});
