import tls from 'node:tls';
import { startMockBank, type MockBank } from '../../mock-server/runtime';

let bank: MockBank;
beforeAll(async () => {
  bank = await startMockBank();
});
afterAll(() => bank.close());

/** A bare TLS handshake with the mock: the negotiated protocol and cipher, or the error. */
function handshake(opts: tls.ConnectionOptions): Promise<{ protocol: string | null; cipher: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: bank.port, servername: 'localhost', ca: bank.ca, ...opts }, () => {
      const out = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(out);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

describe('TLS: FAPI 1.0 Advanced 8.5', () => {
  test('TLS 1.2 with a non-FAPI suite (AES128-SHA) fails the handshake', async () => {
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' })).toEqual({ error: expect.any(String) });
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256:AES256-GCM-SHA384' })).toEqual({ error: expect.any(String) });
  });

  test.each(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384'])('TLS 1.2 with %s succeeds', async (cipher) => {
    expect(await handshake({ maxVersion: 'TLSv1.2', ciphers: cipher })).toEqual({ protocol: 'TLSv1.2', cipher });
  });

  test('TLS 1.3 is allowed; TLS 1.1 is not', async () => {
    expect(await handshake({})).toMatchObject({ protocol: 'TLSv1.3' });
    expect(await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).toEqual({ error: expect.any(String) });
  });
});
