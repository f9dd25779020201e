import type { ClientRecord, Store } from './types';

export interface MemoryStoreOptions {
  maxClients?: number;
  maxJtis?: number;
  now?: () => number;
}

/** An in-memory store with bounded sizes: the oldest entries go first when full. */
export class MemoryStore implements Store {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly jtis = new Map<string, number>();
  private readonly maxClients: number;
  private readonly maxJtis: number;
  private readonly now: () => number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxClients = opts.maxClients ?? 100_000;
    this.maxJtis = opts.maxJtis ?? 100_000;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async createClient(record: ClientRecord): Promise<void> {
    this.clients.set(record.client_id, structuredClone(record));
    while (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const r = this.clients.get(clientId);
    return r && structuredClone(r);
  }

  async updateClient(record: ClientRecord): Promise<void> {
    if (this.clients.has(record.client_id)) this.clients.set(record.client_id, structuredClone(record));
  }

  async deleteClient(clientId: string): Promise<boolean> {
    return this.clients.delete(clientId);
  }

  async listClients(): Promise<ClientRecord[]> {
    return [...this.clients.values()].map((r) => structuredClone(r));
  }

  async claimOnce(key: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const seen = this.jtis.get(key);
    if (seen !== undefined && seen >= now) return false;
    this.jtis.set(key, expiresAt);
    if (this.jtis.size > this.maxJtis) {
      for (const [k, exp] of this.jtis) if (exp < now) this.jtis.delete(k);
      while (this.jtis.size > this.maxJtis) this.jtis.delete(this.jtis.keys().next().value as string);
    }
    return true;
  }

  async clear(): Promise<void> {
    this.clients.clear();
    this.jtis.clear();
  }
}
