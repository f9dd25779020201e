/**
 * The Redis store against a real redis-server: the Store contract, atomicity across two store
 * instances (two processes of one bank), bounds, and what happens while Redis is down.
 */
import { randomUUID } from 'node:crypto';
import { RedisStore, StoreUnavailable } from '../../../mock-server/store/redis';
import { StoreFull } from '../../../mock-server/errors';
import type { ClientRecord, TokenRecord } from '../../../mock-server/store/types';
import { describeRedis, redisBinaryFound, removeRedis, sharedRedis, startRedis } from '../../helpers/redis-server';

let redis: { url: string; close(): Promise<void> };
let url: string;
const stores: RedisStore[] = [];

async function open(prefix: string, opts: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): Promise<RedisStore> {
  const s = new RedisStore({ url, prefix, commandTimeoutMs: 1000, ...opts });
  await s.connect(3000);
  stores.push(s);
  return s;
}

const client = (id: string): ClientRecord => ({
  client_id: id,
  client_id_issued_at: 1,
  metadata: { redirect_uris: ['https://a.example/cb'], token_endpoint_auth_method: 'tls_client_auth', grant_types: ['client_credentials'], response_types: [], scope: 'accounts', application_type: 'web', software_id: 's', software_statement: 'x' },
  ssa: {},
  software_jwks_endpoint: 'https://d.example/jwks',
  profile: 'obie',
});
const token = (hash: string, clientId: string, ttl = 3600): TokenRecord => ({ token_hash: hash, client_id: clientId, scope: 'accounts', issued_at: Math.floor(Date.now() / 1000), expires_at: Math.floor(Date.now() / 1000) + ttl });

describeRedis('RedisStore (real redis-server)', () => {
  beforeAll(async () => {
    redis = await sharedRedis();
    url = redis.url;
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis.close();
  });

  test('clients: create, read, update, list and delete, seen by another instance', async () => {
    const p = `t:${randomUUID()}:`;
    const [a, b] = [await open(p), await open(p)];
    await a.createClient(client('c1'));
    expect(await b.getClient('c1')).toEqual(client('c1'));
    await b.updateClient({ ...client('c1'), client_id_issued_at: 2 });
    expect((await a.getClient('c1'))?.client_id_issued_at).toBe(2);
    await a.updateClient(client('absent')); // an update never creates
    expect(await b.getClient('absent')).toBeUndefined();
    expect((await b.listClients()).map((c) => c.client_id)).toEqual(['c1']);
    expect(await b.deleteClient('c1')).toBe(true);
    expect(await a.deleteClient('c1')).toBe(false);
    expect(await a.getClient('c1')).toBeUndefined();
  });

  test('a jti is claimed once across instances, with a TTL; released, it can be claimed again', async () => {
    const p = `t:${randomUUID()}:`;
    const [a, b] = [await open(p), await open(p)];
    const exp = Math.floor(Date.now() / 1000) + 120;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimOnce('jti-1', exp)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const ttl = await a.client.pTTL(`${p}jti:jti-1`);
    expect(ttl).toBeGreaterThan(115_000);
    expect(ttl).toBeLessThanOrEqual(122_000);
    await b.releaseOnce('jti-1');
    expect(await a.claimOnce('jti-1', exp)).toBe(true);
    // A very long jti is kept as its hash, as in memory.
    const long = 'x'.repeat(10_000);
    expect(await a.claimOnce(long, exp)).toBe(true);
    expect(await b.claimOnce(long, exp)).toBe(false);
  });

  test('tokens: saved with their expiry as TTL, revoked on every instance; deleting a client revokes its tokens in the same step', async () => {
    const p = `t:${randomUUID()}:`;
    const [a, b] = [await open(p), await open(p)];
    await a.createClient(client('c'));
    // The record kept, not made again: issued_at reads the clock, which may tick over between the two.
    const h1 = token('h1', 'c');
    await a.saveToken(h1);
    await a.saveToken(token('h2', 'c'));
    await a.saveToken(token('h3', 'other'));
    expect(await b.getToken('h1')).toEqual(h1);
    const ttl = await a.client.pTTL(`${p}token:h1`);
    expect(ttl).toBeGreaterThan(3590_000);
    expect(await b.revokeToken('h1')).toBe(true);
    expect(await a.revokeToken('h1')).toBe(false);
    expect(await a.getToken('h1')).toBeUndefined();
    expect(await b.deleteClient('c')).toBe(true);
    expect(await a.getToken('h2')).toBeUndefined();
    expect(await a.getToken('h3')).toBeDefined();
    expect(await a.revokeClientTokens('other')).toBe(1);
    expect(await b.getToken('h3')).toBeUndefined();
    // An expired record is never answered.
    await a.saveToken(token('dead', 'c', -5));
    expect(await a.getToken('dead')).toBeUndefined();
  });

  test('bounds: clients full is StoreFull (none forgotten); tokens and jtis full of live ones are StoreFull with Retry-After until the first expires', async () => {
    const p = `t:${randomUUID()}:`;
    const s = await open(p, { maxClients: 2, maxTokens: 2, maxJtis: 2 });
    await s.createClient(client('a'));
    await s.createClient(client('b'));
    await s.createClient(client('a')); // a replacement is not a new entry
    await expect(s.createClient(client('c'))).rejects.toThrow(StoreFull);
    expect((await s.listClients()).length).toBe(2);
    await s.saveToken(token('t1', 'a', 100));
    await s.saveToken(token('t2', 'a', 200));
    const full = await s.saveToken(token('t3', 'a')).catch((e: StoreFull) => e);
    expect(full).toBeInstanceOf(StoreFull);
    expect((full as StoreFull).retryAfterSeconds).toBeGreaterThan(90);
    expect((full as StoreFull).retryAfterSeconds).toBeLessThanOrEqual(100);
    expect(await s.getToken('t1')).toBeDefined();
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(await s.claimOnce('j1', exp)).toBe(true);
    expect(await s.claimOnce('j2', exp)).toBe(true);
    await expect(s.claimOnce('j3', exp)).rejects.toThrow(StoreFull);
    expect(await s.claimOnce('j1', exp)).toBe(false); // a replay is still a replay when full
  });

  test('journal: oldest first, trimmed to its size; clear empties only this prefix', async () => {
    const p = `t:${randomUUID()}:`;
    const s = await open(p, { maxJournal: 3 });
    const other = await open(`t:${randomUUID()}:`);
    await other.createClient(client('keep'));
    for (let i = 0; i < 5; i++) await s.appendJournal({ time: String(i), interaction_id: String(i), method: 'GET', path: '/', status: 200 });
    expect((await s.listJournal()).map((e) => e.time)).toEqual(['2', '3', '4']);
    await s.createClient(client('x'));
    await s.clear();
    expect(await s.listJournal()).toEqual([]);
    expect(await s.listClients()).toEqual([]);
    expect(await other.getClient('keep')).toBeDefined();
  });

  (redisBinaryFound ? test : test.skip)('Redis down: every method fails fast with StoreUnavailable (503, Retry-After); back, the store recovers by itself', async () => {
    const own = await startRedis();
    try {
      const s = new RedisStore({ url: own.url, prefix: 'down:', commandTimeoutMs: 1000 });
      await s.connect(3000);
      stores.push(s);
      await s.createClient(client('before'));
      await own.stop('SIGKILL');
      const started = Date.now();
      const e = await s.createClient(client('during')).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreUnavailable);
      expect(e).toMatchObject({ status: 503, code: 'temporarily_unavailable', headers: { 'retry-after': '2' } });
      await expect(s.getClient('before')).rejects.toThrow(StoreUnavailable);
      await expect(s.claimOnce('j', Date.now() / 1000 + 60)).rejects.toThrow(StoreUnavailable);
      expect(Date.now() - started).toBeLessThan(1500);
      await own.restart();
      const deadline = Date.now() + 10_000;
      while (!s.client.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(s.client.isReady).toBe(true);
      await s.createClient(client('after'));
      expect(await s.getClient('after')).toBeDefined();
      expect(await s.getClient('during')).toBeUndefined();
    } finally {
      await removeRedis(own);
    }
  });
});
