import { registeredClient, type Recorded } from '../../conformance/exchange';

const recorded = (json: unknown, headers: Record<string, string> = {}, sent: Record<string, unknown> = {}): Recorded => ({
  name: 'r', request: { method: 'POST', url: 'https://bank/register', headers: {} }, status: 201, headers, text: '', json, ms: 1, sent,
});

describe('registeredClient', () => {
  test('reads the RFC 7591 body', () => {
    expect(registeredClient(recorded({ client_id: 'c1', client_secret: 's1', token_endpoint_auth_method: 'client_secret_basic' })))
      .toEqual({ clientId: 'c1', secret: 's1', method: 'client_secret_basic' });
  });
  test('falls back to the declared headers and to the method the pack registered with', () => {
    const r = recorded(undefined, { 'x-client-id': 'c2', 'x-client-secret': 's2' }, { authMethod: 'client_secret_basic' });
    expect(registeredClient(r, { clientId: 'x-client-id', clientSecret: 'x-client-secret' })).toEqual({ clientId: 'c2', secret: 's2', method: 'client_secret_basic' });
  });
  test('without declared headers an empty answer yields no client', () => {
    expect(registeredClient(recorded(undefined, { 'x-client-id': 'c2' })).clientId).toBe('');
  });
  test('the body wins over headers', () => {
    expect(registeredClient(recorded({ client_id: 'body' }, { 'x-client-id': 'hdr' }), { clientId: 'x-client-id' }).clientId).toBe('body');
  });
});
