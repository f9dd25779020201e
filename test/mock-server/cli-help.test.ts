import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../mock-server/directory/cli';

/** Every --help prints usage and exits 0 without side effects. */
test.each([['mint', '--help'], ['sign-request', '--help'], ['mint', '-h'], ['--help']])('directory CLI %s %s: usage, exit 0', async (...argv) => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    expect(await main(argv)).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  expect(out.join('')).toMatch(/mint-ssa options:/);
});

test('npm run certs -- --help prints usage, exits 0 and writes nothing', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'certs-help-'));
  const script = new URL('../../scripts/certs.ts', import.meta.url).pathname;
  const tsx = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;
  const r = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile(process.execPath, [tsx, script, '--help'], { cwd, timeout: 60_000 }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 2) : 0, out: stdout })),
  );
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^Usage: npm run certs/);
  expect(readdirSync(cwd)).toEqual([]);
  expect(existsSync(join(cwd, '--help'))).toBe(false);
});
