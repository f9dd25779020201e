/**
 * Real Redis servers for the Redis tests (no mock of Redis). `redis-server` on PATH (CI installs
 * it from Debian: .ci/run) is started on a free loopback port per test file; REDIS_TEST_URL names
 * a running one for the tests that need no restart. Without either, the Redis suites are skipped
 * with a loud message; under CI=true they fail instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const redisBinaryFound = spawnSync(REDIS_BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * describe() when a redis-server can be started; otherwise a skipped suite with a loud message,
 * or (CI=true) a failing test saying Redis is missing.
 */
export function describeRedis(name: string, body: () => void, opts: { needsBinary?: boolean } = {}): void {
  if (redisBinaryFound || (!opts.needsBinary && process.env.REDIS_TEST_URL)) {
    describe(name, body);
    return;
  }
  const why = `redis-server not found (install it: apt-get install -y redis-server, or set REDIS_SERVER_BIN)`;
  if (inCi) {
    describe(name, () => {
      test('Redis is required under CI=true', () => {
        throw new Error(`${why}: under CI=true the Redis tests must run, not be skipped`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`\n*** REDIS TESTS NOT RUN: "${name}" skipped: ${why} ***\n`);
  describe.skip(name, body);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.setTimeout(500, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    sock.on('error', () => resolve(false));
  });
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (SIGTERM, or SIGKILL) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
}

/** A redis-server on 127.0.0.1: in memory only, or (durable) with appendonly yes and appendfsync always. */
export async function startRedis(opts: { durable?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dcr-redis-'));
  let child: ChildProcess | undefined;
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    ...(opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    '--protected-mode', 'yes', '--loglevel', 'warning',
  ];
  const start = async () => {
    child = spawn(REDIS_BINARY, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await start();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    restart: start,
    // Cleanup: stop() then remove dir.
  } as TestRedis;
}

export async function removeRedis(r: TestRedis | undefined): Promise<void> {
  if (!r) return;
  await r.stop();
  rmSync(r.dir, { recursive: true, force: true });
}

/**
 * The Redis of REDIS_TEST_URL when set (CI's; tests keep to their own key prefixes and never stop
 * it), else a fresh redis-server of this test file.
 */
export async function sharedRedis(): Promise<{ url: string; close(): Promise<void> }> {
  const given = process.env.REDIS_TEST_URL;
  if (given) return { url: given, close: async () => {} };
  const own = await startRedis();
  return { url: own.url, close: () => removeRedis(own) };
}
