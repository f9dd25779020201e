import { createHash } from 'node:crypto';
import type { ClientRecord, JournalEntry, Store, TokenRecord } from './types';
import { BoundedMap, ENTRY_OVERHEAD_BYTES, ExpiringMap, RingBuffer, estimateBytes, utf8Bytes } from './bounded';
import { defaultStoreLimits, type StoreLimits } from './limits';
import { ssaClaimsOf } from '../core/verify-ssa';

export interface MemoryStoreOptions {
  /** Registered clients (default 10,000) and their bytes (default 64 MiB). */
  maxClients?: number;
  maxClientBytes?: number;
  /** Live single-use jtis (default 200,000) and their bytes (default 32 MiB). */
  maxJtis?: number;
  maxJtiBytes?: number;
  /** Live access tokens (default 100,000) and their bytes (default 32 MiB). */
  maxTokens?: number;
  maxTokenBytes?: number;
  /** Journal entries kept (default 200) and their bytes (default 8 MiB); the oldest go first. */
  maxJournal?: number;
  maxJournalBytes?: number;
  /** Seconds since the epoch. */
  now?: () => number;
  /** Milliseconds between sweeps of expired tokens and jtis (an unref'd timer); 0: none. Default 10,000. */
  sweepIntervalMs?: number;
}

/** The options of a store bounded by the configuration's limits (see docs/limits.md). */
export function memoryStoreOptions(limits: StoreLimits, journalSize: number): MemoryStoreOptions {
  return {
    maxClients: limits.clients,
    maxClientBytes: limits.clientBytes,
    maxTokens: limits.tokens,
    maxTokenBytes: limits.tokenBytes,
    maxJtis: limits.jtis,
    maxJtiBytes: limits.jtiBytes,
    maxJournal: journalSize,
    maxJournalBytes: limits.journalBytes,
  };
}

/** Longer single-use keys are kept as their SHA-256: a jti of 60 KB costs what a short one does. */
const MAX_PLAIN_KEY = 128;
const onceKey = (key: string) => (key.length > MAX_PLAIN_KEY ? `sha256:${createHash('sha256').update(key).digest('base64url')}` : key);

/**
 * A client record as the store keeps it: JSON text, where the SSA's claims are left out (`"ssa":0`
 * in their place) when they are exactly the decoding of the record's own software_statement, kept
 * beside it in the same text; they are read back from it (core/verify-ssa.ts keeps each decoding,
 * frozen, by its text). An OBIE registration's record is then about a third shorter, and is
 * serialised and parsed without the claims. Claims that are anything else are kept as they are.
 */
function clientText(record: ClientRecord): string {
  const statement = (record.metadata as { software_statement?: unknown } | undefined)?.software_statement;
  const derived = typeof statement === 'string' && record.ssa !== undefined && ssaClaimsOf(statement, true) === record.ssa;
  return JSON.stringify(derived ? { ...record, ssa: 0 } : record);
}

function clientOfText(text: string): ClientRecord {
  const record = JSON.parse(text) as Omit<ClientRecord, 'ssa'> & { ssa: ClientRecord['ssa'] | 0 };
  if (record.ssa !== 0) return record as ClientRecord;
  const ssa = ssaClaimsOf(record.metadata.software_statement);
  // Decoded when it was stored, so it decodes again; were it not to, the claims are not invented.
  if (!ssa) throw new Error(`client ${record.client_id}: its software_statement no longer decodes`);
  return { ...record, ssa };
}

/** A journal entry not made yet: made once, when first read, and kept. */
class PendingEntry {
  private made: JournalEntry | undefined;
  constructor(private make: (() => JournalEntry) | undefined) {}
  entry(): JournalEntry {
    if (!this.made) {
      this.made = this.make!();
      // What it was made from is let go.
      this.make = undefined;
    }
    return this.made;
  }
}

/** Retry-After of a refused registration: clients never expire, room comes when some are deleted. */
const CLIENT_RETRY_AFTER_SECONDS = 60;
/** Entries and buckets a periodic sweep looks at, at most: it never holds the event loop long. */
const SWEEP_BUDGET = 20_000;

export interface StoreUsage {
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

/**
 * An in-memory store bounded in entries and bytes (docs/limits.md):
 * - clients: full, a new registration is refused (StoreFull: 503 temporarily_unavailable with
 *   Retry-After); a registered client is never forgotten to make room;
 * - tokens and jtis expire: the dead are reclaimed lazily and by a periodic sweep, in expiry
 *   order, and an insert never scans the live; full of live entries, a new one is refused with
 *   503 and Retry-After (the seconds until the earliest expires), so no live token of another
 *   client is revoked and no live jti forgotten (a replay stays refused);
 * - the journal is a ring: the oldest entries go first, by count and by bytes.
 * Clients and tokens are kept as JSON text, a copy no caller can change: one flat string per
 * record is also what the garbage collector walks fastest, and its length is its size. (A
 * client's SSA claims read back from its statement are the verifier's shared decoding, frozen:
 * see clientText.)
 * The journal's entries may be kept as the way to make them, until first read (appendJournalLater).
 */
export class MemoryStore implements Store {
  private readonly clients: BoundedMap<string>;
  private readonly jtis: ExpiringMap<true>;
  private readonly tokens: ExpiringMap<{ json: string; clientId: string }>;
  /** Token hashes by client, for revokeClientTokens without a scan of every token. */
  private readonly tokensByClient = new Map<string, Set<string>>();
  /** Entries, or the way to make one (appendJournalLater) until the journal is read. */
  private readonly journal: RingBuffer<JournalEntry | PendingEntry>;
  private readonly now: () => number;

  constructor(opts: MemoryStoreOptions = {}) {
    const d = defaultStoreLimits;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.clients = new BoundedMap(
      { what: 'clients', countSetting: 'STORE_MAX_CLIENTS', bytesSetting: 'STORE_MAX_CLIENT_BYTES' },
      opts.maxClients ?? d.clients,
      opts.maxClientBytes ?? d.clientBytes,
      CLIENT_RETRY_AFTER_SECONDS,
    );
    this.jtis = new ExpiringMap<true>(
      { what: 'jtis', countSetting: 'STORE_MAX_JTIS', bytesSetting: 'STORE_MAX_JTI_BYTES' },
      opts.maxJtis ?? d.jtis,
      opts.maxJtiBytes ?? d.jtiBytes,
      this.now,
    );
    this.tokens = new ExpiringMap<{ json: string; clientId: string }>(
      { what: 'access tokens', countSetting: 'STORE_MAX_TOKENS', bytesSetting: 'STORE_MAX_TOKEN_BYTES' },
      opts.maxTokens ?? d.tokens,
      opts.maxTokenBytes ?? d.tokenBytes,
      this.now,
      (hash, t) => this.unindexToken(hash, t.clientId),
    );
    this.journal = new RingBuffer(opts.maxJournal ?? 200, opts.maxJournalBytes ?? d.journalBytes);
    const every = opts.sweepIntervalMs ?? 10_000;
    if (every > 0) {
      // The timer holds the store weakly: a store nobody uses any more is collected, timer and all.
      const self = new WeakRef(this);
      const timer: NodeJS.Timeout = setInterval(() => {
        const store = self.deref();
        if (store) store.sweep(SWEEP_BUDGET);
        else clearInterval(timer);
      }, every);
      timer.unref();
    }
  }

  async createClient(record: ClientRecord): Promise<void> {
    const json = clientText(record);
    this.clients.set(record.client_id, json, utf8Bytes(json) + ENTRY_OVERHEAD_BYTES);
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const r = this.clients.get(clientId);
    return r === undefined ? undefined : clientOfText(r);
  }

  async updateClient(record: ClientRecord): Promise<void> {
    if (!this.clients.has(record.client_id)) return;
    const json = clientText(record);
    this.clients.set(record.client_id, json, utf8Bytes(json) + ENTRY_OVERHEAD_BYTES);
  }

  async deleteClient(clientId: string): Promise<boolean> {
    return this.clients.delete(clientId);
  }

  async listClients(): Promise<ClientRecord[]> {
    return [...this.clients.values()].map(clientOfText);
  }

  async claimOnce(claimed: string, expiresAt: number): Promise<boolean> {
    const key = onceKey(claimed);
    if (this.jtis.get(key) !== undefined) return false;
    // Live while expiresAt >= now: dead from the second after it.
    this.jtis.insert(key, true, Math.floor(expiresAt) + 1, utf8Bytes(key) + ENTRY_OVERHEAD_BYTES);
    return true;
  }

  async releaseOnce(key: string): Promise<void> {
    this.jtis.delete(onceKey(key));
  }

  async saveToken(record: TokenRecord): Promise<void> {
    const json = JSON.stringify(record);
    // Live while expires_at > now.
    if (!this.tokens.insert(record.token_hash, { json, clientId: record.client_id }, Math.ceil(record.expires_at), utf8Bytes(json) + ENTRY_OVERHEAD_BYTES)) return;
    let hashes = this.tokensByClient.get(record.client_id);
    if (!hashes) this.tokensByClient.set(record.client_id, (hashes = new Set()));
    hashes.add(record.token_hash);
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const t = this.tokens.get(tokenHash);
    return t === undefined ? undefined : (JSON.parse(t.json) as TokenRecord);
  }

  async revokeToken(tokenHash: string): Promise<boolean> {
    return this.tokens.delete(tokenHash);
  }

  async revokeClientTokens(clientId: string): Promise<number> {
    const hashes = this.tokensByClient.get(clientId);
    if (!hashes) return 0;
    let n = 0;
    for (const hash of [...hashes]) {
      // Counted as revoked only while live, as before; the dead go either way.
      if (this.tokens.get(hash) !== undefined) n++;
      this.tokens.delete(hash);
    }
    return n;
  }

  async appendJournal(entry: JournalEntry): Promise<void> {
    const bytes = estimateBytes(entry) + ENTRY_OVERHEAD_BYTES;
    if (this.journal.push(entry, bytes)) return;
    // Larger than the whole journal: kept without what was sent.
    const { request: _omitted, ...rest } = entry;
    const note = { omitted: `the request (${bytes} bytes) is larger than the journal's ${this.journal.maxBytes} byte limit (JOURNAL_MAX_BYTES)` };
    this.journal.push({ ...rest, request: note }, estimateBytes(rest) + ENTRY_OVERHEAD_BYTES + 160);
  }

  appendJournalLater(make: () => JournalEntry, bytes: number): void {
    // One that may not fit is made now and measured, as appendJournal does.
    if (bytes + ENTRY_OVERHEAD_BYTES > this.journal.maxBytes) void this.appendJournal(make());
    else this.journal.push(new PendingEntry(make), bytes + ENTRY_OVERHEAD_BYTES);
  }

  async listJournal(): Promise<JournalEntry[]> {
    return structuredClone(this.journal.toArray().map((e) => (e instanceof PendingEntry ? e.entry() : e)));
  }

  async clear(): Promise<void> {
    this.clients.clear();
    this.jtis.clear();
    this.tokens.clear();
    this.tokensByClient.clear();
    this.journal.clear();
  }

  /** Reclaims expired tokens and jtis, looking at most at `budget` entries of each; answers how many went. */
  sweep(budget = Infinity): number {
    return this.tokens.sweep(budget) + this.jtis.sweep(budget);
  }

  /** Entries and bytes held beside their bounds, and the entries looked at by inserts and sweeps. */
  usage(): { clients: StoreUsage; tokens: StoreUsage; jtis: StoreUsage; journal: StoreUsage; examined: { tokens: number; jtis: number } } {
    const of = (m: { size: number; bytes: number; maxEntries: number; maxBytes: number }): StoreUsage => ({ entries: m.size, bytes: m.bytes, maxEntries: m.maxEntries, maxBytes: m.maxBytes });
    return {
      clients: of(this.clients),
      tokens: of(this.tokens),
      jtis: of(this.jtis),
      journal: of(this.journal),
      examined: { tokens: this.tokens.examined, jtis: this.jtis.examined },
    };
  }

  private unindexToken(hash: string, client: string): void {
    const hashes = this.tokensByClient.get(client);
    if (!hashes) return;
    hashes.delete(hash);
    if (hashes.size === 0) this.tokensByClient.delete(client);
  }
}
