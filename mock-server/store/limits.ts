/**
 * The bounds of the in-memory store and the admin outbox, in entries and in bytes. Every limit
 * of the mock, these and the others, is listed in docs/limits.md.
 */
export interface StoreLimits {
  /** Registered clients; at the limit new registrations are refused with 503 (none is forgotten). */
  clients: number;
  clientBytes: number;
  /** Live access tokens; full of live tokens, new ones are refused with 503 (none is forgotten). */
  tokens: number;
  tokenBytes: number;
  /** Live single-use jtis; full of live ones, new ones are refused with 503 (none is forgotten). */
  jtis: number;
  jtiBytes: number;
  /** The admin journal's bytes (its entries are JOURNAL_SIZE): a ring, the oldest go first. */
  journalBytes: number;
  /** The admin outbox's bytes (its entries are OUTBOX_SIZE): a ring, the oldest go first. */
  outboxBytes: number;
}

const MiB = 1024 * 1024;

export const defaultStoreLimits: Readonly<StoreLimits> = {
  clients: 10_000,
  clientBytes: 64 * MiB,
  tokens: 100_000,
  tokenBytes: 32 * MiB,
  jtis: 200_000,
  jtiBytes: 32 * MiB,
  journalBytes: 8 * MiB,
  outboxBytes: 8 * MiB,
};

/** Each environment variable, the limit it sets and the values it accepts. */
export const STORE_LIMIT_ENV: Readonly<Record<string, { key: keyof StoreLimits; min: number; max: number }>> = {
  STORE_MAX_CLIENTS: { key: 'clients', min: 1, max: 10_000_000 },
  STORE_MAX_CLIENT_BYTES: { key: 'clientBytes', min: 64 * 1024, max: 64 * 1024 * MiB },
  STORE_MAX_TOKENS: { key: 'tokens', min: 1, max: 10_000_000 },
  STORE_MAX_TOKEN_BYTES: { key: 'tokenBytes', min: 64 * 1024, max: 64 * 1024 * MiB },
  STORE_MAX_JTIS: { key: 'jtis', min: 1, max: 10_000_000 },
  STORE_MAX_JTI_BYTES: { key: 'jtiBytes', min: 64 * 1024, max: 64 * 1024 * MiB },
  JOURNAL_MAX_BYTES: { key: 'journalBytes', min: 64 * 1024, max: 64 * 1024 * MiB },
  OUTBOX_MAX_BYTES: { key: 'outboxBytes', min: 64 * 1024, max: 64 * 1024 * MiB },
};

/** What is wrong with programmatic limits (an unknown key, a value out of range), naming the setting; undefined when fine. */
export function storeLimitsProblem(limits: Record<string, unknown>): string | undefined {
  const known = new Map(Object.entries(STORE_LIMIT_ENV).map(([name, r]) => [r.key as string, { name, ...r }]));
  for (const [key, value] of Object.entries(limits)) {
    const r = known.get(key);
    if (!r) return `storeLimits: unknown limit "${key}" (known: ${[...known.keys()].join(', ')})`;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < r.min || value > r.max) {
      return `storeLimits.${key} (${r.name}) must be a whole number between ${r.min} and ${r.max}, got ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}
