import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Where client ids and client secrets come from: the CSPRNG, or, only when SEED is set, a
 * deterministic stream derived from the seed, so that test runs repeat exactly.
 *
 * SEED is for tests: anyone who knows it can compute every client secret the mock will issue.
 * Never set it on a sandbox that others share.
 */
export interface IdSource {
  /** A version 4 UUID. */
  uuid(): string;
  /** `bytes` bytes as base64url. */
  secret(bytes: number): string;
  /** True when the values repeat across runs (SEED set). */
  readonly seeded: boolean;
}

export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  secret: (bytes) => randomBytes(bytes).toString('base64url'),
  seeded: false,
};

/**
 * HMAC-SHA256 in counter mode keyed by the seed, one counter per kind of value: the n-th
 * client id depends on the seed and n only, not on how many secrets were issued in between.
 */
export function seededIds(seed: string): IdSource {
  const counters = new Map<string, number>();
  const bytes = (label: string, n: number): Buffer => {
    const count = counters.get(label) ?? 0;
    counters.set(label, count + 1);
    const blocks: Buffer[] = [];
    for (let block = 0; blocks.length * 32 < n; block++) {
      blocks.push(createHmac('sha256', seed).update(`${label}:${count}:${block}`).digest());
    }
    return Buffer.concat(blocks).subarray(0, n);
  };
  return {
    uuid() {
      const b = bytes('uuid', 16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
    secret: (n) => bytes('secret', n).toString('base64url'),
    seeded: true,
  };
}

/** The seeded source when a seed is given, the CSPRNG otherwise. */
export function idSource(seed: string | undefined): IdSource {
  return seed ? seededIds(seed) : randomIds;
}

/** A 31-bit number from the seed, for faker (the directory's and the certificates' identities). */
export function seedNumber(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) >>> 1;
}
