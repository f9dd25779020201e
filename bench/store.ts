/**
 * npm run bench:store: inserts per second into the memory store's bounded maps with 1k live
 * entries (the baseline, measured in the same run) and with 100k and more, printed as ratios.
 * An O(1) insert keeps the ratio near 1; the store this replaced scanned every entry once past
 * 100k (registrations fell 76%, tokens 92%). Also: inserts at the limit while entries expire
 * (each insert reclaims only what it needs), beside the same baseline.
 *
 * Settings: BENCH_STORE_INSERTS (timed inserts per round, default 20000), BENCH_STORE_LIVE (the
 * large size, default 100000; jtis are measured at it and twice it), BENCH_ROUNDS (default 5).
 */
import { MemoryStore } from '../mock-server/store/memory';
import { setting } from './settings';


const INSERTS = setting('BENCH_STORE_INSERTS', 20_000);
const ROUNDS = setting('BENCH_ROUNDS', 5);
const LIVE = setting('BENCH_STORE_LIVE', 100_000);
const T0 = 1_700_000_000;

type Kind = 'tokens' | 'jtis';

/** One round: `live` live entries in, then INSERTS timed inserts; answers inserts per second. */
async function round(kind: Kind, live: number, atLimit: boolean): Promise<number> {
  const clock = { t: T0 };
  const max = atLimit ? live : live + INSERTS;
  const store = new MemoryStore({
    sweepIntervalMs: 0,
    now: () => clock.t,
    maxTokens: max,
    maxJtis: max,
    maxTokenBytes: 2 ** 32,
    maxJtiBytes: 2 ** 32,
  });
  // At the limit, entries expire steadily (live/600 a second over ten minutes); otherwise they stay live.
  // (A token dies at its expires_at, a jti the second after its exp: both die from T0 + 1 on.)
  const expiry = (i: number) => (atLimit ? T0 + (kind === 'tokens' ? 1 : 0) + Math.floor((i * 600) / live) : T0 + 86_400);
  const put = (key: string, exp: number) =>
    kind === 'tokens'
      ? store.saveToken({ token_hash: key, client_id: `client-${key.length % 97}`, scope: 'openid accounts payments', issued_at: clock.t, expires_at: exp })
      : store.claimOnce(`client_assertion:client-1:${key}`, exp);
  for (let i = 0; i < live; i++) await put(`live-${i}`, expiry(i));
  // At the limit, time moves so that about as many expire as are inserted.
  const perSecond = atLimit ? Math.max(1, Math.floor(live / 600)) : Infinity;
  const start = process.hrtime.bigint();
  for (let i = 0; i < INSERTS; i++) {
    if (i % perSecond === 0 && atLimit) clock.t++;
    await put(`new-${i}`, atLimit ? clock.t + 600 : T0 + 86_400);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return INSERTS / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The baseline (1k live) and the measured case run in turns, round by round, and the ratio is the
 * median of the rounds' ratios: load from elsewhere on the machine drifts slower than one round.
 */
async function paired(measured: () => Promise<number> | number, baseline: () => Promise<number> | number): Promise<{ rate: number; base: number; ratio: number }> {
  const rates: number[] = [];
  const bases: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await baseline();
    const m = await measured();
    bases.push(b);
    rates.push(m);
    ratios.push(m / b);
  }
  return { rate: median(rates), base: median(bases), ratio: median(ratios) };
}

/**
 * The floor any map sets: a bare Map taking the same JSON text at the same sizes. A bigger heap
 * costs every insert something (cache misses, longer garbage collections) whatever the algorithm,
 * so the store's ratio is read beside this one.
 */
function bareMap(live: number): number {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const m = new Map<string, { json: string; deadline: number }>();
    const rec = (i: number) => ({ json: JSON.stringify({ token_hash: `h-${i}`, client_id: 'client-1', scope: 'openid accounts payments', issued_at: T0, expires_at: T0 + i }), deadline: T0 + i });
    for (let i = 0; i < live; i++) m.set(`live-${i}`, rec(i));
    const start = process.hrtime.bigint();
    for (let i = 0; i < INSERTS; i++) m.set(`new-${i}`, rec(i));
    rates.push(INSERTS / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rates);
}

/** The store this replaced, for contrast: past its bound, every insert scanned every token. */
function before(live: number, inserts: number): number {
  const tokens = new Map<string, { expires_at: number }>();
  const max = live;
  const now = T0;
  for (let i = 0; i < live; i++) tokens.set(`live-${i}`, { expires_at: T0 + 86_400 });
  const start = process.hrtime.bigint();
  for (let i = 0; i < inserts; i++) {
    tokens.set(`new-${i}`, structuredClone({ expires_at: T0 + 86_400 }));
    if (tokens.size > max) {
      for (const [k, t] of tokens) if (t.expires_at <= now) tokens.delete(k);
      while (tokens.size > max) tokens.delete(tokens.keys().next().value as string);
    }
  }
  return inserts / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main() {
  console.log(`memory store inserts/s, median of ${ROUNDS} rounds of ${INSERTS} inserts; each ratio against 1k live entries, measured in turns in the same run`);
  const rows: string[][] = [['store', 'live entries', 'inserts/s', '1k live', 'ratio', 'bare Map ratio']];
  const fmt = (n: number) => n.toLocaleString('en');
  bareMap(1000); // warm-up
  const mapAt = new Map<number, number>();
  for (const n of [LIVE, 2 * LIVE]) mapAt.set(n, (await paired(() => bareMap(n), () => bareMap(1_000))).ratio);
  for (const kind of ['tokens', 'jtis'] as const) {
    await round(kind, 1000, false); // warm-up
    const limit = kind === 'tokens' ? LIVE : 2 * LIVE;
    for (const live of kind === 'tokens' ? [LIVE] : [LIVE, 2 * LIVE]) {
      const p = await paired(() => round(kind, live, false), () => round(kind, 1_000, false));
      rows.push([kind, fmt(live), p.rate.toFixed(0), p.base.toFixed(0), p.ratio.toFixed(2), mapAt.get(live)!.toFixed(2)]);
    }
    const p = await paired(() => round(kind, limit, true), () => round(kind, 1_000, false));
    rows.push([kind, `${fmt(limit)}, full, expiring`, p.rate.toFixed(0), p.base.toFixed(0), p.ratio.toFixed(2), '']);
  }
  const n = Math.min(INSERTS, 500);
  const old = await paired(() => before(LIVE, n), () => before(1_000, n));
  rows.push(['before (scan)', `${fmt(LIVE)}, full`, old.rate.toFixed(0), old.base.toFixed(0), old.ratio.toFixed(4), '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
  console.log([
    'bare Map ratio: a Map taking the same JSON at that size against 1k, the floor any map sets on this machine (cache, GC);',
    'full, expiring: at the limit, each insert also reclaims an expired entry (two map operations), against 1k live not full;',
    `before (scan): the store this replaced, ${n} inserts past its bound, against the same at 1k.`,
  ].join('\n'));
}

await main();
