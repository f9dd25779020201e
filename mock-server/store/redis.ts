import type { OutboxEntry, OutboxStore } from '../mail/outbox';
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { StoreFull } from '../errors';
import type { Logger } from '../logger';
import type { MockBankConfig } from '../config';
import type { SharedSoftware } from '../directory/directory';
import type { ClientRecord, JournalEntry, Store, TokenRecord } from './types';
import { defaultStoreLimits } from './limits';
import { estimateBytes } from './bounded';

/**
 * The store on Redis (STORE_URL=redis://host:port[/db]): clients, tokens, jtis, the journal and the
 * directory's hosted software, shared by every instance of one bank (docs/topology.md).
 *
 * Keys, under `dcr:<profile>:` (instances of one bank share them; banks of other profiles do not):
 *   clients            HASH  client_id -> ClientRecord JSON (clients never expire)
 *   token:<hash>       STRING TokenRecord JSON, PXAT its expires_at
 *   ctokens:<client>   SET   the client's token hashes, PXAT its latest token's expiry
 *   tokens             ZSET  token hash by expiry (ms): the live count, for the STORE_MAX_TOKENS bound
 *   jti:<key>          STRING "1", PXAT the second after the jti's exp (SET NX: claimed once)
 *   jtis               ZSET  jti key by expiry (ms): the live count, for STORE_MAX_JTIS
 *   journal            LIST  JournalEntry JSON, trimmed to JOURNAL_SIZE
 * and the directory's software under `dcr:directory:<issuer>:software` (HASH software_id -> JSON).
 *
 * Every change that must be all-or-nothing is one Lua script (atomic in Redis): a client is created
 * only under its bound; a jti is claimed once across every instance; deleting a client removes its
 * tokens in the same step; a token and its indexes go together.
 *
 * Redis unreachable: commands fail at once (disableOfflineQueue) with StoreUnavailable, answered
 * 503 temporarily_unavailable with Retry-After; the client reconnects with a bounded backoff.
 */

/** Redis cannot be reached: 503 temporarily_unavailable with Retry-After, nothing half-written. */
export class StoreUnavailable extends StoreFull {
  constructor(detail: string, retryAfterSeconds = RETRY_AFTER_SECONDS) {
    super('redis', `the shared store (STORE_URL, Redis) is unavailable: ${detail}; nothing was stored, retry later`, retryAfterSeconds);
  }
}

const RETRY_AFTER_SECONDS = 2;
/** Reconnect delays double from 50 ms up to this. */
const MAX_BACKOFF_MS = 2000;
/** Longer single-use keys are kept as their SHA-256, as in the memory store. */
const MAX_PLAIN_KEY = 128;
const onceKey = (key: string) => (key.length > MAX_PLAIN_KEY ? `sha256:${createHash('sha256').update(key).digest('base64url')}` : key);

export interface RedisStoreOptions {
  url: string;
  /** Key prefix, e.g. dcr:obie: */
  prefix: string;
  maxClients?: number;
  maxTokens?: number;
  maxJtis?: number;
  maxJournal?: number;
  maxJournalBytes?: number;
  /** Milliseconds a command may take before it fails (StoreUnavailable). Default 2000. */
  commandTimeoutMs?: number;
  /** Milliseconds since the epoch (tests). */
  nowMs?: () => number;
  logger?: Logger;
}

// KEYS[1] clients; ARGV id, json, max. 1 stored, 0 full.
const CREATE_CLIENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;
// KEYS[1] clients; ARGV id, json. 1 updated, 0 absent.
const UPDATE_CLIENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;
// KEYS[1] clients, KEYS[2] ctokens:<id>, KEYS[3] tokens zset; ARGV id, token key prefix. The client and its tokens in one step.
const DELETE_CLIENT = `
local gone = redis.call('HDEL', KEYS[1], ARGV[1])
local hashes = redis.call('SMEMBERS', KEYS[2])
for _, h in ipairs(hashes) do
  redis.call('DEL', ARGV[2] .. h)
  redis.call('ZREM', KEYS[3], h)
end
redis.call('DEL', KEYS[2])
return gone`;
// KEYS[1] jti:<key>, KEYS[2] jtis zset; ARGV key, expiry ms, now ms, max. 1 claimed, 0 replay, -n full (n: ms until room).
const CLAIM_ONCE = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return -math.max(1, tonumber(first[2]) - tonumber(ARGV[3]))
end
redis.call('SET', KEYS[1], '1', 'NX', 'PXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1`;
// KEYS[1] token:<hash>, KEYS[2] ctokens:<client>, KEYS[3] tokens zset; ARGV hash, json, expiry ms, now ms, max.
const SAVE_TOKEN = `
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then
  local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  return -math.max(1, tonumber(first[2]) - tonumber(ARGV[4]))
end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < 0 or ttl < tonumber(ARGV[3]) - tonumber(ARGV[4]) then redis.call('PEXPIREAT', KEYS[2], ARGV[3]) end
return 1`;
// KEYS[1] token:<hash>, KEYS[3] tokens zset; ARGV hash, ctokens prefix. 1 revoked.
const REVOKE_TOKEN = `
local json = redis.call('GET', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if not json then return 0 end
redis.call('DEL', KEYS[1])
local ok, t = pcall(cjson.decode, json)
if ok and type(t) == 'table' and type(t.client_id) == 'string' then redis.call('SREM', ARGV[2] .. t.client_id, ARGV[1]) end
return 1`;
// KEYS[1] ctokens:<client>, KEYS[2] tokens zset; ARGV token key prefix. How many were live.
const REVOKE_CLIENT_TOKENS = `
local n = 0
for _, h in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  n = n + redis.call('DEL', ARGV[1] .. h)
  redis.call('ZREM', KEYS[2], h)
end
redis.call('DEL', KEYS[1])
return n`;
// KEYS[1] journal; ARGV json, max.
const APPEND_JOURNAL = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
return 1`;

type Client = ReturnType<typeof createClient>;

// KEYS[1] outbox order, KEYS[2] entries; ARGV id, json, new (1/0), max. A changed entry is rewritten only while it is kept.
const OUTBOX_WRITE = `
if ARGV[3] == '1' then
  redis.call('RPUSH', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  while redis.call('LLEN', KEYS[1]) > tonumber(ARGV[4]) do
    local old = redis.call('LPOP', KEYS[1])
    redis.call('HDEL', KEYS[2], old)
  end
elseif redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return 1`;

export class RedisStore implements Store {
  readonly client: Client;
  private readonly p: string;
  private readonly maxClients: number;
  private readonly maxTokens: number;
  private readonly maxJtis: number;
  private readonly maxJournal: number;
  private readonly maxJournalBytes: number;
  private readonly nowMs: () => number;
  private readonly timeoutMs: number;
  private readonly logger: Logger | undefined;
  private closed = false;

  constructor(opts: RedisStoreOptions) {
    const d = defaultStoreLimits;
    this.p = opts.prefix;
    this.maxClients = opts.maxClients ?? d.clients;
    this.maxTokens = opts.maxTokens ?? d.tokens;
    this.maxJtis = opts.maxJtis ?? d.jtis;
    this.maxJournal = opts.maxJournal ?? 200;
    this.maxJournalBytes = opts.maxJournalBytes ?? d.journalBytes;
    this.nowMs = opts.nowMs ?? Date.now;
    this.timeoutMs = opts.commandTimeoutMs ?? 2000;
    this.logger = opts.logger;
    let down = false;
    this.client = createClient({
      url: opts.url,
      // Fail fast while disconnected: a request is answered 503 at once, never queued behind an outage.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.timeoutMs,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), MAX_BACKOFF_MS),
      },
    });
    this.client.on('error', (e: Error) => {
      if (!down) this.logger?.warn('store: Redis connection lost; answering 503 until it is back', { error: e.message });
      down = true;
    });
    this.client.on('ready', () => {
      if (down) this.logger?.info('store: Redis connection back');
      down = false;
    });
  }

  /** Connects, waiting at most waitMs; still down then, requests are answered 503 while it keeps trying. */
  async connect(waitMs = 5000): Promise<void> {
    const connecting = this.client.connect().then(
      () => true,
      (e: Error) => {
        this.logger?.warn('store: Redis not reachable', { error: e.message });
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([connecting, new Promise<false>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
    clearTimeout(timer);
    if (!ok) this.logger?.warn('store: Redis not reachable at start; requests are answered 503 until it is', {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.isOpen) await this.client.close();
    } catch {
      this.client.destroy();
    }
  }

  /** Runs a command; an unreachable or failing Redis becomes StoreUnavailable (503 with Retry-After). */
  private async run<T>(what: string, command: (c: Client) => Promise<T>): Promise<T> {
    if (!this.client.isReady) throw new StoreUnavailable(`not connected (${what})`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(this.client),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (e) {
      if (e instanceof StoreFull) throw e;
      throw new StoreUnavailable(`${what}: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private eval(what: string, script: string, keys: string[], args: Array<string | number>): Promise<number> {
    return this.run(what, async (c) => Number(await c.eval(script, { keys, arguments: args.map(String) })));
  }

  private full(what: string, setting: string, max: number, msUntilRoom: number): never {
    throw new StoreFull(what, `the store of ${what} is full: ${max} live ${what} (${setting}); none is forgotten to make room. Retry later`, Math.ceil(msUntilRoom / 1000));
  }

  /** An outbox entry: new ones appended to the order (the oldest beyond max dropped), changed ones rewritten in place. */
  async outboxWrite(entry: OutboxEntry, isNew: boolean, max: number): Promise<void> {
    await this.eval('keep outbox entry', OUTBOX_WRITE, [`${this.p}outbox`, `${this.p}outbox:entries`], [entry.id, JSON.stringify(entry), isNew ? 1 : 0, max]);
  }

  async outboxList(): Promise<OutboxEntry[]> {
    const ids = await this.run('read outbox', (c) => c.lRange(`${this.p}outbox`, 0, -1));
    if (ids.length === 0) return [];
    const rows = await this.run('read outbox', (c) => c.hmGet(`${this.p}outbox:entries`, ids));
    return rows.filter((r): r is string => typeof r === 'string').map((r) => JSON.parse(r) as OutboxEntry);
  }

  async outboxClear(): Promise<void> {
    await this.run('clear outbox', (c) => c.del([`${this.p}outbox`, `${this.p}outbox:entries`]));
  }

  async createClient(record: ClientRecord): Promise<void> {
    const ok = await this.eval('create client', CREATE_CLIENT, [`${this.p}clients`], [record.client_id, JSON.stringify(record), this.maxClients]);
    if (ok !== 1) throw new StoreFull('clients', `the store of clients is full: ${this.maxClients} clients (STORE_MAX_CLIENTS); none is forgotten to make room. Delete some, or retry later`, 60);
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const json = await this.run('read client', (c) => c.hGet(`${this.p}clients`, clientId));
    return typeof json === 'string' ? (JSON.parse(json) as ClientRecord) : undefined;
  }

  async updateClient(record: ClientRecord): Promise<void> {
    await this.eval('update client', UPDATE_CLIENT, [`${this.p}clients`], [record.client_id, JSON.stringify(record)]);
  }

  /** Deletes the client and, in the same atomic step, its tokens (on every instance). */
  async deleteClient(clientId: string): Promise<boolean> {
    return (await this.eval('delete client', DELETE_CLIENT, [`${this.p}clients`, `${this.p}ctokens:${clientId}`, `${this.p}tokens`], [clientId, `${this.p}token:`])) === 1;
  }

  async listClients(): Promise<ClientRecord[]> {
    const all = await this.run('list clients', (c) => c.hVals(`${this.p}clients`));
    return (all as string[]).map((j) => JSON.parse(j) as ClientRecord);
  }

  async claimOnce(claimed: string, expiresAt: number): Promise<boolean> {
    const key = onceKey(claimed);
    const now = this.nowMs();
    // Live while expiresAt >= now (seconds): dead from the second after it; at least a second in any case.
    const until = Math.max((Math.floor(expiresAt) + 1) * 1000, now + 1000);
    const r = await this.eval('claim jti', CLAIM_ONCE, [`${this.p}jti:${key}`, `${this.p}jtis`], [key, until, now, this.maxJtis]);
    if (r < 0) this.full('jtis', 'STORE_MAX_JTIS', this.maxJtis, -r);
    return r === 1;
  }

  async releaseOnce(claimed: string): Promise<void> {
    const key = onceKey(claimed);
    await this.run('release jti', (c) => c.multi().del(`${this.p}jti:${key}`).zRem(`${this.p}jtis`, key).exec());
  }

  async saveToken(record: TokenRecord): Promise<void> {
    const now = this.nowMs();
    const until = Math.ceil(record.expires_at) * 1000;
    if (until <= now) return; // dead already: nothing to keep
    const r = await this.eval(
      'save token',
      SAVE_TOKEN,
      [`${this.p}token:${record.token_hash}`, `${this.p}ctokens:${record.client_id}`, `${this.p}tokens`],
      [record.token_hash, JSON.stringify(record), until, now, this.maxTokens],
    );
    if (r < 0) this.full('access tokens', 'STORE_MAX_TOKENS', this.maxTokens, -r);
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const json = await this.run('read token', (c) => c.get(`${this.p}token:${tokenHash}`));
    if (typeof json !== 'string') return undefined;
    const t = JSON.parse(json) as TokenRecord;
    return t.expires_at * 1000 > this.nowMs() ? t : undefined;
  }

  async revokeToken(tokenHash: string): Promise<boolean> {
    return (await this.eval('revoke token', REVOKE_TOKEN, [`${this.p}token:${tokenHash}`, `${this.p}tokens`], [tokenHash, `${this.p}ctokens:`])) === 1;
  }

  async revokeClientTokens(clientId: string): Promise<number> {
    return this.eval('revoke tokens', REVOKE_CLIENT_TOKENS, [`${this.p}ctokens:${clientId}`, `${this.p}tokens`], [`${this.p}token:`]);
  }

  async appendJournal(entry: JournalEntry): Promise<void> {
    let json = JSON.stringify(entry);
    if (estimateBytes(entry) > this.maxJournalBytes) {
      const { request: _omitted, ...rest } = entry;
      json = JSON.stringify({ ...rest, request: { omitted: `the request is larger than the journal's ${this.maxJournalBytes} byte limit (JOURNAL_MAX_BYTES)` } });
    }
    await this.eval('append journal', APPEND_JOURNAL, [`${this.p}journal`], [json, this.maxJournal]);
  }

  async listJournal(): Promise<JournalEntry[]> {
    const all = await this.run('read journal', (c) => c.lRange(`${this.p}journal`, 0, -1));
    return (all as string[]).map((j) => JSON.parse(j) as JournalEntry);
  }

  /** Empties this bank's keys (its prefix); other banks' and the directory's are left alone. */
  async clear(): Promise<void> {
    await this.run('clear', async (c) => {
      for await (const keys of c.scanIterator({ MATCH: `${this.p}*`, COUNT: 500 })) {
        const batch = keys as unknown as string[];
        if (batch.length) await c.unlink(batch);
      }
    });
  }

  /** The directory's hosted software, kept in a hash per directory issuer (see MockDirectory's `shared`). */
  async directorySoftware(issuer: string): Promise<SharedSoftware> {
    const key = `dcr:directory:${issuer}:software`;
    const saved = this.client.isReady ? await this.run('read directory software', (c) => c.hGetAll(key)) : {};
    const software: Record<string, unknown> = {};
    for (const [id, json] of Object.entries(saved as Record<string, string>)) {
      try {
        software[id] = JSON.parse(json);
      } catch {
        this.logger?.warn('store: a directory software entry is malformed and was skipped', { software_id: id });
      }
    }
    return {
      initial: { version: 2, software },
      save: async (id, record) => {
        await this.run('save directory software', (c) => c.hSet(key, id, JSON.stringify(record)));
      },
      load: async (id) => {
        const json = await this.run('read directory software', (c) => c.hGet(key, id));
        if (typeof json !== 'string') return undefined;
        try {
          return JSON.parse(json) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      },
    };
  }
}

/**
 * The outbox on Redis, shared by every instance of the bank: entries in a hash by id, their order
 * in a list trimmed to `max` (the oldest dropped, as in memory). Writes are fire-and-forget (a mail
 * kept nowhere must not fail the registration it reports on): a failure is logged.
 */
export class RedisOutbox implements OutboxStore {
  constructor(private readonly store: RedisStore, readonly max: number, private readonly logger?: Logger) {}
  private write(entry: OutboxEntry, isNew: boolean): void {
    this.store.outboxWrite(entry, isNew, this.max).catch((e: Error) => this.logger?.warn('outbox: not kept on Redis', { id: entry.id, error: e.message }));
  }
  add(entry: OutboxEntry): void {
    this.write(entry, true);
  }
  save(entry: OutboxEntry): void {
    this.write(entry, false);
  }
  list(): Promise<OutboxEntry[]> {
    return this.store.outboxList();
  }
  clear(): Promise<void> {
    return this.store.outboxClear();
  }
}

/** The store STORE_URL names, bounded by the configuration's limits, connected (or retrying in the background). */
export async function openRedisStore(config: MockBankConfig, logger?: Logger): Promise<RedisStore> {
  const store = new RedisStore({
    url: config.storeUrl!,
    prefix: `dcr:${config.role === 'directory' ? 'directory' : config.profile}:`,
    maxClients: config.storeLimits.clients,
    maxTokens: config.storeLimits.tokens,
    maxJtis: config.storeLimits.jtis,
    maxJournal: config.journalSize,
    maxJournalBytes: config.storeLimits.journalBytes,
    ...(logger ? { logger } : {}),
  });
  await store.connect();
  return store;
}
