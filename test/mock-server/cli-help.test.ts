import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../mock-server/directory/cli';
import { mockUrl } from '../../mock-server/mock-url';
import { defaults } from '../../mock-server/config';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { decodePayload } from '../../fixtures/registration';

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

/** Runs a TypeScript entry point through tsx in cwd. */
function tsxRun(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  const file = new URL(`../../${script}`, import.meta.url).pathname;
  const tsx = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;
  return new Promise((resolve) =>
    execFile(process.execPath, [tsx, file, ...args], { cwd, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 2) : 0, out: stdout })),
  );
}

test.each([
  [['--help'], /^Usage: npx dcr-mockbank \[options\][\s\S]*mint-ssa[\s\S]*sign-request[\s\S]*certs \[dir\]/],
  [['-h'], /^Usage: npx dcr-mockbank/],
  [['mint-ssa', '--help'], /mint-ssa options:/],
  [['sign-request', '--help'], /sign-request options:/],
  [['certs', '--help'], /^Usage: npm run certs/],
])('dcr-mockbank %j (mock-server/cli.ts): usage, exit 0, nothing written', async (args, usage) => {
  const cwd = mkdtempSync(join(tmpdir(), 'mockbank-help-'));
  const r = await tsxRun('mock-server/cli.ts', args, cwd);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(usage);
  expect(readdirSync(cwd)).toEqual([]);
});

describe('mint-ssa and sign-request find the mock from MOCK_URL / PUBLIC_URL / PORT, not a fixed port', () => {
  let bank: MockBank;
  let dir: string;
  const saved = { MOCK_URL: process.env.MOCK_URL, PUBLIC_URL: process.env.PUBLIC_URL, PORT: process.env.PORT };
  beforeAll(async () => {
    bank = await startMockBank();
    dir = mkdtempSync(join(tmpdir(), 'mockbank-url-'));
    writeFileSync(join(dir, 'ca.pem'), bank.ca);
    writeFileSync(join(dir, 'tpp-transport.pem'), bank.tpp.cert);
  }, 60_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await bank.close();
  });

  async function capture(argv: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      return { code: await main(argv), out: out.join('') };
    } finally {
      process.stdout.write = write;
      process.stderr.write = err;
    }
  }

  test('the default URL: MOCK_URL, else PUBLIC_URL, else https://localhost:$PORT (PORT defaulting to the mock\'s)', () => {
    expect(mockUrl({})).toBe(`https://localhost:${defaults.port}`);
    expect(mockUrl({ PORT: '9443' })).toBe('https://localhost:9443');
    expect(mockUrl({ PUBLIC_URL: 'https://bank.test:1234/', PORT: '9443' })).toBe('https://bank.test:1234');
    expect(mockUrl({ MOCK_URL: 'https://127.0.0.1:5555', PUBLIC_URL: 'https://bank.test:1234' })).toBe('https://127.0.0.1:5555');
  });

  test('PORT alone: mint-ssa reaches the mock on that port; sign-request aims aud at it', async () => {
    delete process.env.MOCK_URL;
    delete process.env.PUBLIC_URL;
    process.env.PORT = String(bank.port);
    const minted = await capture(['mint-ssa', '--certs-dir', dir, '--out', join(dir, 'ssa.jwt')]);
    expect(minted.code).toBe(0);
    const keyFile = readdirSync(dir).find((f) => f.startsWith('software-') && f.endsWith('.key.json'))!;
    expect(keyFile).toBeDefined();
    const signed = await capture(['sign-request', '--ssa', join(dir, 'ssa.jwt'), '--key', join(dir, keyFile), '--cert', join(dir, 'tpp-transport.pem')]);
    expect(signed.code).toBe(0);
    expect(decodePayload(signed.out.trim()).aud).toBe(`https://localhost:${bank.port}`);
  });

  test('mint-ssa --software-id: the first mint keeps the software_secret, later mints send it; without it (or the certificate) 403, exit 2', async () => {
    process.env.MOCK_URL = bank.url;
    const id = 'cliOwned1';
    expect((await capture(['mint-ssa', '--certs-dir', dir, '--software-id', id])).code).toBe(0);
    const secretFile = join(dir, `software-${id}.secret`);
    expect(readFileSync(secretFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect((await capture(['mint-ssa', '--certs-dir', dir, '--software-id', id])).code).toBe(0);
    const other = mkdtempSync(join(tmpdir(), 'mockbank-other-'));
    writeFileSync(join(other, 'ca.pem'), bank.ca);
    const errors: string[] = [];
    const err = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string) => (errors.push(String(c)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['mint-ssa', '--certs-dir', other, '--software-id', id])).toBe(2);
    } finally {
      process.stderr.write = err;
    }
    expect(errors.join('')).toMatch(/HTTP 403 .*access_denied[\s\S]*--cert\/--cert-key[\s\S]*--secret-file/);
    // The mock's own TPP software_id: the transport certificate in the certs dir proves it.
    const tppDir = mkdtempSync(join(tmpdir(), 'mockbank-tpp-'));
    writeFileSync(join(tppDir, 'ca.pem'), bank.ca);
    writeFileSync(join(tppDir, 'tpp-transport.pem'), bank.tpp.cert);
    writeFileSync(join(tppDir, 'tpp-transport.key'), bank.tpp.key);
    writeFileSync(join(tppDir, 'tpp-identity.json'), JSON.stringify({ software_id: bank.tpp.software_id, org_id: bank.tpp.org_id }));
    expect((await capture(['mint-ssa', '--certs-dir', tppDir])).code).toBe(0);
    expect((await capture(['mint-ssa', '--certs-dir', other, '--software-id', bank.tpp.software_id])).code).toBe(2);
  });

  test('MOCK_URL wins over PORT; --url and --aud win over both', async () => {
    process.env.PORT = '1';
    process.env.MOCK_URL = bank.url;
    expect((await capture(['mint', '--certs-dir', dir, '--out', join(dir, 'ssa2.jwt')])).code).toBe(0);
    process.env.MOCK_URL = 'https://127.0.0.1:1';
    expect((await capture(['mint', '--url', bank.url, '--certs-dir', dir])).code).toBe(0);
    const key = join(dir, readdirSync(dir).find((f) => f.endsWith('.key.json'))!);
    const viaUrl = await capture(['sign-request', '--ssa', join(dir, 'ssa2.jwt'), '--key', key, '--cert', join(dir, 'tpp-transport.pem'), '--url', 'https://bank.test:7000']);
    expect(decodePayload(viaUrl.out.trim()).aud).toBe('https://bank.test:7000');
    const viaAud = await capture(['sign-request', '--ssa', join(dir, 'ssa2.jwt'), '--key', key, '--cert', join(dir, 'tpp-transport.pem'), '--aud', 'bank-id']);
    expect(decodePayload(viaAud.out.trim()).aud).toBe('bank-id');
  });
});
