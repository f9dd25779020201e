import type { ClientRecord, JournalEntry, Store, TokenRecord } from './types';

export interface MemoryStoreOptions {
  maxClients?: number;
  maxJtis?: number;
  maxTokens?: number;
  /** Journal entries kept; the oldest go first. */
  maxJournal?: number;
  now?: () => number;
}

/** Deletes the oldest entries (insertion order) until the map is within max. */
function trimOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value as K);
}

/**
 * An in-memory store with bounded sizes: the oldest entries go first when full.
 * Clients are kept as JSON text, a copy no caller can change: one flat string per client is also
 * what the garbage collector walks fastest, which matters with tens of thousands registered
 * (structuredClone copies cost more and left a graph of objects per client on the heap).
 */
export class MemoryStore implements Store {
  private readonly clients = new Map<string, string>();
  private readonly jtis = new Map<string, number>();
  private readonly tokens = new Map<string, TokenRecord>();
  private journal: JournalEntry[] = [];
  private readonly maxClients: number;
  private readonly maxJtis: number;
  private readonly maxTokens: number;
  private readonly maxJournal: number;
  private readonly now: () => number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxClients = opts.maxClients ?? 100_000;
    this.maxJtis = opts.maxJtis ?? 100_000;
    this.maxTokens = opts.maxTokens ?? 100_000;
    this.maxJournal = opts.maxJournal ?? 200;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async createClient(record: ClientRecord): Promise<void> {
    this.clients.set(record.client_id, JSON.stringify(record));
    trimOldest(this.clients, this.maxClients);
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const r = this.clients.get(clientId);
    return r === undefined ? undefined : (JSON.parse(r) as ClientRecord);
  }

  async updateClient(record: ClientRecord): Promise<void> {
    if (this.clients.has(record.client_id)) this.clients.set(record.client_id, JSON.stringify(record));
  }

  async deleteClient(clientId: string): Promise<boolean> {
    return this.clients.delete(clientId);
  }

  async listClients(): Promise<ClientRecord[]> {
    return [...this.clients.values()].map((r) => JSON.parse(r) as ClientRecord);
  }

  async claimOnce(key: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const seen = this.jtis.get(key);
    if (seen !== undefined && seen >= now) return false;
    this.jtis.set(key, expiresAt);
    if (this.jtis.size > this.maxJtis) {
      for (const [k, exp] of this.jtis) if (exp < now) this.jtis.delete(k);
      trimOldest(this.jtis, this.maxJtis);
    }
    return true;
  }

  async saveToken(record: TokenRecord): Promise<void> {
    this.tokens.set(record.token_hash, structuredClone(record));
    if (this.tokens.size > this.maxTokens) {
      const now = this.now();
      for (const [k, t] of this.tokens) if (t.expires_at <= now) this.tokens.delete(k);
      trimOldest(this.tokens, this.maxTokens);
    }
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const t = this.tokens.get(tokenHash);
    if (!t) return undefined;
    if (t.expires_at <= this.now()) {
      this.tokens.delete(tokenHash);
      return undefined;
    }
    return structuredClone(t);
  }

  async revokeToken(tokenHash: string): Promise<boolean> {
    return this.tokens.delete(tokenHash);
  }

  async revokeClientTokens(clientId: string): Promise<number> {
    let n = 0;
    for (const [k, t] of this.tokens) {
      if (t.client_id === clientId) {
        this.tokens.delete(k);
        n++;
      }
    }
    return n;
  }

  async appendJournal(entry: JournalEntry): Promise<void> {
    this.journal.push(entry);
    if (this.journal.length > this.maxJournal) this.journal.shift();
  }

  async listJournal(): Promise<JournalEntry[]> {
    return structuredClone(this.journal);
  }

  async clear(): Promise<void> {
    this.clients.clear();
    this.jtis.clear();
    this.tokens.clear();
    this.journal = [];
  }
}
