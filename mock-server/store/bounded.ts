import { StoreFull } from '../errors';

/**
 * The bounded containers behind the memory store. Each record's size is measured once, when it is
 * inserted, and a running total is kept, so every bound is checked in constant time:
 * - BoundedMap (clients): bounded in entries and bytes; full, it refuses (StoreFull, 503) and
 *   never forgets an entry to make room;
 * - ExpiringMap (tokens, jtis): the same, and an entry dies at its deadline; the dead are
 *   reclaimed lazily (when read, when room is needed) and by small sweeps, in deadline order from
 *   buckets keyed by the second they die, so no insert ever scans the live entries;
 * - RingBuffer (journal, outbox): bounded in entries and bytes; full, the oldest go first.
 */

/** Bookkeeping of one entry beside its own bytes (map slot, key, bucket slot): an estimate. */
export const ENTRY_OVERHEAD_BYTES = 64;

/** Bytes of a text as UTF-8. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * A cheap estimate of a JSON-like value's size, walking it once without serialising it: strings
 * count their length (a long compact JWT costs nothing more to measure than a short one).
 */
export function estimateBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 5;
  if (value === null || value === undefined || typeof value !== 'object') return 4;
  if (depth > 16) return 16;
  const known = unchanging.get(value);
  if (known) {
    const at = known.get(depth);
    if (at !== undefined) return at;
  }
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value) n += estimateBytes(v, depth + 1) + 1;
  } else {
    for (const k in value) n += k.length + 4 + estimateBytes((value as Record<string, unknown>)[k], depth + 1);
  }
  known?.set(depth, n);
  return n;
}

/**
 * Values that can never change (deeply frozen, and everything under them made for them), with
 * their estimate by the depth it was measured at: the journal's redacted form of a nested JWS
 * (an SSA, twice in every registration's entry) is one such value, measured once instead of
 * walked again in every entry. The estimate depends on the depth only through its cut-off.
 */
const unchanging = new WeakMap<object, Map<number, number>>();

/** Marks a value, deeply frozen and never changed, whose estimate may be kept (see estimateBytes). */
export function sizeOnce<T>(value: T): T {
  if (typeof value === 'object' && value !== null && Object.isFrozen(value) && !unchanging.has(value)) unchanging.set(value, new Map());
  return value;
}

/**
 * sizeOnce for a deeply frozen value and every object under it (each of them frozen, checked
 * here): a part of it (an SSA's org_contacts, copied into an answer) is then known unchanging
 * wherever it sits, to estimateBytes and to the journal's redaction (isUnchanging). The decoded
 * SSA is one: frozen as it is cached, and sitting in every registration's answer.
 */
export function sizeOnceDeep<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > 64 || !Object.isFrozen(value)) return value;
  if (unchanging.has(value)) return value;
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) return value;
  for (const v of Object.values(value)) sizeOnceDeep(v, depth + 1);
  // Marked only once every child is: a child that could change (not frozen) leaves its parents unmarked.
  if (Object.values(value).every((v) => typeof v !== 'object' || v === null || unchanging.has(v))) unchanging.set(value, new Map());
  return value;
}

/** Whether the value was marked by sizeOnce or sizeOnceDeep: deeply frozen, never changed. */
export function isUnchanging(value: object): boolean {
  return unchanging.has(value);
}

/** What a container is called in its refusals: the entries it holds and the settings bounding them. */
export interface Names {
  /** Plural, e.g. "clients". */
  what: string;
  /** The settings naming the bounds, e.g. STORE_MAX_CLIENTS and STORE_MAX_CLIENT_BYTES. */
  countSetting?: string;
  bytesSetting?: string;
}

const setting = (name: string | undefined) => (name ? ` (${name})` : '');

function checkLimit(label: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${label} must be a positive whole number, got ${n}`);
  return n;
}

/** Entries by key, bounded in entries and bytes; full, a new entry is refused, none forgotten. */
export class BoundedMap<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    private readonly names: Names,
    readonly maxEntries: number,
    readonly maxBytes: number,
    /** Retry-After of a refusal: nothing here expires, room comes only when entries are deleted. */
    private readonly retryAfterSeconds: number,
  ) {
    checkLimit(`${names.what}: maxEntries`, maxEntries);
    checkLimit(`${names.what}: maxBytes`, maxBytes);
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Adds or replaces the entry; throws StoreFull when that would pass a bound. */
  set(key: string, value: V, bytes: number): void {
    const old = this.map.get(key);
    const count = this.map.size + (old ? 0 : 1);
    const total = this.total - (old?.bytes ?? 0) + bytes;
    const { what, countSetting, bytesSetting } = this.names;
    if (count > this.maxEntries) {
      throw new StoreFull(what, `the store of ${what} is full: ${this.maxEntries} ${what}${setting(countSetting)}; none is forgotten to make room. Delete some, or retry later`, this.retryAfterSeconds);
    }
    if (total > this.maxBytes) {
      throw new StoreFull(what, `the store of ${what} is full: ${bytes} more bytes would pass its ${this.maxBytes} byte limit${setting(bytesSetting)}; none is forgotten to make room. Delete some, or retry later`, this.retryAfterSeconds);
    }
    this.map.set(key, { value, bytes });
    this.total = total;
  }

  delete(key: string): boolean {
    const old = this.map.get(key);
    if (!old) return false;
    this.map.delete(key);
    this.total -= old.bytes;
    return true;
  }

  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e.value;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}

interface Slot<V> {
  value: V;
  /** The first second at which the entry is dead. */
  deadline: number;
  bytes: number;
  /** The bucket holding its key: the deadline, or the cursor when the clock went back. */
  bucket: number;
}

/** Seconds; beyond it (and for NaN) a deadline is taken as this: never reached in practice. */
const FAR = Number.MAX_SAFE_INTEGER;
/** Buckets stepped through one by one before a scan of all bucket keys is cheaper. */
const STEP_LIMIT = 64;
/** Entries reclaimed in passing by each insert: keeps the dead from piling up without a timer. */
const INSERT_SWEEP = 4;

/**
 * Entries that die at a deadline (seconds), bounded in entries and bytes. Full of live entries, a
 * new one is refused with StoreFull and a Retry-After of the seconds until the earliest dies; a
 * live entry is never forgotten to make room.
 *
 * Besides the map, the keys sit in buckets by deadline (a Map of second -> Set of keys) and a
 * cursor marks the earliest second not yet swept: no bucket lies before it. Reclaiming walks
 * from the cursor towards now and removes what it finds: every entry it looks at is dead, so the
 * work is the entries reclaimed plus the seconds stepped over (or, after a long idle spell, a scan
 * of the bucket keys, whichever is fewer). An insert reclaims only what it needs (and a few more
 * in passing), never scanning the live. `examined` counts every entry and bucket looked at, so a
 * test can prove that bound without a clock.
 */
export class ExpiringMap<V> {
  private readonly map = new Map<string, Slot<V>>();
  private readonly buckets = new Map<number, Set<string>>();
  private cursor: number;
  /** The smallest bucket key, when known (undefined: unknown). */
  private earliest: number | undefined;
  private total = 0;
  /** Entries and buckets looked at while inserting and sweeping. */
  examined = 0;

  constructor(
    private readonly names: Names,
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly now: () => number,
    /** Told of every entry leaving, however it leaves (expiry, delete, replacement, clear excepted). */
    private readonly onRemove?: (key: string, value: V) => void,
  ) {
    checkLimit(`${names.what}: maxEntries`, maxEntries);
    checkLimit(`${names.what}: maxBytes`, maxBytes);
    this.cursor = now();
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  /** The live entry; a dead one is removed on the way. */
  get(key: string): V | undefined {
    const slot = this.map.get(key);
    if (!slot) return undefined;
    if (slot.deadline <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return slot.value;
  }

  /**
   * Adds or replaces the entry until its deadline (the first second it is dead). An entry already
   * dead is not kept (false). Throws StoreFull when the bounds are reached by live entries.
   */
  insert(key: string, value: V, deadline: number, bytes: number): boolean {
    const now = this.now();
    if (!(deadline < FAR)) deadline = FAR;
    if (deadline <= now) {
      this.remove(key);
      return false;
    }
    this.reclaim(now, INSERT_SWEEP, () => false);
    if (this.over(key, bytes)) this.reclaim(now, Infinity, () => !this.over(key, bytes));
    if (this.over(key, bytes)) throw this.full(key, bytes, now);
    if (this.map.has(key)) this.remove(key);
    const bucket = Math.max(deadline, this.cursor);
    let set = this.buckets.get(bucket);
    if (!set) {
      set = new Set();
      this.buckets.set(bucket, set);
      if (this.earliest !== undefined && bucket < this.earliest) this.earliest = bucket;
      if (this.buckets.size === 1) this.earliest = bucket;
    }
    set.add(key);
    this.map.set(key, { value, deadline, bytes, bucket });
    this.total += bytes;
    return true;
  }

  delete(key: string): boolean {
    return this.remove(key);
  }

  /** Reclaims dead entries, at most `budget` entries and buckets looked at; answers how many went. */
  sweep(budget = Infinity): number {
    const before = this.map.size;
    this.reclaim(this.now(), budget, () => false);
    return before - this.map.size;
  }

  clear(): void {
    this.map.clear();
    this.buckets.clear();
    this.earliest = undefined;
    this.total = 0;
    this.cursor = this.now();
  }

  /** Whether adding (or replacing) key with `bytes` would pass a bound. */
  private over(key: string, bytes: number): boolean {
    const old = this.map.get(key);
    return this.map.size + (old ? 0 : 1) > this.maxEntries || this.total - (old?.bytes ?? 0) + bytes > this.maxBytes;
  }

  private full(key: string, bytes: number, now: number): StoreFull {
    const { what, countSetting, bytesSetting } = this.names;
    const retry = Math.min(this.earliestDeadline() - now, 86_400);
    const bound =
      this.map.size + (this.map.has(key) ? 0 : 1) > this.maxEntries
        ? `${this.maxEntries} live ${what}${setting(countSetting)}`
        : `${bytes} more bytes would pass its ${this.maxBytes} byte limit${setting(bytesSetting)}`;
    return new StoreFull(what, `the store of ${what} is full: ${bound}; no live one is forgotten to make room. Retry after ${Math.max(1, retry)}s, when the earliest expires`, retry);
  }

  private remove(key: string): boolean {
    const slot = this.map.get(key);
    if (!slot) return false;
    this.map.delete(key);
    this.total -= slot.bytes;
    const set = this.buckets.get(slot.bucket);
    if (set) {
      set.delete(key);
      if (set.size === 0) {
        this.buckets.delete(slot.bucket);
        if (this.earliest === slot.bucket) this.earliest = undefined;
      }
    }
    this.onRemove?.(key, slot.value);
    return true;
  }

  /** Removes the whole bucket's entries (all dead) until done; false when stopped or out of budget. */
  private drain(set: Set<string>, budget: { left: number }, done: () => boolean): boolean {
    for (const key of set) {
      if (done() || budget.left <= 0) return false;
      this.examined++;
      budget.left--;
      this.remove(key);
    }
    return true;
  }

  /** Reclaims dead entries in deadline order until `done` or the budget is spent. */
  private reclaim(now: number, budget: number, done: () => boolean): void {
    const b = { left: budget };
    while (!done() && b.left > 0) {
      if (this.buckets.size === 0) {
        if (this.cursor <= now) this.cursor = now + 1;
        return;
      }
      if (this.cursor > now) return;
      if (now - this.cursor >= this.buckets.size) {
        // After an idle spell: fewer bucket keys to look at than seconds to step over.
        for (const [second, set] of this.buckets) {
          if (done() || b.left <= 0) return;
          this.examined++;
          b.left--;
          if (second <= now && !this.drain(set, b, done)) return;
        }
        if (this.cursor <= now) this.cursor = now + 1;
        return;
      }
      this.examined++;
      b.left--;
      const set = this.buckets.get(this.cursor);
      if (set && !this.drain(set, b, done)) return;
      this.cursor++;
    }
  }

  /** The earliest second an entry dies: the smallest bucket key (cached). */
  private earliestDeadline(): number {
    if (this.earliest !== undefined) return this.earliest;
    let found: number | undefined;
    for (let s = this.cursor, i = 0; i < STEP_LIMIT && found === undefined; s++, i++) if (this.buckets.has(s)) found = s;
    if (found === undefined) for (const s of this.buckets.keys()) if (found === undefined || s < found) found = s;
    this.earliest = found;
    return found ?? this.now() + 1;
  }
}

/**
 * A ring of entries bounded in entries and bytes: a new entry drops the oldest until it fits.
 * An entry larger than the whole byte bound is not kept (push answers false).
 */
export class RingBuffer<T> {
  private items: (T | undefined)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private length = 0;
  private total = 0;

  constructor(readonly maxEntries: number, readonly maxBytes: number) {
    checkLimit('ring: maxEntries', maxEntries);
    checkLimit('ring: maxBytes', maxBytes);
  }

  get size(): number {
    return this.length;
  }

  get bytes(): number {
    return this.total;
  }

  push(item: T, bytes: number): boolean {
    if (bytes > this.maxBytes) return false;
    while (this.length > 0 && (this.length >= this.maxEntries || this.total + bytes > this.maxBytes)) this.dropOldest();
    const at = (this.head + this.length) % this.maxEntries;
    this.items[at] = item;
    this.sizes[at] = bytes;
    this.length++;
    this.total += bytes;
    return true;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.items[(this.head + i) % this.maxEntries] as T);
    return out;
  }

  clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.length = 0;
    this.total = 0;
  }

  private dropOldest(): void {
    this.total -= this.sizes[this.head]!;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.maxEntries;
    this.length--;
  }
}
