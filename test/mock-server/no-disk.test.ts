import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBank } from '../../mock-server/runtime';

/** A library call writes nothing to the caller's disk unless certsDir asks for it. */
describe('startMockBank and the disk', () => {
  const cwd = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mock-disk-'));
    process.chdir(dir);
  });
  afterEach(() => process.chdir(cwd));

  test.each([[{}], [{ port: 0 }], [{ port: 0, host: '127.0.0.1' }]])('%j: certificates in memory, nothing written', async (options) => {
    const bank = await startMockBank(options);
    await bank.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('certsDir: generated there, then reused', async () => {
    const first = await startMockBank({ port: 0, certsDir: 'my-certs' });
    await first.close();
    expect(existsSync(join(dir, 'my-certs', 'ca.pem'))).toBe(true);
    expect(existsSync(join(dir, 'certs'))).toBe(false);
    const second = await startMockBank({ certsDir: 'my-certs' });
    await second.close();
    expect(second.ca).toBe(first.ca);
  });
});
