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
  /** The registration request's own claims (iss, iat, exp, aud), for profiles that answer with them. */
  request_claims?: Record<string, unknown>;
  /** The profile that registered the client. */
  profile: string;
  /**
   * rfc7591 dialect: the registered client metadata as answered (the fields the server
   * understands, the software statement's claims over the request's, the defaults it applied).
   */
  registered?: Record<string, unknown>;
  /** rfc7591 dialect: base64url SHA-256 of the registration access token (the token itself is never stored). */
  registration_access_token_hash?: string;
  /** rfc7591 dialect: the client's registered `jwks` (public keys), for private_key_jwt at the token endpoint. */
  jwks?: { keys: Array<Record<string, unknown>> };
}

/** An issued access token. The token itself is never stored: only its SHA-256. */
export interface TokenRecord {
  /** base64url SHA-256 of the access token. */
  token_hash: string;
  client_id: string;
  scope: string;
  issued_at: number;
  expires_at: number;
  /** RFC 8705 confirmation: the base64url SHA-256 of the client certificate DER. */
  cnf?: { 'x5t#S256': string };
}

/** One line of the request journal, already redacted. */
export interface JournalEntry {
  time: string;
  interaction_id: string;
  method: string;
  path: string;
  status: number;
  rule?: string;
  /** What was sent, redacted: the compact JWT decoded without its signature, the redacted form, the auth scheme. */
  request?: Record<string, unknown>;
  /** Every rule checked, in order, with its verdict (registrations; elsewhere the failing rule); `fault`: the runtime fault that switched it. */
  rules?: Array<{ rule: string; verdict: 'pass' | 'fail' | 'skipped'; fault?: string }>;
  /** The JSON answer, secrets removed. */
  answer?: unknown;
  /** A refusal's error_description, kept even where the profile's envelope has no body. */
  error_description?: string;
  /** What was removed from the request and the answer, as paths (`answer.signing_key.d`, `request.jwt.signature`). */
  redacted?: string[];
  /** The runtime faults (POST /__admin/faults) that shaped this exchange. */
  faults?: Array<{ id: string; kind: string; ms?: number; rule?: string }>;
}

/**
 * Storage behind an interface: in memory by default; async so that a database can stand in.
 * A bounded store that cannot take an insert without forgetting a live entry throws StoreFull
 * (mock-server/errors.ts): answered 503 temporarily_unavailable with Retry-After.
 */
export interface Store {
  createClient(record: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  updateClient(record: ClientRecord): Promise<void>;
  deleteClient(clientId: string): Promise<boolean>;
  listClients(): Promise<ClientRecord[]>;
  /** Records a single-use value (a jti) until expiresAt (seconds); false when already recorded. */
  claimOnce(key: string, expiresAt: number): Promise<boolean>;
  /**
   * Forgets a value claimOnce recorded, when the request that claimed it was refused before it
   * took effect (its result could not be stored): the same request may then be sent again.
   */
  releaseOnce?(key: string): Promise<void>;
  saveToken(record: TokenRecord): Promise<void>;
  /** The token by its hash, when present and not expired. */
  getToken(tokenHash: string): Promise<TokenRecord | undefined>;
  revokeToken(tokenHash: string): Promise<boolean>;
  /** Revokes every token of the client; answers how many. */
  revokeClientTokens(clientId: string): Promise<number>;
  appendJournal(entry: JournalEntry): Promise<void>;
  /**
   * An in-process store's alternative to appendJournal: keeps the way to make the redacted entry
   * (`make`, called at most once) and makes it only when the journal is read, so that an exchange
   * nobody looks at costs no redaction. `bytes` is what the entry is counted for in the journal's
   * byte bound (it is never larger). A store that keeps entries elsewhere (Redis) has no such
   * method: what leaves the process is always redacted first.
   */
  appendJournalLater?(make: () => JournalEntry, bytes: number): void;
  /** The journal, oldest first. */
  listJournal(): Promise<JournalEntry[]>;
  /** Empties clients, tokens, jtis and the journal. */
  clear(): Promise<void>;
}
