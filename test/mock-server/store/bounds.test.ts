import { MemoryStore, type MemoryStoreOptions } from '../../../mock-server/store/memory';
import { ExpiringMap, RingBuffer, estimateBytes } from '../../../mock-server/store/bounded';
import { Outbox, type OutboxEntry } from '../../../mock-server/mail/outbox';
import { StoreFull } from '../../../mock-server/errors';
import { renderError } from '../../../mock-server/core/error-envelope';
import type { ClientRecord, JournalEntry, TokenRecord } from '../../../mock-server/store/types';

/** A store on a clock the test moves (seconds), without the sweep timer. */
function storeAt(opts: MemoryStoreOptions = {}) {
  const clock = { t: 1_700_000_000 };
  const store = new MemoryStore({ sweepIntervalMs: 0, now: () => clock.t, ...opts });
  return { store, clock };
}

function client(id: string, ssaBytes = 100): ClientRecord {
  return {
    client_id: id,
    client_id_issued_at: 1_700_000_000,
    metadata: { token_endpoint_auth_method: 'tls_client_auth', redirect_uris: ['https://tpp.example/cb'] } as unknown as ClientRecord['metadata'],
    ssa: { software_id: 'abc', blob: 'x'.repeat(ssaBytes) },
    software_jwks_endpoint: 'https://directory.example/jwks',
    profile: 'obie',
  };
}

function token(hash: string, clientId: string, expiresAt: number): TokenRecord {
  return { token_hash: hash, client_id: clientId, scope: 'accounts', issued_at: expiresAt - 3600, expires_at: expiresAt };
}

/** The refusal a call throws; fails the test when it does not throw StoreFull. */
async function refusalOf(p: Promise<unknown>): Promise<StoreFull> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreFull) return e;
    throw e;
  }
  throw new Error('expected StoreFull, but the insert was accepted');
}

/** The answer the error handler writes for it (the OAuth envelope). */
function answered(e: StoreFull) {
  const out = renderError(e, { envelope: 'oauth' });
  return { status: out.status, body: out.body as { error: string; error_description: string }, retryAfter: out.headers['retry-after'] };
}

describe('clients: bounded in count and bytes, never evicted', () => {
  test('at the count limit a new registration is refused with 503 temporarily_unavailable and Retry-After; the registered stay', async () => {
    const { store } = storeAt({ maxClients: 2 });
    await store.createClient(client('a'));
    await store.createClient(client('b'));
    const e = await refusalOf(store.createClient(client('c')));
    const a = answered(e);
    expect(a.status).toBe(503);
    expect(a.body.error).toBe('temporarily_unavailable');
    expect(a.body.error_description).toMatch(/clients is full.*STORE_MAX_CLIENTS/);
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
    expect((await store.listClients()).map((c) => c.client_id)).toEqual(['a', 'b']);
    // Deleting one makes room.
    await store.deleteClient('a');
    await store.createClient(client('c'));
    expect((await store.listClients()).map((c) => c.client_id)).toEqual(['b', 'c']);
  });

  test('at the byte limit (a 36 KB SSA) a new client is refused, naming STORE_MAX_CLIENT_BYTES; bytes are given back on delete', async () => {
    const big = JSON.stringify(client('big-1', 36_000)).length;
    const { store } = storeAt({ maxClientBytes: 3 * big });
    for (const id of ['big-1', 'big-2']) await store.createClient(client(id, 36_000));
    const e = await refusalOf(store.createClient(client('big-3', 36_000)));
    expect(answered(e).status).toBe(503);
    expect(e.description).toMatch(/byte limit \(STORE_MAX_CLIENT_BYTES\)/);
    // Small clients still fit in what is left.
    await store.createClient(client('small', 10));
    expect(store.usage().clients.bytes).toBeLessThanOrEqual(3 * big);
    await store.deleteClient('big-1');
    await store.createClient(client('big-3', 36_000));
    expect((await store.listClients()).map((c) => c.client_id).sort()).toEqual(['big-2', 'big-3', 'small']);
  });

  test('an update is measured again: one past the byte limit is refused and the stored record stays', async () => {
    const one = JSON.stringify(client('a', 1000)).length;
    const { store } = storeAt({ maxClientBytes: 2 * one + 500 });
    await store.createClient(client('a', 1000));
    await store.createClient(client('b', 1000));
    await store.updateClient({ ...client('a', 1200) }); // within what is left
    await refusalOf(store.updateClient(client('a', 5000)));
    expect(((await store.getClient('a'))!.ssa.blob as string).length).toBe(1200);
  });
});

describe('tokens: bounded, and a live token is never evicted', () => {
  test("client B's inserts never evict client A's live token: full of live tokens, B is refused with 503 and the Retry-After of the earliest expiry", async () => {
    const { store, clock } = storeAt({ maxTokens: 100 });
    await store.saveToken(token('a-1', 'A', clock.t + 3600));
    for (let i = 0; i < 99; i++) await store.saveToken(token(`b-${i}`, 'B', clock.t + 3600 + i));
    for (let i = 0; i < 50; i++) {
      const e = await refusalOf(store.saveToken(token(`b-more-${i}`, 'B', clock.t + 7200)));
      expect(answered(e)).toMatchObject({ status: 503, retryAfter: '3600', body: { error: 'temporarily_unavailable' } });
    }
    expect(await store.getToken('a-1')).toMatchObject({ client_id: 'A' });
    expect(store.usage().tokens.entries).toBe(100);
  });

  test('the byte bound refuses when full of live tokens; once they expire they are reclaimed and new ones accepted', async () => {
    const one = JSON.stringify(token('h-00', 'A', 1_700_003_600)).length + 64;
    const { store, clock } = storeAt({ maxTokenBytes: 10 * one });
    for (let i = 0; i < 10; i++) await store.saveToken(token(`h-${String(i).padStart(2, '0')}`, 'A', clock.t + 60 + i));
    const e = await refusalOf(store.saveToken(token('h-10', 'B', clock.t + 3600)));
    expect(answered(e)).toMatchObject({ status: 503, retryAfter: '60' });
    expect(e.description).toMatch(/byte limit \(STORE_MAX_TOKEN_BYTES\)/);
    expect(store.usage().tokens.bytes).toBeLessThanOrEqual(10 * one);

    clock.t += 60; // h-00 has expired, the rest are live
    await store.saveToken(token('h-10', 'B', clock.t + 3600));
    expect(await store.getToken('h-00')).toBeUndefined();
    expect(await store.getToken('h-01')).toBeDefined();
    expect(await store.getToken('h-10')).toBeDefined();
    await refusalOf(store.saveToken(token('h-11', 'B', clock.t + 3600)));

    clock.t += 100; // all of A's have expired
    for (let i = 11; i < 20; i++) await store.saveToken(token(`h-${i}`, 'B', clock.t + 3600));
    expect(store.usage().tokens.entries).toBe(10);
  });

  test('an expired token is not answered, and a token already expired when saved is not kept', async () => {
    const { store, clock } = storeAt();
    await store.saveToken(token('t', 'A', clock.t + 10));
    await store.saveToken(token('dead', 'A', clock.t));
    expect(store.usage().tokens.entries).toBe(1);
    clock.t += 10;
    expect(await store.getToken('t')).toBeUndefined();
    expect(store.usage().tokens).toMatchObject({ entries: 0, bytes: 0 });
  });

  test("revokeClientTokens revokes only that client's tokens and counts the live ones", async () => {
    const { store, clock } = storeAt();
    await store.saveToken(token('a1', 'A', clock.t + 100));
    await store.saveToken(token('a2', 'A', clock.t + 5));
    await store.saveToken(token('b1', 'B', clock.t + 100));
    clock.t += 5; // a2 expired
    expect(await store.revokeClientTokens('A')).toBe(1);
    expect(await store.getToken('a1')).toBeUndefined();
    expect(await store.getToken('b1')).toBeDefined();
    expect(await store.revokeClientTokens('A')).toBe(0);
    expect(await store.revokeToken('b1')).toBe(true);
    expect(store.usage().tokens).toMatchObject({ entries: 0, bytes: 0 });
  });

  test('a token saved again under the same hash replaces the first, bytes and client index included', async () => {
    const { store, clock } = storeAt();
    await store.saveToken(token('h', 'A', clock.t + 100));
    const bytes = store.usage().tokens.bytes;
    await store.saveToken(token('h', 'B', clock.t + 200));
    expect(store.usage().tokens).toMatchObject({ entries: 1, bytes });
    expect(await store.revokeClientTokens('A')).toBe(0);
    expect(await store.revokeClientTokens('B')).toBe(1);
  });
});

describe('jtis: a live jti is never evicted, so a replay stays refused', () => {
  test('full of live jtis, new ones are refused with 503 and the first one replayed is still refused', async () => {
    const { store, clock } = storeAt({ maxJtis: 50 });
    expect(await store.claimOnce('first', clock.t + 300)).toBe(true);
    for (let i = 0; i < 49; i++) expect(await store.claimOnce(`j-${i}`, clock.t + 600)).toBe(true);
    for (let i = 0; i < 100; i++) {
      const e = await refusalOf(store.claimOnce(`flood-${i}`, clock.t + 600));
      expect(answered(e)).toMatchObject({ status: 503, retryAfter: '301' });
    }
    expect(await store.claimOnce('first', clock.t + 300)).toBe(false);
    // Live through its expiry second, reclaimed after it: a new jti fits, and the old may be used again.
    clock.t += 300;
    expect(await store.claimOnce('first', clock.t + 300)).toBe(false);
    clock.t += 1; // now it is dead: reclaimed, and the same jti is a fresh claim
    expect(await store.claimOnce('first', clock.t + 300)).toBe(true);
    await refusalOf(store.claimOnce('new', clock.t + 300));
  });

  test('the byte bound counts each key, and it refuses rather than forget', async () => {
    const { store, clock } = storeAt({ maxJtiBytes: 10 * (100 + 64) });
    for (let i = 0; i < 10; i++) expect(await store.claimOnce(`${i}`.padEnd(100, 'k'), clock.t + 60)).toBe(true);
    const e = await refusalOf(store.claimOnce('x'.repeat(100), clock.t + 60));
    expect(e.description).toMatch(/STORE_MAX_JTI_BYTES/);
    for (let i = 0; i < 10; i++) expect(await store.claimOnce(`${i}`.padEnd(100, 'k'), clock.t + 60)).toBe(false);
  });

  test('a long jti is kept as its hash: a 60 KB jti costs what a short one does, and its replay is still refused', async () => {
    const { store, clock } = storeAt();
    const long = `iss:${'j'.repeat(60_000)}`;
    expect(await store.claimOnce(long, clock.t + 60)).toBe(true);
    expect(store.usage().jtis.bytes).toBeLessThan(200);
    expect(await store.claimOnce(long, clock.t + 60)).toBe(false);
    expect(await store.claimOnce(`${long}x`, clock.t + 60)).toBe(true);
    await store.releaseOnce(long);
    expect(await store.claimOnce(long, clock.t + 60)).toBe(true);
  });

  test('releaseOnce forgets a claim (a request refused because the store was full may be sent again)', async () => {
    const { store, clock } = storeAt();
    expect(await store.claimOnce('k', clock.t + 60)).toBe(true);
    await store.releaseOnce('k');
    expect(await store.claimOnce('k', clock.t + 60)).toBe(true);
    expect(await store.claimOnce('k', clock.t + 60)).toBe(false);
  });

  test('an exp beyond any clock (1e400 parses as Infinity) is kept as live, within the bounds', async () => {
    const { store, clock } = storeAt({ maxJtis: 1 });
    expect(await store.claimOnce('forever', Infinity)).toBe(true);
    expect(await store.claimOnce('forever', Infinity)).toBe(false);
    const e = await refusalOf(store.claimOnce('next', clock.t + 60));
    expect(answered(e).retryAfter).toBe('86400');
  });
});

describe('journal and outbox: rings bounded in bytes, the oldest go first', () => {
  const entry = (i: number, jwtBytes: number): JournalEntry => ({
    time: '2024-01-01T00:00:00.000Z', interaction_id: `id-${i}`, method: 'POST', path: '/register', status: 201, request: { jwt: 'j'.repeat(jwtBytes) },
  });

  test('the journal drops its oldest entries by bytes, and keeps its total within the bound', async () => {
    const one = estimateBytes(entry(0, 10_000)) + 64;
    const { store } = storeAt({ maxJournal: 1000, maxJournalBytes: 3 * one + 10 });
    for (let i = 0; i < 5; i++) await store.appendJournal(entry(i, 10_000));
    expect((await store.listJournal()).map((e) => e.interaction_id)).toEqual(['id-2', 'id-3', 'id-4']);
    expect(store.usage().journal.bytes).toBeLessThanOrEqual(3 * one + 10);
    // Small entries: many fit where the large ones were.
    for (let i = 5; i < 20; i++) await store.appendJournal(entry(i, 10));
    expect((await store.listJournal()).length).toBeGreaterThan(10);
  });

  test('the journal still drops its oldest by count', async () => {
    const { store } = storeAt({ maxJournal: 3 });
    for (let i = 0; i < 10; i++) await store.appendJournal(entry(i, 10));
    expect((await store.listJournal()).map((e) => e.interaction_id)).toEqual(['id-7', 'id-8', 'id-9']);
  });

  test('an entry larger than the whole journal is kept without what was sent, saying why', async () => {
    const { store } = storeAt({ maxJournalBytes: 64 * 1024 });
    await store.appendJournal(entry(0, 10));
    await store.appendJournal(entry(1, 100_000));
    const list = await store.listJournal();
    expect(list.map((e) => e.interaction_id)).toEqual(['id-0', 'id-1']);
    expect(list[1]!.request).toEqual({ omitted: expect.stringMatching(/larger than the journal's 65536 byte limit \(JOURNAL_MAX_BYTES\)/) });
  });

  test('an entry appended for later is made once, when the journal is first read, in order among the others', async () => {
    const { store } = storeAt();
    let made = 0;
    await store.appendJournal(entry(0, 10));
    store.appendJournalLater(() => (made++, entry(1, 10)), 100);
    await store.appendJournal(entry(2, 10));
    expect(made).toBe(0);
    expect((await store.listJournal()).map((e) => e.interaction_id)).toEqual(['id-0', 'id-1', 'id-2']);
    expect((await store.listJournal()).map((e) => e.interaction_id)).toEqual(['id-0', 'id-1', 'id-2']);
    expect(made).toBe(1);
  });

  test('entries appended for later count the bytes they were given, and the oldest go first', async () => {
    const { store } = storeAt({ maxJournal: 1000, maxJournalBytes: 3 * (10_000 + 64) + 10 });
    let made = 0;
    for (let i = 0; i < 5; i++) store.appendJournalLater(() => (made++, entry(i, 10)), 10_000);
    expect((await store.listJournal()).map((e) => e.interaction_id)).toEqual(['id-2', 'id-3', 'id-4']);
    // The dropped ones were never made.
    expect(made).toBe(3);
    expect(store.usage().journal.bytes).toBeLessThanOrEqual(3 * (10_000 + 64) + 10);
  });

  test('an entry appended for later that may not fit the whole journal is made at once, and kept without what was sent', async () => {
    const { store } = storeAt({ maxJournalBytes: 64 * 1024 });
    let made = 0;
    store.appendJournalLater(() => (made++, entry(0, 100_000)), 100_000);
    expect(made).toBe(1);
    const list = await store.listJournal();
    expect(list.map((e) => e.interaction_id)).toEqual(['id-0']);
    expect(list[0]!.request).toEqual({ omitted: expect.stringMatching(/larger than the journal's 65536 byte limit \(JOURNAL_MAX_BYTES\)/) });
  });

  test('the outbox drops its oldest emails by bytes', () => {
    const mail = (i: number): OutboxEntry => ({
      id: `m-${i}`, time: '2024-01-01T00:00:00.000Z', from: 'bank', to: 'tpp@example.com', subject: 's', result: { blob: 'r'.repeat(20_000) }, text: 't'.repeat(20_000), delivery: { status: 'not-configured' },
    });
    const outbox = new Outbox(100, 100_000);
    for (let i = 0; i < 6; i++) outbox.add(mail(i));
    expect(outbox.list().map((m) => m.id)).toEqual(['m-4', 'm-5']);
    outbox.add({ ...mail(6), text: 'x'.repeat(200_000) });
    expect(outbox.list().at(-1)).toMatchObject({ id: 'm-6', text: expect.stringMatching(/OUTBOX_MAX_BYTES/) });
  });

  test('RingBuffer: count and byte bounds together, oldest first', () => {
    const ring = new RingBuffer<number>(4, 100);
    for (let i = 0; i < 10; i++) ring.push(i, 10);
    expect(ring.toArray()).toEqual([6, 7, 8, 9]);
    ring.push(10, 80);
    expect(ring.toArray()).toEqual([8, 9, 10]);
    expect(ring.bytes).toBe(100);
    expect(ring.push(11, 101)).toBe(false);
    expect(ring.toArray()).toEqual([8, 9, 10]);
  });
});

describe('insert cost does not grow with the number of live entries (counted, not timed)', () => {
  /** Entries and buckets looked at per insert, after `live` live tokens are in. */
  async function examinedPerInsert(live: number, inserts: number): Promise<number> {
    const { store, clock } = storeAt({ maxTokens: live + inserts, maxTokenBytes: 1024 * 1024 * 1024 });
    for (let i = 0; i < live; i++) await store.saveToken(token(`live-${i}`, `c-${i % 97}`, clock.t + 3600 + (i % 600)));
    const before = store.usage().examined.tokens;
    for (let i = 0; i < inserts; i++) {
      if (i % 100 === 0) clock.t++; // time passes as it would
      await store.saveToken(token(`new-${i}`, 'B', clock.t + 3600));
    }
    return (store.usage().examined.tokens - before) / inserts;
  }

  test('1k and 100k live tokens: the same few entries looked at per insert', async () => {
    const small = await examinedPerInsert(1_000, 2_000);
    const large = await examinedPerInsert(100_000, 2_000);
    expect(small).toBeLessThanOrEqual(4);
    expect(large).toBeLessThanOrEqual(4);
  });

  test('at the limit, with expired entries to reclaim: each insert reclaims only what it needs', async () => {
    const { store, clock } = storeAt({ maxJtis: 100_000 });
    // 100k jtis, a thousand expiring each second over 100 seconds.
    for (let i = 0; i < 100_000; i++) await store.claimOnce(`j-${i}`, clock.t + 1 + Math.floor(i / 1000));
    clock.t += 50; // half of them are dead; none reclaimed yet beyond a few in passing
    let worst = 0;
    for (let i = 0; i < 5_000; i++) {
      const before = store.usage().examined.jtis;
      expect(await store.claimOnce(`new-${i}`, clock.t + 600)).toBe(true);
      worst = Math.max(worst, store.usage().examined.jtis - before);
    }
    expect(worst).toBeLessThanOrEqual(8);
    // Every live jti is still there: 51,000 of the first, and the new.
    expect(store.usage().jtis.entries).toBeGreaterThanOrEqual(56_000);
    for (const i of [49_000, 75_000, 99_999]) expect(await store.claimOnce(`j-${i}`, clock.t + 60)).toBe(false);
    for (const i of [0, 4_999]) expect(await store.claimOnce(`new-${i}`, clock.t + 60)).toBe(false);
  });

  test('full of live entries, a refusal looks at a bounded number of entries, not all of them', async () => {
    const { store, clock } = storeAt({ maxJtis: 100_000 });
    for (let i = 0; i < 100_000; i++) await store.claimOnce(`j-${i}`, clock.t + 600 + (i % 300));
    clock.t += 5;
    const before = store.usage().examined.jtis;
    for (let i = 0; i < 1000; i++) await refusalOf(store.claimOnce(`x-${i}`, clock.t + 60));
    expect((store.usage().examined.jtis - before) / 1000).toBeLessThanOrEqual(8);
  });

  test('the periodic sweep reclaims the expired within its budget, in expiry order', async () => {
    const { store, clock } = storeAt();
    for (let i = 0; i < 1000; i++) await store.saveToken(token(`t-${i}`, 'A', clock.t + 10 + (i % 10)));
    clock.t += 14; // expiries t+10..t+14 have come: 500 dead
    expect(store.sweep(100)).toBeLessThanOrEqual(100);
    store.sweep();
    expect(store.usage().tokens.entries).toBe(500);
    expect(await store.getToken('t-5')).toBeDefined();
    expect(await store.getToken('t-4')).toBeUndefined();
  });
});

test('the sweep timer reclaims expired entries with no request coming in, and holds no process open', async () => {
  const clock = { t: 1_700_000_000 };
  const store = new MemoryStore({ sweepIntervalMs: 10, now: () => clock.t });
  for (let i = 0; i < 100; i++) await store.saveToken(token(`t-${i}`, 'A', clock.t + 5));
  await store.claimOnce('j', clock.t + 5);
  clock.t += 10;
  await new Promise((r) => setTimeout(r, 60));
  expect(store.usage()).toMatchObject({ tokens: { entries: 0, bytes: 0 }, jtis: { entries: 0, bytes: 0 } });
});

describe('ExpiringMap edge cases', () => {
  test('after a long idle spell a sweep looks at the buckets, not at every second that passed', () => {
    const clock = { t: 0 };
    const m = new ExpiringMap<number>({ what: 'things' }, 100, 1e9, () => clock.t);
    for (let i = 0; i < 10; i++) m.insert(`k${i}`, i, 10 + i, 1);
    clock.t = 1_000_000_000;
    const before = m.examined;
    expect(m.sweep()).toBe(10);
    expect(m.examined - before).toBeLessThanOrEqual(20);
  });

  test('a clock that goes back keeps every entry reclaimable', () => {
    const clock = { t: 1000 };
    const m = new ExpiringMap<number>({ what: 'things' }, 100, 1e9, () => clock.t);
    m.insert('a', 1, 1005, 1);
    clock.t = 1010;
    m.sweep();
    clock.t = 900; // back in time: cursor is ahead of the clock
    m.insert('b', 2, 950, 1);
    expect(m.get('b')).toBe(2);
    clock.t = 2000;
    expect(m.sweep()).toBe(1);
    expect(m.size).toBe(0);
  });

  test('bad bounds are refused when built', () => {
    expect(() => new ExpiringMap({ what: 'things' }, 0, 10, () => 0)).toThrow(/maxEntries/);
    expect(() => new RingBuffer(1, 0.5)).toThrow(/maxBytes/);
  });
});
