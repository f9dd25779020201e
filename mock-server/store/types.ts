import type { ClientMetadata } from '../core/claims';

export interface ClientRecord {
  client_id: string;
  client_id_issued_at: number;
  client_secret?: string;
  client_secret_expires_at?: number;
  metadata: ClientMetadata;
  /** The verified SSA claims. */
  ssa: Record<string, unknown>;
  software_jwks_endpoint: string;
  /** The profile that registered the client. */
  profile: string;
}

/**
 * Storage behind an interface: in memory by default; async so that a database can stand in.
 */
export interface Store {
  createClient(record: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  updateClient(record: ClientRecord): Promise<void>;
  deleteClient(clientId: string): Promise<boolean>;
  listClients(): Promise<ClientRecord[]>;
  /** Records a single-use value (a jti) until expiresAt (seconds); false when already recorded. */
  claimOnce(key: string, expiresAt: number): Promise<boolean>;
  clear(): Promise<void>;
}
